/**
 * The CLI over several hosts (PRODUCT.md §6): which hosts a command talks to, asking them all at
 * once, finding the host of a job by its name, and placement for `run --host auto`. Without a
 * hosts file every path here ends in the single-host context of context.ts, as before.
 */
import type { ParsedArgs } from './args';
import type { CliIO } from './command';
import { writeLine } from './command';
import { chooseTarget, loadCliConfig, openContext, withContext, type CliContext, type OpenOptions, type TargetChoice } from './context';
import { hostByName, hostList, resolveHostSet, type HostSet, type ResolvedHost } from '../core/config/hosts';
import { resolveHostsFile } from '../core/config/hostsLookup';
import { AUTO_HOST } from '../core/config/hostsTypes';
import type { OrchConfig } from '../core/config/types';
import { UserError, errorMessage, usageError } from '../core/errors';
import { choosePlacement, type Placement } from '../core/hosts/placement';
import { candidateOf } from '../core/hosts/placeJob';
import { probeHost } from '../core/hosts/probe';
import type { RoutingPolicy } from '../core/policy';

export interface CliHosts {
  /** The ORCH_* configuration (without --host when it picks an entry or placement). */
  base: OrchConfig;
  set: HostSet;
  /** The --host value, if given. */
  asked: string | undefined;
}

/** Reads hosts.yaml (if any) and the configuration. Without the file --host is ORCH_HOST, as before. */
export async function loadCliHosts(io: CliIO, options: ParsedArgs['options']): Promise<CliHosts> {
  const asked = typeof options.host === 'string' ? options.host : undefined;
  const file = await resolveHostsFile({ cwd: io.cwd, env: io.env });
  const base = await loadCliConfig(io, options, { withoutHost: file !== undefined || asked === AUTO_HOST });
  return { base, set: resolveHostSet(base, file, io.env), asked };
}

/** One line of stderr text (a reason may span lines). */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export function openHost(io: CliIO, host: ResolvedHost, opts?: OpenOptions): CliContext {
  return openContext(io, host.config, { where: 'cloud' }, host.name, opts);
}

export type HostOutcome<T> = { host: string; ctx: CliContext; value: T; error?: undefined } | { host: string; ctx: CliContext; error: string; value?: undefined };

/** Runs `body` on every host at once; each host's failure is caught as its error text. Closes nothing. */
export async function onEveryHost<T>(io: CliIO, hosts: readonly ResolvedHost[], body: (ctx: CliContext) => Promise<T>): Promise<HostOutcome<T>[]> {
  return Promise.all(
    hosts.map(async (h): Promise<HostOutcome<T>> => {
      const ctx = openHost(io, h);
      try {
        return { host: h.name, ctx, value: await body(ctx) };
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        return { host: h.name, ctx, error: oneLine(errorMessage(e).replace(/\.$/, '')) };
      }
    }),
  );
}

export async function closeAll(contexts: readonly (CliContext | undefined)[]): Promise<void> {
  await Promise.all(contexts.map((c) => c?.close().catch(() => undefined)));
}

/** The one stderr line for a host that could not be asked. */
export function reportUnreachable(io: CliIO, host: string, error: string, prefix = 'orch'): void {
  writeLine(io.stderr, `${prefix}: host ${host}: ${error}.`);
}

/**
 * The hosts a listing or `stop --all` talks to: the one of --host (an entry, or an SSH host),
 * else every known host; undefined means the single-host path of context.ts (--local, or no
 * host configured at all, or one host and no hosts file).
 */
export function listedHosts(h: CliHosts, options: ParsedArgs['options']): ResolvedHost[] | undefined {
  if (options.local === true) return undefined;
  if (h.set.file === undefined) return undefined;
  if (h.asked !== undefined && h.asked !== AUTO_HOST) return [hostByName(h.set, h.base, h.asked)];
  return h.set.hosts;
}

/**
 * Runs `body` on the host that has job `name`. With several hosts and no --host, all are asked at
 * once; the name on two of them is a usage error asking for --host; on none, exit 1 naming every
 * host asked (and the ones that could not be).
 */
export async function withJobHost<T>(io: CliIO, options: ParsedArgs['options'], name: string, body: (ctx: CliContext) => Promise<T>, prefix = 'orch'): Promise<T> {
  const h = await loadCliHosts(io, options);
  const hosts = listedHosts(h, options);
  if (hosts === undefined) return withContext(io, options, body, { config: h.base, quiet: true });
  if (hosts.length === 1) {
    const ctx = openHost(io, hosts[0]!);
    try {
      return await body(ctx);
    } finally {
      await ctx.close().catch(() => undefined);
    }
  }
  const found = await onEveryHost(io, hosts, (ctx) => ctx.engine.get(name));
  const holders = found.filter((f) => f.value !== undefined);
  const keep = holders.length === 1 ? holders[0]!.ctx : undefined;
  await closeAll(found.map((f) => (f.ctx === keep ? undefined : f.ctx)));
  if (keep) {
    try {
      return await body(keep);
    } finally {
      await keep.close().catch(() => undefined);
    }
  }
  if (holders.length > 1) {
    const names = holders.map((f) => f.host);
    throw usageError(`A job named ${name} is on ${hostList(names)}; say which with --host ${names[0]} (or --host ${names[1]}).`);
  }
  const failed = found.filter((f) => f.error !== undefined);
  for (const f of failed) reportUnreachable(io, f.host, f.error!, prefix);
  const asked = found.filter((f) => f.error === undefined).map((f) => f.host);
  const unasked = failed.length ? `; ${hostList(failed.map((f) => f.host))} could not be asked` : '';
  throw new UserError(`There is no job named ${name} on ${asked.length ? hostList(asked) : 'any host'}${unasked}.`, { exitCode: 1 });
}

/** Where `run` goes, and an open context there. */
export interface RunTarget {
  ctx: CliContext;
  choice: TargetChoice;
  /** The placement when `--host auto` (or `default: auto`) decided. */
  placement?: Placement;
}

/**
 * Chooses the target of `run`: --local / --auto as before; on the cloud, --host NAME|auto, else
 * the hosts file's `default:`, else ORCH_HOST, else its first host. Placement reads every tmux
 * host at once (its active jobs and load) and prints the choice and why.
 */
export async function openRunTarget(
  io: CliIO,
  h: CliHosts,
  options: ParsedArgs['options'],
  opts: { command?: string; policy?: RoutingPolicy; prefix?: string; gpus?: number },
): Promise<RunTarget> {
  const prefix = opts.prefix ?? 'orch';
  const wanted = h.asked ?? h.set.defaultHost;
  // chooseTarget decides local or cloud from "is there a host": any host of the set counts.
  const hostKnown = wanted !== undefined && (wanted !== AUTO_HOST || h.set.hosts.length > 0);
  const choice = chooseTarget(hostKnown ? { ...h.base, host: h.base.host ?? wanted } : h.base, options, opts);
  if (choice.note) choice.note = choice.note.replace(/^orch:/, `${prefix}:`);
  if (choice.where === 'local' || wanted === undefined) return { ctx: openContext(io, h.base, choice), choice };
  if (wanted !== AUTO_HOST) {
    const host = hostByName(h.set, h.base, wanted, h.asked !== undefined ? '--host' : `default: in ${h.set.file ?? 'the configuration'}`);
    return { ctx: openHost(io, host), choice };
  }
  return place(io, h.set.hosts, choice, prefix, opts.gpus ?? 0);
}

async function place(io: CliIO, hosts: readonly ResolvedHost[], choice: TargetChoice, prefix: string, gpus: number): Promise<RunTarget> {
  const tmux = hosts.filter((x) => x.kind === 'tmux');
  const read = await onEveryHost(io, tmux, async (ctx) => {
    const [active, probe] = await Promise.all([ctx.engine.status(), probeHost(ctx.target, ctx.config.logRoot)]);
    return { active, probe };
  });
  const candidates = hosts.map((x) => candidateOf(x, read.find((o) => o.host === x.name), gpus));
  let placement: Placement;
  try {
    placement = choosePlacement(candidates, { gpus });
  } catch (e) {
    await closeAll(read.map((r) => r.ctx));
    throw e;
  }
  const chosen = read.find((r) => r.host === placement.host)!;
  await closeAll(read.filter((r) => r !== chosen).map((r) => r.ctx));
  writeLine(io.stderr, `${prefix}: --host auto chose ${placement.host}: ${placement.reason}.`);
  return { ctx: chosen.ctx, choice, placement };
}
