/**
 * Listing jobs: a cold `orch status` / `orch list` process against a cold `ssh host tmux ls`
 * (and `ssh host 'tmux ls; ls LOGROOT'`, what a user's script reads for the same answer), and
 * the extension's warm case (engine.status() on an open ssh2 connection) against OpenSSH
 * through a warm ControlMaster. Run once on loopback and once through the emulated link.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Built } from '../lib/build';
import type { BenchHost } from '../lib/host';
import { runProc } from '../lib/proc';
import type { Line } from '../lib/report';
import { fmtMs, summarize, timeRoundRobin, type Sample } from '../lib/stats';

const COLD_REPS = 15;
const WARM_REPS = 30;
const LINK_COLD_REPS = 9;
const LINK_WARM_REPS = 15;

const onLink = (host: BenchHost): boolean => host.route !== 'loopback';

/** What a user's script runs for the same answer as `orch status`: the sessions and the job directories. */
export function listingCommand(host: BenchHost): string {
  return `tmux ls 2>/dev/null; ls ${host.config.logRoot}`;
}

export async function coldListing(host: BenchHost, built: Built, log: (s: string) => void): Promise<Line[]> {
  const reps = onLink(host) ? LINK_COLD_REPS : COLD_REPS;
  log(`cold processes (${host.route}): orch status, orch list, ssh tmux ls, node start-up (${reps} rounds)`);
  const orch = (...argv: string[]) => () => runProc(process.execPath, [built.orchBin, ...argv], { cwd: host.cwd, env: host.cliEnv, discardStdout: true });
  const cold = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
  const ssh = () => runProc('ssh', [...host.sshArgs(cold), 'tmux', 'ls'], { discardStdout: true, allowFail: true });
  const sshListing = () => runProc('ssh', [...host.sshArgs(cold), listingCommand(host)], { discardStdout: true, allowFail: true });
  const nodeBare = () => runProc(process.execPath, ['-e', '0']);
  const orchVersion = orch('--version');

  // Sanity: the figures mean something only if the commands do their job.
  const listed = await runProc(process.execPath, [built.orchBin, 'list', '--json'], { cwd: host.cwd, env: host.cliEnv });
  const count = (JSON.parse(listed.stdout) as unknown[]).length;
  if (count < 50) throw new Error(`orch list --json shows ${count} jobs, expected at least 50`);

  const contenders = [orch('status'), orch('list', '--json'), ssh, sshListing];
  if (!onLink(host)) contenders.push(nodeBare, orchVersion);
  const [status, list, tmuxLs, listing, bare, version] = (await timeRoundRobin(reps, contenders)).map(summarize);
  const line = (label: string, s: Sample, base: Sample, baseName: string, limit: number): Line => {
    const ratio = s.median / base.median;
    return {
      label,
      orch: fmtMs(s.median),
      baseline: `${fmtMs(base.median)} (${baseName})`,
      ratio,
      target: `≤ ${limit.toFixed(2)}×`,
      pass: ratio <= limit,
      raw: { orch: s, openssh: base, jobsInLogRoot: count },
    };
  };
  if (onLink(host)) {
    return [
      line(`cold \`orch status\` (${count} jobs), whole process`, status!, listing!, "cold ssh 'tmux ls; ls logs'", 1.0),
      line('cold `orch list --json`, whole process', list!, listing!, "cold ssh 'tmux ls; ls logs'", 1.0),
      { label: 'cold `ssh host tmux ls` for scale', orch: fmtMs(tmuxLs!.median), raw: { openssh: tmuxLs } },
    ];
  }
  return [
    line(`cold \`orch status\` (${count} jobs in the log root), whole process`, status!, tmuxLs!, 'ssh tmux ls', 0.7),
    line('cold `orch list --json`, whole process', list!, tmuxLs!, 'ssh tmux ls', 0.7),
    { label: "cold `ssh host 'tmux ls; ls logs'` for scale", orch: fmtMs(listing!.median), raw: { openssh: listing } },
    {
      label: 'of which: `node -e 0` (Node start-up alone)',
      orch: fmtMs(bare!.median),
      baseline: fmtMs(tmuxLs!.median),
      ratio: bare!.median / tmuxLs!.median,
      raw: { node: bare },
    },
    {
      label: 'of which: `orch --version` (start-up + loading the bundle, no connection)',
      orch: fmtMs(version!.median),
      baseline: fmtMs(tmuxLs!.median),
      ratio: version!.median / tmuxLs!.median,
      raw: { orchVersion: version },
    },
  ];
}

/** OpenSSH through a warm ControlMaster: opened once, `run()` per call, `close()` at the end. */
export function controlMaster(host: BenchHost): { open(): Promise<unknown>; run(command: string): () => Promise<unknown>; close(): Promise<void> } {
  const ctlDir = mkdtempSync(join(tmpdir(), 'orch-bench-cm-'));
  const master = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${join(ctlDir, 'cm')}`, '-o', 'ControlPersist=60'];
  return {
    open: () => runProc('ssh', [...host.sshArgs(master), 'true']),
    run: (command: string) => () => runProc('ssh', [...host.sshArgs(master), command], { discardStdout: true, allowFail: true }),
    async close() {
      await runProc('ssh', [...host.sshArgs(master.concat(['-O', 'exit']))], { allowFail: true });
      rmSync(ctlDir, { recursive: true, force: true });
    },
  };
}

export async function warmListing(host: BenchHost, log: (s: string) => void): Promise<Line[]> {
  const reps = onLink(host) ? LINK_WARM_REPS : WARM_REPS;
  log(`warm (${host.route}): engine.status() on an open connection vs ssh through a ControlMaster (${reps} rounds)`);
  const cm = controlMaster(host);
  try {
    await cm.open();
    await host.engine.status();
    const before = host.target.execCount;
    const [engine, openssh] = (await timeRoundRobin(reps, [() => host.engine.status(), cm.run('tmux ls')], 2)).map(summarize);
    // 2 warm-up calls + the measured calls.
    const roundTrips = (host.target.execCount - before) / (reps + 2);
    const ratio = engine!.median / openssh!.median;
    const limit = onLink(host) ? undefined : 0.6;
    return [
      {
        label: 'warm status, one open connection (the extension)',
        orch: fmtMs(engine!.median),
        baseline: `${fmtMs(openssh!.median)} (ssh via ControlMaster)`,
        ratio,
        target: limit === undefined ? undefined : `≤ ${limit.toFixed(2)}×`,
        pass: limit === undefined ? undefined : ratio <= limit,
        raw: { engine, openssh },
      },
      {
        label: 'round trips (exec calls) per warm status',
        orch: roundTrips.toFixed(2),
        target: '1',
        pass: roundTrips === 1,
        raw: { roundTrips },
      },
    ];
  } finally {
    await cm.close();
  }
}
