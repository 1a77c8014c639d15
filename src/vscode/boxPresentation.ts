// How an EC2 box looks in the tree and the status bar: pure (no `vscode` import), unit-tested.
import { boxLabel, formatDuration, type BoxState, type BoxSummary } from '../core/ec2/box';
import type { BoxSnapshot } from './boxes';

const ICONS: Record<BoxState, string> = {
  pending: 'loading~spin',
  running: 'vm-running',
  stopping: 'loading~spin',
  stopped: 'vm-outline',
  'shutting-down': 'loading~spin',
  terminated: 'circle-slash',
};

/** The host node's description: "running · g5.xlarge · up 2 h", "idle 12 min · stops in 18 min" when known. */
export function boxDescription(s: BoxSummary, now: number): string {
  const parts: string[] = [s.state];
  if (s.type) parts.push(s.type);
  // While something keeps it up (a job, a login), idle time says nothing: the uptime does.
  const idle = s.idleSeconds !== null && s.busy === null;
  if (idle) parts.push(`idle ${formatDuration(s.idleSeconds! * 1000)}`);
  if (s.autostopAt !== null) parts.push(`stops in ${formatDuration(Date.parse(s.autostopAt) - now)}`);
  else if (s.autostopError !== null) parts.push('autostop failed');
  else if (!idle && s.uptimeSeconds !== null && s.state === 'running') parts.push(`up ${formatDuration(s.uptimeSeconds * 1000)}`);
  return parts.join(' · ');
}

/**
 * What of the boxes a user sees in the tree, as one string: a read that changes it redraws the
 * tree. The uptime counts as shown ("up 7 s" stayed on the node for as long as nothing else
 * changed), at the granularity it is shown, so a box up for hours redraws once a minute.
 */
export function boxesShownKey(boxes: Iterable<BoxSnapshot>): string {
  const minute = (iso: string | null | undefined): number | undefined => (iso ? Math.round(Date.parse(iso) / 60_000) : undefined);
  return JSON.stringify(
    [...boxes].map((b) => {
      const s = b.summary;
      const up = s?.uptimeSeconds == null ? null : formatDuration(s.uptimeSeconds * 1000);
      return [b.host, s?.state, s?.address, b.error, s?.idleSeconds == null ? null : Math.floor(s.idleSeconds / 60), minute(s?.autostopAt), s?.busy, s?.autostopError, up];
    }),
  );
}

export function boxIcon(b: BoxSnapshot): string {
  return b.summary ? ICONS[b.summary.state] : 'warning';
}

/** `host.box.<state>` (or `host.box.unknown`); menus match `viewItem =~ /^host\.box\.stopped\b/`. */
export function boxContextValue(b: BoxSnapshot): string {
  return `host.box.${b.summary?.state ?? 'unknown'}`;
}

export function boxTooltip(b: BoxSnapshot, now: number): string {
  if (!b.summary) return `EC2 box ${b.spec.instanceId}: ${b.error ?? 'not read yet'}`;
  const s = b.summary;
  const lines = [`EC2 box ${b.host}`, `instance ${s.instanceId} (${s.type ?? 'unknown type'})`, `state ${s.state}`, `address ${s.address ?? '-'}`];
  if (s.uptimeSeconds !== null) lines.push(`uptime ${formatDuration(s.uptimeSeconds * 1000)}`);
  if (s.idleSeconds !== null && s.busy === null) lines.push(`idle ${formatDuration(s.idleSeconds * 1000)}`);
  if (s.autostopAt !== null) lines.push(`autostop in ${formatDuration(Date.parse(s.autostopAt) - now)}`);
  if (s.busy !== null) lines.push(`kept up: ${s.busy}`);
  if (s.autostopError !== null) lines.push(`autostop: ${s.autostopError}`);
  return lines.join('\n');
}

/** Why the box's jobs are not listed, when it is not running (the tree's child placeholder). */
export function boxNotRunningText(b: BoxSnapshot): { text: string; detail: string } | undefined {
  if (!b.summary) return { text: `Cannot read the EC2 box ${b.spec.instanceId}`, detail: b.error ?? '' };
  const state = b.summary.state;
  if (state === 'running') return undefined;
  if (state === 'stopped') return { text: 'Box stopped', detail: 'Start Box to list and run its jobs' };
  if (state === 'stopping') return { text: 'Box stopping', detail: 'its jobs are listed again once it runs' };
  if (state === 'pending') return { text: 'Box starting', detail: 'its jobs are listed once SSH answers' };
  return { text: `Box ${state}`, detail: 'it cannot be started again' };
}

/**
 * The status-bar hint, shown only while a box of the workspace is not running: the first such
 * box in host order (and how many more), with the host to start on a click.
 */
export function boxStatusBarText(boxes: readonly BoxSnapshot[]): { text: string; tooltip: string; host: string; startable: boolean } | undefined {
  const idle = boxes.filter((b) => b.summary && b.summary.state !== 'running');
  const b = idle[0];
  if (!b?.summary) return undefined;
  const state = b.summary.state;
  const icon = state === 'stopped' ? 'vm-outline' : ICONS[state];
  const verb = state === 'pending' ? 'starting' : state;
  const more = idle.length > 1 ? ` (+${idle.length - 1})` : '';
  const tip = state === 'stopped' ? `The EC2 box ${boxLabel(b.host, b.spec.instanceId)} is stopped. Click to start it.` : `The EC2 box ${boxLabel(b.host, b.spec.instanceId)} is ${verb}.`;
  const others = idle.slice(1).map((x) => `${x.host} is ${x.summary!.state}`);
  return { text: `$(${icon}) ${b.host} ${verb}${more}`, tooltip: [tip, ...others].join('\n'), host: b.host, startable: state === 'stopped' };
}
