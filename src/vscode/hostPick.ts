import * as vscode from 'vscode';
import { AUTO_HOST } from '../core/config/hostsTypes';
import type { CloudJobs } from './context';
import { placeRun } from './placement';

const LAST_HOST_KEY = 'cloudJobs.lastRunHost';

interface HostItem extends vscode.QuickPickItem {
  host: string;
}

export interface RunHost {
  host: string;
  /** Why placement chose it, when `auto` was picked (kept in meta.json). */
  placement?: string;
}

/** `auto`: placement over the hosts, said in the log; a host name: itself. */
export async function resolveRunHost(ctx: CloudJobs, host: string): Promise<RunHost> {
  if (host !== AUTO_HOST) return { host };
  const p = await placeRun(ctx);
  ctx.log.info(`auto chose ${p.host}: ${p.reason}`);
  return { host: p.host, placement: `${p.host}: ${p.reason}` };
}

/**
 * Where Run on EC2 goes: the only host when there is one (or `local` when there is none), else
 * the host the user picks (or `auto`, placement), the one picked last time (else the default)
 * first. Undefined: cancelled.
 */
export async function pickRunHost(ctx: CloudJobs): Promise<RunHost | undefined> {
  const set = await ctx.config.hosts();
  if (set.hosts.length === 0) return { host: await ctx.runTarget() };
  if (set.hosts.length === 1) return { host: set.hosts[0]!.name };
  const names = [...set.hosts.map((h) => h.name), AUTO_HOST];
  const last = ctx.ext.workspaceState.get<string>(LAST_HOST_KEY);
  const dflt = set.defaultHost === AUTO_HOST ? AUTO_HOST : await ctx.config.defaultHost();
  const first = last !== undefined && names.includes(last) ? last : dflt;
  const ordered = [...names].sort((a, b) => Number(b === first) - Number(a === first));
  const snapshot = ctx.jobs.snapshot;
  const items: HostItem[] = ordered.map((name) => {
    const h = set.hosts.find((x) => x.name === name);
    if (!h) {
      const note = name === last ? ' · last used' : name === dflt ? ' · default' : '';
      return { label: AUTO_HOST, host: AUTO_HOST, description: `placement: fewest active jobs per slot, then lowest load per CPU${note}` };
    }
    const running = snapshot.jobs.filter((j) => j.host === name && j.state === 'RUNNING').length;
    const notes = [
      h.config.host === name ? undefined : h.config.host,
      h.kind === 'slurm' ? 'Slurm' : undefined,
      snapshot.errors.has(name) ? 'unreachable' : `${running} running`,
      name === last ? 'last used' : name === dflt ? 'default' : undefined,
    ].filter(Boolean);
    return { label: name, host: name, description: notes.join(' · ') };
  });
  const pick = await vscode.window.showQuickPick(items, { title: 'Cloud Jobs: run on which host?', placeHolder: 'The host of scripts/cloud/hosts.yaml to run the job on', ignoreFocusOut: true });
  if (!pick) return undefined;
  await ctx.ext.workspaceState.update(LAST_HOST_KEY, pick.host);
  return resolveRunHost(ctx, pick.host);
}
