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
import { performance } from 'node:perf_hooks';
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
  log(`cold processes (${host.route}): orch status / list direct, first and through the helper; ssh cold and via ControlMaster (${reps} rounds)`);
  // A private socket directory, so the bench never meets the user's own helpers.
  const xdg = mkdtempSync(join(tmpdir(), 'orch-bench-xdg-'));
  const envWith = (persist: string): NodeJS.ProcessEnv => ({ ...host.cliEnv, XDG_RUNTIME_DIR: xdg, ORCH_CONNECTION_PERSIST: persist });
  const orchIn = (env: NodeJS.ProcessEnv, ...argv: string[]) => () => runProc(process.execPath, [built.orchBin, ...argv], { cwd: host.cwd, env, discardStdout: true });
  const direct = envWith('0');
  const reuse = envWith('600');
  const disconnect = orchIn(reuse, 'disconnect');
  const cold = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
  const ssh = () => runProc('ssh', [...host.sshArgs(cold), 'tmux', 'ls'], { discardStdout: true, allowFail: true });
  const sshListing = () => runProc('ssh', [...host.sshArgs(cold), listingCommand(host)], { discardStdout: true, allowFail: true });
  const nodeBare = () => runProc(process.execPath, ['-e', '0']);
  const cm = controlMaster(host);

  // Sanity: the figures mean something only if the commands do their job. Through the helper, as
  // a user's commands go by default: the first listing shapes orch's code cache (src/cli/start.ts).
  const listed = await runProc(process.execPath, [built.orchBin, 'list', '--json'], { cwd: host.cwd, env: reuse });
  const count = (JSON.parse(listed.stdout) as unknown[]).length;
  if (count < 50) throw new Error(`orch list --json shows ${count} jobs, expected at least 50`);

  const names = ['statusDirect', 'listDirect', 'statusFirst', 'statusHelper', 'listHelper', 'tmuxLs', 'listing', 'listingMaster', 'node', 'version', 'versionNoCache'] as const;
  const fns: Record<(typeof names)[number], () => Promise<unknown>> = {
    statusDirect: orchIn(direct, 'status'),
    listDirect: orchIn(direct, 'list', '--json'),
    statusFirst: orchIn(reuse, 'status'), // after a disconnect: starts the helper
    statusHelper: orchIn(reuse, 'status'),
    listHelper: orchIn(reuse, 'list', '--json'),
    tmuxLs: ssh,
    listing: sshListing,
    listingMaster: cm.run(listingCommand(host)),
    node: nodeBare,
    version: orchIn(direct, '--version'),
    versionNoCache: () => runProc(process.execPath, [built.orchBinNoCache, '--version'], { cwd: host.cwd, env: direct, discardStdout: true }),
  };
  const samples = Object.fromEntries(names.map((n) => [n, [] as number[]])) as Record<(typeof names)[number], number[]>;
  let bytesPerStatus: number | undefined;
  const steps = { config: [] as number[], status: [] as number[] };
  try {
    await cm.open();
    for (const n of names) await fns[n](); // warm the page cache and the code paths once
    for (let i = 0; i < reps; i++) {
      await disconnect();
      for (const n of names) {
        const t0 = performance.now();
        await fns[n]();
        samples[n].push(performance.now() - t0);
      }
    }
    // Where a status through the helper spends its time, step by step in a fresh process.
    await fns.statusHelper();
    for (let i = 0; i < 7; i++) {
      const o = JSON.parse((await runProc(process.execPath, [built.children.helperSteps, JSON.stringify(reuse), host.cwd])).stdout) as { configMs: number; statusMs: number; via: string };
      if (o.via !== 'helper') throw new Error(`the steps child went ${o.via}, not through the helper`);
      steps.config.push(o.configMs);
      steps.status.push(o.statusMs);
    }
    // What one status call sends to the host through the helper's open connection.
    if (host.link) {
      await fns.statusHelper();
      const before = host.link.stats.bytesUp;
      for (let i = 0; i < 5; i++) await fns.statusHelper();
      bytesPerStatus = (host.link.stats.bytesUp - before) / 5;
    }
  } finally {
    await disconnect().catch(() => undefined);
    await cm.close();
    rmSync(xdg, { recursive: true, force: true });
  }
  const s = Object.fromEntries(names.map((n) => [n, summarize(samples[n])])) as Record<(typeof names)[number], Sample>;
  const line = (id: string, label: string, o: Sample, base: Sample, baseName: string, limit?: number): Line => {
    const ratio = o.median / base.median;
    return {
      id,
      label,
      orch: fmtMs(o.median),
      baseline: `${fmtMs(base.median)} (${baseName})`,
      ratio,
      target: limit === undefined ? undefined : `≤ ${limit.toFixed(2)}×`,
      pass: limit === undefined ? undefined : ratio <= limit,
      raw: { orch: o, baseline: base, jobsInLogRoot: count },
    };
  };
  const link = onLink(host);
  const coldSsh = "cold ssh 'tmux ls; ls logs'";
  const lines: Line[] = [
    line('status-direct', `cold \`orch status\` (${count} jobs), direct connection (ORCH_CONNECTION_PERSIST=0)`, s.statusDirect, s.tmuxLs, 'ssh tmux ls', link ? undefined : 0.7),
    line('list-direct', 'cold `orch list --json`, direct connection', s.listDirect, s.tmuxLs, 'ssh tmux ls', link ? undefined : 0.7),
    line('status-first', 'first `orch status`, no helper yet (starts it)', s.statusFirst, s.listing, coldSsh, link ? 1.0 : undefined),
    line('status-helper', '`orch status`, a new process while the helper is up', s.statusHelper, s.listing, coldSsh, link ? 0.35 : undefined),
    line('status-helper-cm', '`orch status` through the helper, against a warm ControlMaster', s.statusHelper, s.listingMaster, "ssh 'tmux ls; ls logs' via ControlMaster", link ? 1.5 : undefined),
    line('list-helper', '`orch list --json` through the helper', s.listHelper, s.listing, coldSsh, link ? 1.0 : undefined),
    { id: 'ssh-listing', label: "cold `ssh host 'tmux ls; ls logs'` for scale", orch: fmtMs(s.listing.median), raw: { openssh: s.listing } },
  ];
  const sc = summarize(steps.config);
  const ss = summarize(steps.status);
  lines.push(
    { id: 'helper-step-config', label: 'of which (a new process, helper up): loading the configuration', orch: fmtMs(sc.median), raw: { config: sc } },
    { id: 'helper-step-status', label: 'of which (a new process, helper up): the status call through the helper', orch: fmtMs(ss.median), raw: { status: ss } },
  );
  if (bytesPerStatus !== undefined) {
    lines.push({ id: 'bytes-status', label: 'bytes sent to the host per `orch status` (helper up)', orch: `${(bytesPerStatus / 1024).toFixed(1)} KB`, target: '≤ 2 KB', pass: bytesPerStatus <= 2048, raw: { bytesPerStatus } });
  }
  if (!link) {
    lines.push(
      { id: 'node', label: 'of which: `node -e 0` (Node start-up alone)', orch: fmtMs(s.node.median), baseline: fmtMs(s.tmuxLs.median), ratio: s.node.median / s.tmuxLs.median, raw: { node: s.node } },
      { id: 'version', label: 'of which: `orch --version` (start-up + loading the bundle, no connection)', orch: fmtMs(s.version.median), baseline: fmtMs(s.tmuxLs.median), ratio: s.version.median / s.tmuxLs.median, raw: { orchVersion: s.version } },
      { id: 'version-nocache', label: '`orch --version` with the bundle compiled at start (no code cache), for scale', orch: fmtMs(s.versionNoCache.median), raw: { orchVersionNoCache: s.versionNoCache } },
    );
  }
  return lines;
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
        id: 'warm-status',
        label: 'warm status, one open connection (the extension)',
        orch: fmtMs(engine!.median),
        baseline: `${fmtMs(openssh!.median)} (ssh via ControlMaster)`,
        ratio,
        target: limit === undefined ? undefined : `≤ ${limit.toFixed(2)}×`,
        pass: limit === undefined ? undefined : ratio <= limit,
        raw: { engine, openssh },
      },
      {
        id: 'warm-round-trips',
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
