/**
 * Listing jobs: a cold `orch status` / `orch list` process against a cold `ssh host tmux ls`,
 * and the extension's warm case (engine.status() on an open ssh2 connection) against OpenSSH
 * through a warm ControlMaster.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Built } from '../lib/build';
import type { BenchHost } from '../lib/host';
import { runProc } from '../lib/proc';
import type { Line } from '../lib/report';
import { fmtMs, summarize, timeRoundRobin } from '../lib/stats';

const COLD_REPS = 15;
const WARM_REPS = 30;

export async function coldListing(host: BenchHost, built: Built, log: (s: string) => void): Promise<Line[]> {
  log(`cold processes: orch status, orch list, ssh tmux ls, node start-up (${COLD_REPS} rounds)`);
  const orch = (...argv: string[]) => () => runProc(process.execPath, [built.orchBin, ...argv], { cwd: host.cwd, env: host.cliEnv, discardStdout: true });
  const ssh = () => runProc('ssh', [...host.sshArgs(['-o', 'ControlMaster=no', '-o', 'ControlPath=none']), 'tmux', 'ls'], { discardStdout: true, allowFail: true });
  const nodeBare = () => runProc(process.execPath, ['-e', '0']);
  const orchVersion = orch('--version');

  // Sanity: the figures mean something only if the commands do their job.
  const listed = await runProc(process.execPath, [built.orchBin, 'list', '--json'], { cwd: host.cwd, env: host.cliEnv });
  const count = (JSON.parse(listed.stdout) as unknown[]).length;
  if (count < 50) throw new Error(`orch list --json shows ${count} jobs, expected at least 50`);

  const [status, list, tmuxLs, bare, version] = (await timeRoundRobin(COLD_REPS, [orch('status'), orch('list'), ssh, nodeBare, orchVersion])).map(summarize);
  const line = (label: string, s: typeof status): Line => {
    const ratio = s.median / tmuxLs!.median;
    return {
      label,
      orch: fmtMs(s.median),
      baseline: `${fmtMs(tmuxLs!.median)} (ssh tmux ls)`,
      ratio,
      target: '≤ 0.70×',
      pass: ratio <= 0.7,
      raw: { orch: s, openssh: tmuxLs, jobsInLogRoot: count },
    };
  };
  return [
    line(`cold \`orch status\` (${count} jobs in the log root), whole process`, status!),
    line('cold `orch list`, whole process', list!),
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

export async function warmListing(host: BenchHost, log: (s: string) => void): Promise<Line[]> {
  log(`warm: engine.status() on an open connection vs ssh through a ControlMaster (${WARM_REPS} rounds)`);
  const ctlDir = mkdtempSync(join(tmpdir(), 'orch-bench-cm-'));
  const master = ['-o', 'ControlMaster=auto', '-o', `ControlPath=${join(ctlDir, 'cm')}`, '-o', 'ControlPersist=60'];
  const viaMaster = () => runProc('ssh', [...host.sshArgs(master), 'tmux', 'ls'], { discardStdout: true, allowFail: true });
  try {
    await runProc('ssh', [...host.sshArgs(master), 'true']);
    await host.engine.status();
    const before = host.target.execCount;
    const [engine, openssh] = (await timeRoundRobin(WARM_REPS, [() => host.engine.status(), viaMaster], 2)).map(summarize);
    // 2 warm-up calls + WARM_REPS measured calls.
    const roundTrips = (host.target.execCount - before) / (WARM_REPS + 2);
    const ratio = engine!.median / openssh!.median;
    return [
      {
        label: 'warm status, one open connection (the extension)',
        orch: fmtMs(engine!.median),
        baseline: `${fmtMs(openssh!.median)} (ssh via ControlMaster)`,
        ratio,
        target: '≤ 0.60×',
        pass: ratio <= 0.6,
        raw: { engine, openssh },
      },
      {
        label: 'round trips per warm status',
        orch: roundTrips.toFixed(2),
        target: '1',
        pass: roundTrips === 1,
        raw: { roundTrips },
      },
    ];
  } finally {
    await runProc('ssh', [...host.sshArgs(master.concat(['-O', 'exit']))], { allowFail: true });
    rmSync(ctlDir, { recursive: true, force: true });
  }
}
