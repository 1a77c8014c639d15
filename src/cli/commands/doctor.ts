import type { Command, CliIO } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { CONFIG_HELP, CONFIG_OPTIONS, TARGET_OPTIONS, chooseTarget, openContext, type CliContext, type OpenOptions } from '../context';
import { listedHosts, loadCliHosts, openHost } from '../hosts';
import type { OrchConfig } from '../../core/config/types';
import { usageError } from '../../core/errors';
import { doctorSummary, formatLines, type CheckLine } from '../../core/doctor/checks';
import { runDoctor, type DoctorReport } from '../../core/doctor/runDoctor';
import { doctorBox } from '../../core/doctor/boxDoctor';
import { awsProfileOf, loadEc2Api } from '../../core/ec2/load';
import { waitForSsh, wakeSetting } from '../../core/ec2/wake';
import { resolveHost } from '../../core/ssh/sshConfig';

const OPTIONS = { ...CONFIG_OPTIONS, ...TARGET_OPTIONS };

/** `ubuntu@gpu-box:22` as configured (the SSH config may still map the alias); an EC2 box at its address now. */
function reachOf(config: OrchConfig, host: string, address?: string): string {
  return `${config.user ? `${config.user}@` : ''}${address ?? config.host ?? host}${config.port ? `:${config.port}` : ''}`;
}

export function doctorOf(ctx: CliContext, slurm = false, address?: string): Promise<DoctorReport> {
  const c = ctx.config;
  return runDoctor({ target: ctx.target, logRoot: c.logRoot, logMode: c.logMode, reach: reachOf(c, ctx.target.host, address), local: ctx.where === 'local', slurm, autostopMinutes: c.autostopMinutes, cloudwatch: c.cloudwatch });
}

/** One host to check: its name, configuration, and how to open it (at a known address, for a box). */
interface Checked {
  name: string;
  config: OrchConfig;
  local: boolean;
  slurm: boolean;
  /** From hosts.yaml (its wake setting is the ec2: block's), else the single ORCH_* host. */
  fromFile: boolean;
  open(opts: OpenOptions): CliContext;
}

interface HostReport {
  header: string;
  lines: CheckLine[];
}

async function checkHost(io: CliIO, h: Checked, wake: boolean): Promise<HostReport> {
  const logRoot = `log root ${h.config.logRoot}`;
  if (h.local) return report(`${h.name} (this computer, ${logRoot})`, [], await withOpen(h, {}, (ctx) => doctorOf(ctx)));
  const spec = h.config.ec2;
  if (!spec) return report(`${h.name} (${reachOf(h.config, h.name)}, ${logRoot})`, [], await withOpen(h, {}, (ctx) => doctorOf(ctx, h.slurm)));
  // The AWS bundle is loaded here only, for a host with ec2: (PRODUCT.md §7).
  const box = await doctorBox(loadEc2Api()(spec, io.env), spec, {
    hostName: h.name,
    wakeSetting: wakeSetting(h.fromFile),
    profile: awsProfileOf(spec, io.env),
    wake,
    progress: (line) => writeLine(io.stderr, `orch: ${line}`),
    signal: io.signal,
    waitForSsh: async (address) => {
      const resolved = await resolveHost(h.config);
      if (!resolved.proxyJump) await waitForSsh(address, resolved.port, { signal: io.signal, progress: (line) => writeLine(io.stderr, `orch: ${line}`) });
    },
  });
  const address = box.address;
  if (address === undefined) return { header: `${h.name} (EC2 ${spec.instanceId}, ${logRoot})`, lines: box.lines };
  // AWS was asked once: the connection goes to the address it gave, the key pinned under the instance id.
  const locate: OpenOptions['locate'] = async (r) => ({ ...r, hostname: address, hostKeyAlias: spec.instanceId });
  const ssh = await withOpen(h, { locate }, (ctx) => doctorOf(ctx, h.slurm, address));
  return report(`${h.name} (${reachOf(h.config, h.name, address)}, ${logRoot})`, box.lines, ssh);
}

function report(header: string, before: CheckLine[], r: DoctorReport): HostReport {
  return { header, lines: [...before, ...r.lines] };
}

async function withOpen<T>(h: Checked, opts: OpenOptions, body: (ctx: CliContext) => Promise<T>): Promise<T> {
  const ctx = h.open(opts);
  try {
    return await body(ctx);
  } finally {
    await ctx.close().catch(() => undefined);
  }
}

function print(io: CliIO, name: string, r: HostReport): void {
  writeLine(io.stdout, r.header);
  for (const line of formatLines(r.lines)) writeLine(io.stdout, `  ${line}`);
  writeLine(io.stdout, `  ${doctorSummary(name, r.lines)}`);
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'Check what a host needs (AWS and the EC2 box, SSH, bash 4, tmux, tools, cron, disk, clock, ...) and say what to fix.',
  options: OPTIONS,
  operands: 'none',
  help: [
    'Usage: orch doctor [--host NAME] [--local] [--wake]',
    '',
    'Checks each host in one round trip (two with autostop) and prints one line per check (ok,',
    'warn, FAIL or skip) with what to do when it fails: SSH reach and host key, bash 4 or later,',
    'tmux, the tools the runner uses (GNU or busybox), cron (pruning old logs, EC2 autostop), free',
    'disk under the log root, the log root\'s owner and permissions, clock skew against this',
    'computer, systemd user lingering (without it systemd may kill tmux at logout), zstd or gzip;',
    'and aws where the host ships every job\'s log to CloudWatch (cloudwatch:, ORCH_CLOUDWATCH).',
    '',
    'An EC2 box (ec2: in hosts.yaml, or ORCH_EC2_INSTANCE_ID) is first asked of AWS, once:',
    '  aws   the credentials work in the region (else the AWS error and its fix: no credentials,',
    '        an expired SSO session, no permission, a wrong region)',
    '  box   the instance\'s state, type and address; an unknown instance fails here',
    'A box that is not running is not connected to and not started: its host checks are one',
    '"skip" line. Stopped (or stopping) is a FAIL, or a warning when its wake setting is auto',
    '(commands start it); pending is a warning. --wake starts it first and then checks its host.',
    'A host with autostop_minutes gets an autostop line: installed with those minutes or not yet',
    '(the next orch run there installs it), and its idle clock or what keeps it up.',
    '',
    '  --host NAME  only this host (default: every host of scripts/cloud/hosts.yaml, else ORCH_HOST)',
    '  --local      the local tmux target',
    '',
    CONFIG_HELP,
    '',
    'Exit status: 0 when no check fails (warnings and skips included); 1 when one fails on any host.',
  ].join('\n'),
  async run(argv, io) {
    const p = parseArgs(argv, OPTIONS);
    if (p.positionals.length) throw usageError(`orch doctor takes no arguments; got "${p.positionals[0]}" (a host is --host NAME).`);
    const hosts = await loadCliHosts(io, p.options);
    const targets = listedHosts(hosts, p.options);
    let checked: Checked[];
    if (targets === undefined) {
      const choice = chooseTarget(hosts.base, p.options, { quiet: true });
      const local = choice.where === 'local';
      const name = local ? 'local' : (hosts.base.host ?? '');
      checked = [{ name, config: hosts.base, local, slurm: false, fromFile: false, open: (opts) => openContext(io, hosts.base, choice, undefined, opts) }];
    } else {
      checked = targets.map((h) => ({ name: h.name, config: h.config, local: false, slurm: h.kind === 'slurm', fromFile: true, open: (opts) => openHost(io, h, opts) }));
    }
    const reports = await Promise.all(checked.map((h) => checkHost(io, h, p.options.wake === true)));
    checked.forEach((h, i) => print(io, h.name, reports[i]!));
    return reports.every((r) => r.lines.every((l) => l.status !== 'fail')) ? 0 : 1;
  },
};
