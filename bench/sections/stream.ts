/**
 * Streaming a 200 MB log: `orch logs` (whole log) and `orch logs -f` (streamed) as cold
 * processes, the engine's follow in a process of its own (the extension's log channel path),
 * against `ssh host cat run.log > /dev/null`. Peak RSS is read inside each Node process.
 */
import { performance } from 'node:perf_hooks';
import type { Built } from '../lib/build';
import type { BenchHost } from '../lib/host';
import { runProc } from '../lib/proc';
import type { Line } from '../lib/report';
import { fmtMs, summarize, timeRoundRobin, type Sample } from '../lib/stats';

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
  log(`streaming the ${mb.toFixed(0)} MB log (${REPS} rounds of 4 contenders)`);
  const timed = async (fn: () => Promise<number | undefined>): Promise<Run> => {
    const t0 = performance.now();
    const rssMb = await fn();
    return { ms: performance.now() - t0, rssMb };
  };
  const orchLogs = (...flags: string[]) => () =>
    timed(async () => {
      const r = await runProc(process.execPath, ['-r', built.children.reportRss, built.orchBin, 'logs', ...flags, host.bigLogJob], { cwd: host.cwd, env: host.cliEnv, discardStdout: true });
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

  const contenders = [orchLogs(), orchLogs('-f'), follow, sshCat];
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
  log(`streaming the ${mb.toFixed(0)} MB log (${host.route}; ${LINK_REPS} rounds of 4 contenders)`);
  const cold = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];
  const orchLogs = () => runProc(process.execPath, [built.orchBin, 'logs', job], { cwd: host.cwd, env: host.cliEnv, discardStdout: true });
  const sshCat = (extra: string[]) => () => runProc('ssh', [...host.sshArgs([...cold, ...extra]), 'cat', path], { discardStdout: true });
  const sshZstd = () => runProc('bash', ['-c', 'ssh "$@" | zstd -d -c', 'ssh', ...host.sshArgs(cold), `zstd -1 -c ${path}`], { discardStdout: true });
  const [orch, plain, compressed, zstd] = (await timeRoundRobin(LINK_REPS, [orchLogs, sshCat([]), sshCat(['-C']), sshZstd], 0)).map(summarize);
  const label = `\`orch logs\` of a ${mb.toFixed(0)} MB text log > /dev/null`;
  return [
    { id: 'link-logs', label, orch: fmtMs(orch!.median), baseline: `${fmtMs(plain!.median)} (ssh cat)`, ratio: orch!.median / plain!.median, target: '≤ 0.20×', pass: orch!.median / plain!.median <= 0.2, raw: { orch, openssh: plain, bytes } },
    { id: 'link-logs-c', label: `${label}, against \`ssh -C cat\``, orch: fmtMs(orch!.median), baseline: `${fmtMs(compressed!.median)} (ssh -C cat)`, ratio: orch!.median / compressed!.median, target: '≤ 0.60×', pass: orch!.median / compressed!.median <= 0.6, raw: { orch, openssh: compressed } },
    { id: 'link-zstd', label: `\`ssh host 'zstd -1 -c log' | zstd -d\` for scale`, orch: fmtMs(zstd!.median), raw: { zstd } },
  ];
}
