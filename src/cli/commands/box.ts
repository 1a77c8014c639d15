import type { CliIO, Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS } from '../context';
import { loadCliHosts, openHost, type CliHosts } from '../hosts';
import { hostByName, hostList, type ResolvedHost } from '../../core/config/hosts';
import { AUTO_HOST } from '../../core/config/hostsTypes';
import type { OrchConfig } from '../../core/config/types';
import { UserError, usageError } from '../../core/errors';
import { boxLabel, boxSummary, formatDuration, idleText, withAutostop, type BoxInfo, type BoxSummary, type Ec2Api } from '../../core/ec2/box';
import type { AutostopStatus } from '../../core/engine/autostop';
import { loadEc2Api } from '../../core/ec2/load';
import type { Ec2BoxSpec } from '../../core/ec2/spec';
import { ensureRunning, waitForSsh, waitForState } from '../../core/ec2/wake';
import { resolveHost } from '../../core/ssh/sshConfig';

/** The reason recorded for the jobs --force stops (not orch stop --all's: the user ran this). */
const STOPPED_BY_BOX_STOP = 'stopped with orch box stop --force';

const OPTIONS = { ...CONFIG_OPTIONS, json: { kind: 'boolean' as const }, force: { kind: 'boolean' as const } };

const HELP = [
  'Usage: orch box status [HOST] [--json]',
  '       orch box start [HOST]',
  '       orch box stop [HOST] [--force]',
  '',
  'The EC2 instance behind a host (ORCH_EC2_INSTANCE_ID, ORCH_EC2_REGION, ORCH_EC2_PROFILE; AWS',
  'credentials from the usual places: the environment, ~/.aws, SSO, AWS_PROFILE).',
  '',
  '  status    instance id, state, type, address and uptime; --json prints one object:',
  '            host, instanceId, state, type, address, publicDns, publicIp, privateDns, privateIp,',
  '            launchedAt, uptimeSeconds, idleSeconds, autostopAt, busy, autostopError',
  '            (idle clock from the host over SSH when the host has autostop_minutes)',
  '  start     start it and wait until it runs and SSH answers, with progress on stderr',
  '  stop      stop it; refused while jobs are QUEUED, STARTING or RUNNING on it, unless --force,',
  '            which stops those jobs first (their logs are kept)',
  '',
  CONFIG_HELP,
  '',
  'Exit status: 0 done; 1 AWS refused or jobs are active; 2 bad input (not an EC2 host).',
].join('\n');

export const boxCommand: Command = {
  name: 'box',
  summary: 'Status, start and stop of the EC2 instance behind a host.',
  help: HELP,
  options: OPTIONS,
  operands: { words: ['status', 'start', 'stop'] },
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    const [verb, host, extra] = p.positionals;
    if (verb !== 'status' && verb !== 'start' && verb !== 'stop') throw usageError('Say what to do: orch box status|start|stop [HOST].');
    if (extra !== undefined) throw usageError(`orch box ${verb} takes at most one host; got "${extra}" too.`);
    if (p.options.json === true && verb !== 'status') throw usageError('--json is for orch box status.');
    if (p.options.force === true && verb !== 'stop') throw usageError('--force is for orch box stop.');
    if (host !== undefined && typeof p.options.host === 'string' && p.options.host !== host) throw usageError('Name the box once: orch box VERB HOST (or --host HOST).');
    const h = await loadCliHosts(io, p.options);
    const box = boxOf(h, host ?? (typeof p.options.host === 'string' ? p.options.host : undefined));
    const spec = box.config.ec2!;
    const api = loadEc2Api()(spec, io.env);
    if (verb === 'status') return status(io, api, box, p.options.json === true);
    if (verb === 'start') return start(io, box.config, api, spec, box.name);
    return stop(io, box, api, spec, p.options.force === true);
  },
};

/**
 * The box HOST names: a hosts.yaml entry with `ec2:`, or the single host of ORCH_EC2_*
 * (by its name or instance id). Without HOST: the only EC2 host, else the default one.
 */
function boxOf(h: CliHosts, asked: string | undefined): ResolvedHost {
  const boxes = h.set.hosts.filter((x) => x.config.ec2);
  const where = h.set.file ?? h.base.envFile ?? 'scripts/cloud/.env';
  const how = h.set.file ? `give it an ec2: block (instance_id, region) in ${where}` : `set ORCH_EC2_INSTANCE_ID (and ORCH_EC2_REGION) in ${where}`;
  if (asked !== undefined) {
    const byId = boxes.find((x) => x.config.ec2!.instanceId === asked);
    const host = byId ?? (asked === AUTO_HOST ? undefined : hostByName(h.set, h.base, asked));
    if (!host?.config.ec2) throw usageError(`The host ${asked} is not an EC2 box: ${how}.`);
    return host;
  }
  if (boxes.length === 1) return boxes[0]!;
  if (boxes.length === 0) {
    const only = h.set.hosts.length === 1 ? `The host ${h.set.hosts[0]!.name} is not` : 'No host is configured as';
    throw usageError(`${only} an EC2 box: ${how}.`);
  }
  const preferred = boxes.find((x) => x.name === h.set.defaultHost);
  if (preferred) return preferred;
  throw usageError(`Say which box: orch box VERB HOST, one of ${hostList(boxes.map((x) => x.name))}.`);
}

async function status(io: CliIO, api: Ec2Api, box: ResolvedHost, json: boolean): Promise<number> {
  const info = await api.describe();
  let s = boxSummary(box.name, info, box.config.ec2!.address, Date.now());
  // The idle clock is the host's (PRODUCT.md §7 autostop): asked over SSH while the box runs.
  if (info.state === 'running' && box.config.autostopMinutes !== undefined) s = withAutostop(s, await idleClock(io, box), Date.now());
  writeLine(io.stdout, json ? JSON.stringify(s, null, 2) : statusText(s));
  return 0;
}

/** The host's autostop report; undefined (and one line on stderr) when the host cannot be asked. */
async function idleClock(io: CliIO, box: ResolvedHost): Promise<AutostopStatus | undefined> {
  const ctx = openHost(io, box);
  try {
    const a = await ctx.engine.autostop!();
    if (a === undefined) writeLine(io.stderr, `orch: autostop is not installed on ${box.name} yet; the next orch run there installs it`);
    return a;
  } catch (e) {
    writeLine(io.stderr, `orch: could not read the idle clock of ${box.name} (${(e as Error).message.replace(/\.$/, '')})`);
    return undefined;
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

function statusText(s: BoxSummary): string {
  const rows: [string, string][] = [
    ['host', s.host],
    ['instance', s.instanceId],
    ['state', s.state],
    ['type', s.type ?? '-'],
    ['address', s.address ?? '-'],
  ];
  if (s.uptimeSeconds !== null) rows.push(['uptime', formatDuration(s.uptimeSeconds * 1000)]);
  const idle = idleText(s, Date.now());
  if (idle !== undefined) rows.push(['autostop', idle]);
  if (s.autostopError !== null) rows.push(['autostop', `failed: ${s.autostopError}`]);
  return rows.map(([k, v]) => `${k.padEnd(9)}${v}`).join('\n');
}

async function start(io: CliIO, config: OrchConfig, api: Ec2Api, spec: Ec2BoxSpec, name: string): Promise<number> {
  const progress = (line: string): void => writeLine(io.stderr, `orch: ${line}`);
  const box = await ensureRunning(api, spec, { wake: true, hostName: name, progress, signal: io.signal });
  const resolved = await resolveHost(config);
  if (!resolved.proxyJump) await waitForSsh(box.address, resolved.port, { progress, signal: io.signal });
  writeLine(io.stdout, `${boxLabel(name, spec.instanceId)} is running at ${box.address}${box.started ? '' : ' (it already was)'}`);
  return 0;
}

async function stop(io: CliIO, box: ResolvedHost, api: Ec2Api, spec: Ec2BoxSpec, force: boolean): Promise<number> {
  const name = box.name;
  const progress = (line: string): void => writeLine(io.stderr, `orch: ${line}`);
  let info: BoxInfo = await api.describe();
  if (info.state === 'stopped') {
    writeLine(io.stdout, `${boxLabel(name, spec.instanceId)} is already stopped`);
    return 0;
  }
  if (info.state === 'terminated' || info.state === 'shutting-down') throw new UserError(`The EC2 instance ${spec.instanceId} of ${name} is ${info.state}.`);
  if (info.state === 'pending') info = await waitForState(api, info, ['running'], { progress, signal: io.signal });
  if (info.state === 'running') await stopJobsFirst(io, box, force);
  if (info.state !== 'stopping') {
    progress(`stopping ${spec.instanceId}`);
    await api.stop();
    info = await api.describe();
  }
  await waitForState(api, info, ['stopped'], { progress, signal: io.signal });
  writeLine(io.stdout, `${boxLabel(name, spec.instanceId)} is stopped`);
  return 0;
}

/** Refuses while jobs are active on the box; with --force stops them (logs kept). */
async function stopJobsFirst(io: CliIO, box: ResolvedHost, force: boolean): Promise<void> {
  const name = box.name;
  const ctx = openHost(io, box);
  try {
    let active;
    try {
      active = await ctx.engine.status();
    } catch (e) {
      if (force) {
        writeLine(io.stderr, `orch: could not list the jobs on ${name} (${(e as Error).message.replace(/\.$/, '')}); stopping it anyway (--force)`);
        return;
      }
      throw new UserError(`Could not check for active jobs on ${name} (${(e as Error).message.replace(/\.$/, '')}); run "orch box stop ${name} --force" to stop it anyway.`, { cause: e });
    }
    if (active.length === 0) return;
    const names = active.map((j) => j.name);
    const listed = names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
    if (!force) {
      throw new UserError(
        `${name} has ${active.length} active job${active.length === 1 ? '' : 's'} (${listed}): stop ${active.length === 1 ? 'it' : 'them'} first (orch stop --all), or run "orch box stop ${name} --force" to stop ${active.length === 1 ? 'it' : 'them'} and the box.`,
      );
    }
    for (const job of await ctx.engine.stopAll(STOPPED_BY_BOX_STOP)) writeLine(io.stderr, `orch: stopped ${job.name}; log kept at ${job.logPath}`);
  } finally {
    await ctx.close().catch(() => undefined);
  }
}
