/**
 * The benchmark's host: a real OpenSSH sshd on loopback (the integration-test harness), an
 * engine over one ssh2 connection, the jobs the measurements need, and the OpenSSH client
 * arguments a user's own scripts would use against the same server. `through(link)` gives the
 * same host reached through the emulated WAN link, for orch and OpenSSH alike.
 */
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchConfig } from '../../src/core/config/types';
import type { Engine } from '../../src/core/engine/api';
import { createEngine } from '../../src/core/engine/engine';
import type { ShellTarget } from '../../src/host/target';
import { isActive } from '../../src/core/jobs/model';
import { createSshTarget } from '../../src/core/ssh/sshTarget';
import { helperControl } from '../../src/core/ssh/helper/client';
import { orchEnvOf, startSshd, type TestSshd } from '../../test/integration/harness/sshd';
import { describeLink, type LinkProxy } from './linkProxy';

export const FINISHED_JOBS = 50;
export const BIG_LOG_BYTES = 200_000_000;
/** The log streamed through the emulated link (200 MB at 100 Mbit/s would take 16 s a run). */
export const LINK_LOG_BYTES = 50_000_000;

export interface BenchHost {
  sshd: TestSshd;
  config: OrchConfig;
  engine: Engine;
  /** Engine scripts run through this target; `execCount` counts round trips. */
  target: ShellTarget & { execCount: number };
  /** Environment for a cold `orch` process pointing at this host. */
  cliEnv: NodeJS.ProcessEnv;
  /** An empty directory to run `orch` in (no scripts/cloud/.env above it). */
  cwd: string;
  /** `ssh` arguments up to and including `user@host`; add `ControlMaster` options before the host as needed. */
  sshArgs(extra?: string[]): string[];
  bigLogJob: string;
  bigLogPath: string;
  bigLogBytes: number;
  /** The smaller log measured through the emulated link. */
  linkLog: { job: string; path: string; bytes: number };
  /** `loopback`, or the link's description. */
  route: string;
  /** The emulated link this host is reached through (its byte counters), if any. */
  link?: LinkProxy;
  /** The same host through an emulated link (own engine and connection; close() ends those only). */
  through(link: LinkProxy): Promise<BenchHost>;
  close(): Promise<void>;
}

async function waitAllEnded(engine: Engine, names: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const wanted = new Set(names);
  while (Date.now() < deadline) {
    const jobs = await engine.list();
    const ended = jobs.filter((j) => wanted.has(j.name) && !isActive(j.state)).length;
    if (ended === wanted.size) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`benchmark jobs did not end within ${timeoutMs} ms`);
}

export async function prepareHost(log: (s: string) => void): Promise<BenchHost> {
  const sshd = await startSshd();
  const config = sshd.config({ project: 'bench' });
  const target = countingTarget(createSshTarget(config));
  const engine = createEngine(config, target);
  const tag = Math.random().toString(36).slice(2, 6);

  log(`creating ${FINISHED_JOBS} finished jobs, one running job and a ${BIG_LOG_BYTES / 1e6} MB log on ${config.host}:${config.port}`);
  const names = Array.from({ length: FINISHED_JOBS }, (_, i) => `bench-${tag}-done-${String(i).padStart(2, '0')}`);
  for (let i = 0; i < names.length; i += 8) {
    await Promise.all(names.slice(i, i + 8).map((name, k) => engine.run({ name, command: `echo job ${i + k}; exit ${(i + k) % 7 === 0 ? 1 : 0}` })));
  }
  const bigLogJob = `bench-${tag}-biglog`;
  // Realistic text lines (~80 bytes), written through the job's own tee into run.log.
  await engine.run({ name: bigLogJob, command: `yes 'bench log line: the quick brown fox jumps over the lazy dog 0123456789 abcdef' | head -c ${BIG_LOG_BYTES}` });
  const linkLogJob = `bench-${tag}-linklog`;
  await engine.run({ name: linkLogJob, command: `yes 'bench log line: the quick brown fox jumps over the lazy dog 0123456789 abcdef' | head -c ${LINK_LOG_BYTES}` });
  await engine.run({ name: `bench-${tag}-running`, command: 'sleep 900' });
  await waitAllEnded(engine, [...names, bigLogJob, linkLogJob], 180_000);
  const logOf = async (job: string): Promise<{ job: string; path: string; bytes: number }> => {
    const path = (await engine.get(job))!.logPath;
    const size = await sshd.runAsUser(`stat -c %s ${path}`);
    return { job, path, bytes: Number(size.stdout.trim()) };
  };
  const big = await logOf(bigLogJob);
  const bigLogPath = big.path;
  const bigLogBytes = big.bytes;
  const linkLog = await logOf(linkLogJob);

  const cwd = mkdtempSync(join(tmpdir(), 'orch-bench-cwd-'));
  const runDir = mkdtempSync(join(tmpdir(), 'orch-bench-run-'));
  const host: BenchHost = {
    sshd,
    config,
    engine,
    target,
    cliEnv: cliEnvOf(config, runDir),
    cwd,
    sshArgs: sshArgsOf(config),
    bigLogJob,
    bigLogPath,
    bigLogBytes,
    linkLog,
    route: 'loopback',
    async through(link: LinkProxy): Promise<BenchHost> {
      // A known_hosts line for the proxy's address: both clients then check the real host key.
      const knownHosts = join(cwd, `known_hosts.link-${link.port}`);
      copyFileSync(config.knownHosts, knownHosts);
      const keyLine = readFileSync(config.knownHosts, 'utf8').trim().split('\n')[0]!.split(/\s+/).slice(1).join(' ');
      appendFileSync(knownHosts, `[${link.host}]:${link.port} ${keyLine}\n`);
      const linkConfig: OrchConfig = { ...config, host: link.host, port: link.port, knownHosts };
      const linkTarget = countingTarget(createSshTarget(linkConfig));
      const linkEngine = createEngine(linkConfig, linkTarget);
      return {
        ...host,
        config: linkConfig,
        engine: linkEngine,
        target: linkTarget,
        cliEnv: cliEnvOf(linkConfig, runDir),
        sshArgs: sshArgsOf(linkConfig),
        route: describeLink(link.options),
        link,
        through: () => Promise.reject(new Error('one link at a time')),
        close: async () => {
          await endHelpers(runDir);
          await linkEngine.close();
        },
      };
    },
    async close() {
      await endHelpers(runDir);
      rmSync(runDir, { recursive: true, force: true });
      await engine.stopAll().catch(() => undefined);
      await engine.close().catch(() => undefined);
      // The engine installed a retention cron entry for this log root; the root goes away now.
      const abs = config.logRoot.replace(/^~\//, `${sshd.home}/`);
      await sshd.runAsUser(`crontab -l 2>/dev/null | grep -vF -- '${abs}' | crontab - 2>/dev/null; exit 0`).catch(() => undefined);
      await sshd.stop();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
  return host;
}

function countingTarget(ssh: ShellTarget): ShellTarget & { execCount: number } {
  const target = {
    host: ssh.host,
    execCount: 0,
    exec(script: string, opts?: Parameters<ShellTarget['exec']>[1]) {
      target.execCount++;
      return ssh.exec(script, opts);
    },
    close: () => ssh.close(),
  };
  return target;
}

/** A user's environment for `orch` at this host; its connection helpers live under `runDir`. */
function cliEnvOf(c: OrchConfig, runDir: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...orchEnvOf(c),
    ORCH_PROJECT: 'bench',
    XDG_RUNTIME_DIR: runDir,
    // orch's code cache and log cache of this run stay in it (not the user's ~/.cache)
    XDG_CACHE_HOME: join(runDir, 'cache'),
  };
}

/** Ends every connection helper the bench's commands started. */
async function endHelpers(runDir: string): Promise<void> {
  const dir = join(runDir, 'orch');
  const names = await readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.endsWith('.sock')).map((n) => helperControl(join(dir, n), 'exit')));
}

function sshArgsOf(c: OrchConfig): (extra?: string[]) => string[] {
  return (extra = []) => [
    '-F', '/dev/null',
    '-p', String(c.port),
    '-i', c.identityFile!,
    '-o', `UserKnownHostsFile=${c.knownHosts}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    ...extra,
    `${c.user}@${c.host}`,
  ];
}
