/**
 * Streaming a 200 MB log: `orch logs` (whole log) and `orch logs -f` (streamed) as cold
 * processes, the engine's follow in a process of its own (the extension's log channel path),
 * against `ssh host cat run.log > /dev/null`. Peak RSS is read inside each Node process. The
 * log travels packed (zstd from the host, src/host/lib/pack.sh); `ORCH_COMPRESS=0` runs of the
 * same commands, alternating with them, show what packing changes.
 */
import { performance } from 'node:perf_hooks';
import type { Built } from '../lib/build';
import type { BenchHost } from '../lib/host';
import { runProc } from '../lib/proc';
import type { Line } from '../lib/report';
import { fmtMs, summarize, timeRoundRobin, type Sample } from '../lib/stats';
import { isActive } from '../../src/core/jobs/model';

const REPS = 5;
const RSS_LIMIT_MB = 150;

interface Run {
  ms: number;
  rssMb?: number;
}

function rssFrom(stderr: string): number {
  const m = /BENCH_MAXRSS_KB=(\d+)/.exec(stderr);
  if (!m) throw new Error(`no RSS report in: ${stderr.slice(-500)}`);
  return Number(m[1]) / 1024;
}

export async function streaming(host: BenchHost, built: Built, log: (s: string) => void): Promise<Line[]> {
  const mb = host.bigLogBytes / 1e6;
  log(`streaming the ${mb.toFixed(0)} MB log (${REPS} rounds of 6 contenders)`);
  const timed = async (fn: () => Promise<number | undefined>): Promise<Run> => {
    const t0 = performance.now();
    const rssMb = await fn();
    return { ms: performance.now() - t0, rssMb };
  };
  const plainEnv = { ...host.cliEnv, ORCH_COMPRESS: '0' };
  const orchLogs = (flags: string[], env = host.cliEnv) => () =>
    timed(async () => {
      const r = await runProc(process.execPath, ['-r', built.children.reportRss, built.orchBin, 'logs', ...flags, host.bigLogJob], { cwd: host.cwd, env, discardStdout: true });
      return rssFrom(r.stderr);
    });
  const follow = () =>
    timed(async () => {
      const r = await runProc(process.execPath, [built.children.follow, JSON.stringify(host.config), host.bigLogJob]);
      const out = JSON.parse(r.stdout) as { bytes: number; maxRssKb: number };
      if (out.bytes !== host.bigLogBytes) throw new Error(`follow delivered ${out.bytes} bytes of ${host.bigLogBytes}`);
      return out.maxRssKb / 1024;
    });
  const sshCat = () =>
    timed(async () => {
      await runProc('ssh', [...host.sshArgs(['-o', 'ControlMaster=no', '-o', 'ControlPath=none']), 'cat', host.bigLogPath], { discardStdout: true });
      return undefined;
    });

  const contenders = [orchLogs([]), orchLogs(['-f']), follow, sshCat, orchLogs([], plainEnv), orchLogs(['-f'], plainEnv)];
  const runs: Run[][] = contenders.map(() => []);
  for (const c of contenders) await c(); // warm the page cache and the code paths once
  for (let i = 0; i < REPS; i++) for (let k = 0; k < contenders.length; k++) runs[k]!.push(await contenders[k]!());

  const times = runs.map((r) => summarize(r.map((x) => x.ms)));
  const rss = runs.map((r) => (r[0]?.rssMb === undefined ? undefined : Math.max(...r.map((x) => x.rssMb!))));
  const base = times[3]!;
  const mbps = (s: Sample) => `${(mb / (s.median / 1000)).toFixed(0)} MB/s`;
  const entry = (id: string, label: string, k: number, judged: boolean): Line[] => {
    const ratio = times[k]!.median / base.median;
    return [
      {
        id,
        label: `${label}: time`,
        orch: `${fmtMs(times[k]!.median)} (${mbps(times[k]!)})`,
        baseline: `${fmtMs(base.median)} (${mbps(base)}, ssh cat)`,
        ratio,
        target: judged ? '≤ 0.70×' : undefined,
        pass: judged ? ratio <= 0.7 : undefined,
        raw: { orch: times[k], openssh: base, bytes: host.bigLogBytes },
      },
      {
        id: `${id}-rss`,
        label: `${label}: peak RSS`,
        orch: `${rss[k]!.toFixed(0)} MB`,
        target: judged ? `< ${RSS_LIMIT_MB} MB` : undefined,
        pass: judged ? rss[k]! < RSS_LIMIT_MB : undefined,
        raw: { maxRssMb: rss[k] },
      },
    ];
  };
  return [
    ...entry('logs-f', `\`orch logs -f\` ${mb.toFixed(0)} MB > /dev/null (streamed)`, 1, true),
    ...entry('logs', `\`orch logs\` ${mb.toFixed(0)} MB > /dev/null (whole log)`, 0, true),
    ...entry('follow', `engine.follow ${mb.toFixed(0)} MB in its own process (extension path)`, 2, false),
    ...entry('logs-f-plain', `\`orch logs -f\` ${mb.toFixed(0)} MB with ORCH_COMPRESS=0 (not packed)`, 5, false),
    ...entry('logs-plain', `\`orch logs\` ${mb.toFixed(0)} MB with ORCH_COMPRESS=0 (not packed)`, 4, false),
  ];
}

const LINK_REPS = 3;

/**
 * The same log through the emulated link: what a user waits for there is bytes, so the
 * baselines are OpenSSH plain and compressed (`ssh -C`), and zstd piped by hand.
 */
export async function linkStreaming(host: BenchHost, built: Built, log: (s: string) => void): Promise<Line[]> {
  const { job, path, bytes } = host.linkLog;
  const mb = bytes / 1e6;
  const varied = await variedLog(host, log);
  log(`streaming the ${mb.toFixed(0)} MB logs (${host.route}; ${LINK_REPS} rounds of 8 contenders)`);
  const cold = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
  const orchLogs = (name: string, env = host.cliEnv) => () => runProc(process.execPath, [built.orchBin, 'logs', name], { cwd: host.cwd, env, discardStdout: true });
  const sshCat = (extra: string[], file = path) => () => runProc('ssh', [...host.sshArgs([...cold, ...extra]), 'cat', file], { discardStdout: true });
  const sshZstd = () => runProc('bash', ['-c', 'ssh "$@" | zstd -d -c', 'ssh', ...host.sshArgs(cold), `zstd -1 -c ${path}`], { discardStdout: true });
  const contenders = [orchLogs(job), sshCat([]), sshCat(['-C']), sshZstd, orchLogs(job, { ...host.cliEnv, ORCH_COMPRESS: '0' }), orchLogs(varied.job), sshCat([], varied.path), sshCat(['-C'], varied.path)];
  const [orch, plain, compressed, zstd, orchPlain, orchVaried, variedCat, variedC] = (await timeRoundRobin(LINK_REPS, contenders, 0)).map(summarize);
  const label = `\`orch logs\` of a ${mb.toFixed(0)} MB text log > /dev/null`;
  const vlabel = `\`orch logs\` of a ${(varied.bytes / 1e6).toFixed(0)} MB log of changing numbers (training-log lines) > /dev/null`;
  return [
    { id: 'link-logs', label, orch: fmtMs(orch!.median), baseline: `${fmtMs(plain!.median)} (ssh cat)`, ratio: orch!.median / plain!.median, target: '≤ 0.20×', pass: orch!.median / plain!.median <= 0.2, raw: { orch, openssh: plain, bytes } },
    { id: 'link-logs-c', label: `${label}, against \`ssh -C cat\``, orch: fmtMs(orch!.median), baseline: `${fmtMs(compressed!.median)} (ssh -C cat)`, ratio: orch!.median / compressed!.median, target: '≤ 0.60×', pass: orch!.median / compressed!.median <= 0.6, raw: { orch, openssh: compressed } },
    { id: 'link-zstd', label: `\`ssh host 'zstd -1 -c log' | zstd -d\` for scale`, orch: fmtMs(zstd!.median), raw: { zstd } },
    { id: 'link-logs-plain', label: `the same \`orch logs\` with ORCH_COMPRESS=0 (not packed)`, orch: fmtMs(orchPlain!.median), baseline: `${fmtMs(plain!.median)} (ssh cat)`, ratio: orchPlain!.median / plain!.median, raw: { orch: orchPlain, openssh: plain } },
    { id: 'link-logs-varied', label: vlabel, orch: fmtMs(orchVaried!.median), baseline: `${fmtMs(variedCat!.median)} (ssh cat)`, ratio: orchVaried!.median / variedCat!.median, raw: { orch: orchVaried, openssh: variedCat, bytes: varied.bytes, packedBytes: varied.packedBytes } },
    { id: 'link-logs-varied-c', label: `${vlabel}, against \`ssh -C cat\``, orch: fmtMs(orchVaried!.median), baseline: `${fmtMs(variedC!.median)} (ssh -C cat)`, ratio: orchVaried!.median / variedC!.median, raw: { orch: orchVaried, openssh: variedC } },
    { id: 'link-logs-varied-packed', label: 'that log packed by `zstd -1` on the host (the bytes that cross the link)', orch: `${(varied.packedBytes / 1e6).toFixed(1)} MB`, raw: { bytes: varied.packedBytes } },
  ];
}

/**
 * The bench's own logs repeat one line, which zstd packs 10,000:1; a training log's numbers
 * change on every line. This one (awk, seeded) packs about 6:1 with `zstd -1`, 5:1 with gzip -1.
 */
async function variedLog(host: BenchHost, log: (s: string) => void): Promise<{ job: string; path: string; bytes: number; packedBytes: number }> {
  const job = `bench-varied-${Math.random().toString(36).slice(2, 6)}`;
  const lines = Math.round(host.linkLog.bytes / 84); // its lines average 84 bytes
  log(`writing a ${(host.linkLog.bytes / 1e6).toFixed(0)} MB log of changing numbers (${job})`);
  await host.engine.run({ name: job, command: `awk 'BEGIN { srand(7); for (i = 0; i < ${lines}; i++) printf "2026-12-01 10:%02d:%02d step %d loss=%.5f lr=%.3e grad_norm=%.3f tok/s=%d\\n", (i / 600) % 60, (i / 10) % 60, i, rand() * 3, rand() * 1e-4, rand() * 10, 10000 + int(rand() * 90000) }'` });
  for (let i = 0; ; i++) {
    const j = await host.engine.get(job);
    if (j && !isActive(j.state)) {
      const r = await host.sshd.runAsUser(`stat -c %s ${j.logPath} && zstd -1 -c ${j.logPath} | wc -c`);
      const [bytes, packedBytes] = r.stdout.trim().split('\n').map(Number);
      return { job, path: j.logPath, bytes: bytes!, packedBytes: packedBytes! };
    }
    if (i > 600) throw new Error(`${job} did not end in 60 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
