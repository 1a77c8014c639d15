/**
 * What the shared engine suite needs from a target: the real ShellTarget (local bash or SSH),
 * a config with a per-run log root, and helpers that run on the same host as the same user.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { OrchConfig } from '../../../src/core/config/types';
import { createEngine } from '../../../src/core/engine/engine';
import type { Engine } from '../../../src/core/engine/api';
import type { ShellTarget } from '../../../src/host/target';
import { isActive, type Job } from '../../../src/core/jobs/model';

export interface EngineFixture {
  label: string;
  target: ShellTarget;
  /** Config for this target with a per-run log root (absolute or `~/...`). */
  config(overrides?: Partial<OrchConfig>): OrchConfig;
  /** A fresh target of the same kind (e.g. with another PATH), when the fixture can make one. */
  targetWithPath?(path: string): ShellTarget;
  /** Restarts the SSH server mid-test (SSH fixtures only). */
  restartServer?(): Promise<void>;
  close(): Promise<void>;
}

/** Runs bash on the target host and returns stdout; throws on a non-zero status. */
export async function sh(target: ShellTarget, script: string, stdin?: string): Promise<string> {
  const res = await target.exec(script, stdin === undefined ? {} : { stdin });
  if (res.code !== 0) throw new Error(`host script failed (${res.code}): ${res.stderr}\n${script}`);
  return res.stdout.toString('utf8');
}

export function uniqueName(tag: string): string {
  return `it${randomBytes(3).toString('hex')}-${tag}`;
}

export function engineFor(fx: EngineFixture, overrides?: Partial<OrchConfig>, target?: ShellTarget): Engine {
  return createEngine(fx.config(overrides), target ?? fx.target, { reconnectWindowMs: 30_000 });
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function waitEnded(engine: Engine, name: string, timeoutMs = 15_000): Promise<Job> {
  return waitFor(`${name} to end`, async () => {
    const j = await engine.get(name);
    return j && !isActive(j.state) ? j : undefined;
  }, timeoutMs);
}

export function waitState(engine: Engine, name: string, state: Job['state'], timeoutMs = 15_000): Promise<Job> {
  return waitFor(`${name} to be ${state}`, async () => {
    const j = await engine.get(name);
    return j?.state === state ? j : undefined;
  }, timeoutMs);
}

/** Resolves the log root to an absolute path on the host. */
export async function absRoot(fx: EngineFixture): Promise<string> {
  const root = fx.config().logRoot;
  return root.startsWith('~/') ? `${(await sh(fx.target, 'printf %s "$HOME"'))}/${root.slice(2)}` : root;
}

/** Kills every tmux session whose name starts with `it` + this run's names, and removes crontab lines naming the root. */
export async function cleanupHost(fx: EngineFixture, names: string[], root: string): Promise<void> {
  await fx.target
    .exec(
      `IFS= read -r -d '' root
       while IFS= read -r -d '' n; do tmux kill-session -t "=$n" 2>/dev/null; done
       if command -v crontab >/dev/null && crontab -l 2>/dev/null | grep -qF -- "$root"; then
         crontab -l | grep -vF -- "$root" | crontab -
       fi
       exit 0`,
      { stdin: `${root}\0` + names.map((n) => `${n}\0`).join('') },
    )
    .catch(() => undefined);
}

/** The configuration of a local-target suite whose log root and workdir live under `dir`. */
export function localConfig(dir: string): OrchConfig {
  return {
    host: undefined, user: undefined, port: undefined, identityFile: undefined, knownHosts: '',
    strictHostKeyChecking: 'yes', logRoot: join(dir, 'logs'), logRetentionDays: 30,
    remoteWorkdir: join(dir, 'work'), project: 'it', slackWebhookUrl: undefined, maxParallel: undefined,
    retries: 0, logMode: 'private', workspaceRoot: dir, envFile: undefined, origin: {},
  };
}
