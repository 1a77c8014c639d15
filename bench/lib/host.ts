/**
 * The benchmark's host: a real OpenSSH sshd on loopback (the integration-test harness), an
 * engine over one ssh2 connection, the jobs the measurements need, and the OpenSSH client
 * arguments a user's own scripts would use against the same server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrchConfig } from '../../src/core/config/types';
import type { Engine } from '../../src/core/engine/api';
import { createEngine } from '../../src/core/engine/engine';
import type { ShellTarget } from '../../src/host/target';
import { isActive } from '../../src/core/jobs/model';
import { createSshTarget } from '../../src/core/ssh/sshTarget';
import { orchEnvOf, startSshd, type TestSshd } from '../../test/integration/harness/sshd';

export const FINISHED_JOBS = 50;
export const BIG_LOG_BYTES = 200_000_000;

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
  const ssh = createSshTarget(config);
  const target = {
    host: ssh.host,
    execCount: 0,
    exec(script: string, opts?: Parameters<ShellTarget['exec']>[1]) {
      target.execCount++;
      return ssh.exec(script, opts);
    },
    close: () => ssh.close(),
  };
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
  await engine.run({ name: `bench-${tag}-running`, command: 'sleep 900' });
  await waitAllEnded(engine, [...names, bigLogJob], 180_000);
  const big = await engine.get(bigLogJob);
  const bigLogPath = big!.logPath;
  const size = await sshd.runAsUser(`stat -c %s ${bigLogPath}`);
  const bigLogBytes = Number(size.stdout.trim());

  const c = config;
  const cwd = mkdtempSync(join(tmpdir(), 'orch-bench-cwd-'));
  const cliEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    LANG: process.env.LANG ?? 'C.UTF-8',
    ...orchEnvOf(c),
    ORCH_PROJECT: 'bench',
  };
  const sshArgs = (extra: string[] = []): string[] => [
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
  return {
    sshd,
    config,
    engine,
    target,
    cliEnv,
    cwd,
    sshArgs,
    bigLogJob,
    bigLogPath,
    bigLogBytes,
    async close() {
      await engine.stopAll().catch(() => undefined);
      await engine.close().catch(() => undefined);
      // The engine installed a retention cron entry for this log root; the root goes away now.
      const abs = config.logRoot.replace(/^~\//, `${sshd.home}/`);
      await sshd.runAsUser(`crontab -l 2>/dev/null | grep -vF -- '${abs}' | crontab - 2>/dev/null; exit 0`).catch(() => undefined);
      await sshd.stop();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}
