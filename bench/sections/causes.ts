/**
 * Where the time goes, measured rather than guessed, for the figures the targets are about:
 * the warm status split into transport and host script, the cold CLI split into its steps, the
 * ssh2 cipher throughput, and what loading the bundle's dependencies costs.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../../src/core/engine/engine';
import { createLogWatcher } from '../../src/core/guardrails';
import { HOST_LIB, HOST_LIB_NAME, HOST_LIST_SLICE, callScript } from '../../src/host/library';
import { createLocalTarget } from '../../src/host/localTarget';
import type { Built } from '../lib/build';
import type { BenchHost } from '../lib/host';
import { runProc } from '../lib/proc';
import type { Line } from '../lib/report';
import { fmtBytes, fmtMs, summarize, timeReps, timeRoundRobin } from '../lib/stats';

export async function warmCauses(host: BenchHost, log: (s: string) => void): Promise<Line[]> {
  log('causes: warm status = transport + host script');
  const transport = summarize(await timeReps(30, () => host.target.exec('true'), 2));
  // The status script itself, run by bash in a shell loop (no Node spawn in the figure).
  const dir = mkdtempSync(join(tmpdir(), 'orch-bench-list-'));
  const script = join(dir, 'list.sh');
  writeFileSync(script, callScript('list'), { mode: 0o644 });
  // The empty root has the library too, so both runs time the status script, not its absence.
  mkdirSync(join(dir, 'empty', '.orch'), { recursive: true });
  writeFileSync(join(dir, 'empty', '.orch', HOST_LIB_NAME), HOST_LIB, { mode: 0o644 });
  writeFileSync(join(dir, 'empty', '.orch', `${HOST_LIB_NAME}.list`), HOST_LIST_SLICE, { mode: 0o644 });
  chmodSync(dir, 0o755); // the script runs as the job user, like on the host
  const root = host.config.logRoot.replace(/^~\//, `${host.sshd.home}/`);
  const perRun = async (logRoot: string): Promise<number> => {
    const reps = 20;
    const r = await host.sshd.runAsUser(`s=$(date +%s%N); for i in $(seq ${reps}); do printf '%s\\0\\0active\\0' '${logRoot}' | bash '${script}' >/dev/null; done; echo $(( ($(date +%s%N) - s) / ${reps} ))`);
    return Number(r.stdout.trim()) / 1e6;
  };
  const full: number[] = [];
  const empty: number[] = [];
  for (let i = 0; i < 3; i++) {
    full.push(await perRun(root));
    empty.push(await perRun(join(dir, 'empty')));
  }
  const bare = Number((await host.sshd.runAsUser('s=$(date +%s%N); for i in $(seq 20); do bash -c true; done; echo $(( ($(date +%s%N) - s) / 20 ))')).stdout.trim()) / 1e6;
  rmSync(dir, { recursive: true, force: true });
  const f = summarize(full);
  const e = summarize(empty);
  return [
    { label: 'of which: one exec of `true` on the open connection (transport + bash start)', orch: fmtMs(transport.median), raw: { transport } },
    { label: 'of which: the status script alone (bash on the host, same log root, shell loop)', orch: fmtMs(f.median), raw: { script: f } },
    { label: 'the status script on an empty log root (its fixed cost); `bash -c true` for scale', orch: fmtMs(e.median), baseline: `${fmtMs(bare)} (bash -c true)`, raw: { fixed: e, bashTrue: bare } },
  ];
}

export async function coldCauses(host: BenchHost, built: Built, log: (s: string) => void): Promise<Line[]> {
  log('causes: the steps of a cold orch status');
  const steps: Record<string, number[]> = { configMs: [], resolveMs: [], connectMs: [], statusMs: [] };
  for (let i = 0; i < 10; i++) {
    const r = await runProc(process.execPath, [built.children.coldSteps, JSON.stringify(host.cliEnv), host.cwd]);
    const o = JSON.parse(r.stdout) as Record<string, number>;
    for (const k of Object.keys(steps)) steps[k]!.push(o[k]!);
  }
  const s = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, summarize(v)]));
  return [
    { id: 'step-config', label: 'cold step: configuration (env, env file lookup)', orch: fmtMs(s.configMs!.median), raw: s.configMs! as unknown as Record<string, unknown> },
    { id: 'step-resolve', label: 'cold step: host resolution (`ssh -G`)', orch: fmtMs(s.resolveMs!.median), raw: s.resolveMs! as unknown as Record<string, unknown> },
    { id: 'step-connect', label: 'cold step: first connection (TCP, kex, auth, one exec), JIT cold', orch: fmtMs(s.connectMs!.median), raw: s.connectMs! as unknown as Record<string, unknown> },
    { id: 'step-status', label: 'cold step: the status call on it', orch: fmtMs(s.statusMs!.median), raw: s.statusMs! as unknown as Record<string, unknown> },
  ];
}

/** The engine's follow of the finished 200 MB log with a local bash: the host side without SSH. */
export async function followCauses(host: BenchHost, log: (s: string) => void): Promise<Line[]> {
  log('causes: the follow script on the host side alone');
  const root = host.config.logRoot.replace(/^~\//, `${host.sshd.home}/`);
  const local = createEngine({ ...host.config, logRoot: root }, createLocalTarget());
  const times = await timeRoundRobin(3, [() => local.follow(host.bigLogJob, { onData: () => undefined })], 1);
  await local.close();
  const s = summarize(times[0]!);
  const catIntoNode = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn('cat', [host.bigLogPath], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.stdout.on('data', () => undefined);
      child.once('error', reject);
      child.once('close', () => resolve());
    });
  const cat = summarize((await timeRoundRobin(3, [catIntoNode], 1))[0]!);
  return [
    {
      label: 'of which: engine.follow of the finished log through a local bash (no SSH)',
      orch: fmtMs(s.median),
      baseline: `${fmtMs(cat.median)} (Node reading \`cat\` through a pipe)`,
      ratio: s.median / cat.median,
      raw: { follow: s, catIntoNode: cat },
    },
  ];
}

/** The CLI's follow runs every chunk through the guardrail watcher (L1 patterns): its cost alone. */
export function watcherCause(bytes: number, log: (s: string) => void): Line[] {
  log('causes: the log watcher of orch logs -f / run --wait, in memory');
  const line = 'bench log line: the quick brown fox jumps over the lazy dog 0123456789 abcdef\n';
  const chunk = Buffer.from(line.repeat(Math.floor(65536 / line.length)));
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const watcher = createLogWatcher();
    const t0 = performance.now();
    for (let done = 0; done < bytes; done += chunk.length) watcher.push(chunk);
    watcher.end();
    runs.push(performance.now() - t0);
  }
  const s = summarize(runs);
  return [{ label: `of which: the guardrail log watcher over ${(bytes / 1e6).toFixed(0)} MB in memory (default patterns)`, orch: fmtMs(s.median), raw: { watcher: s } }];
}

export async function cipherCauses(host: BenchHost, built: Built, log: (s: string) => void): Promise<Line[]> {
  log('causes: ssh2 throughput per cipher');
  const c = host.config;
  const r = await runProc(process.execPath, [built.children.cipher, JSON.stringify({ host: c.host, port: c.port, user: c.user, identityFile: c.identityFile, file: host.bigLogPath })]);
  const out = JSON.parse(r.stdout) as Record<string, { mbps: number; negotiated: string }>;
  return Object.entries(out).map(([cipher, v]) => ({
    label: `raw ssh2 \`cat\` of the log, cipher ${cipher === 'default' ? `negotiated by default (${v.negotiated})` : cipher}`,
    orch: `${v.mbps.toFixed(0)} MB/s`,
    raw: { cipher, ...v },
  }));
}

export async function requireCauses(built: Built, log: (s: string) => void): Promise<Line[]> {
  log('causes: load time of the bundles\' dependencies (each minified into one file, as in the bundle)');
  const lines: Line[] = [];
  for (const [label, file] of Object.entries(built.deps)) {
    const times: number[] = [];
    for (let i = 0; i < 7; i++) times.push(Number((await runProc(process.execPath, [built.children.requireCost, file])).stdout));
    const s = summarize(times);
    lines.push({ label: `of which: loading ${label} alone (${fmtBytes(statSync(file).size)} minified)`, orch: fmtMs(s.median), raw: { deps: label, ...s } });
  }
  return lines;
}
