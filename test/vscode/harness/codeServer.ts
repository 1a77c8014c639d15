/**
 * A fresh code-server (the real VS Code workbench and server-side extension host) on a free
 * loopback port, with its own user-data and extensions dirs. Killed with its process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { WorkbenchTools } from './tools';

export const WORKBENCH_SETTINGS = {
  'workbench.startupEditor': 'none',
  'telemetry.telemetryLevel': 'off',
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'git.enabled': false,
  'workbench.enableExperiments': false,
  'npm.fetchOnlinePackageInfo': false,
  'security.workspace.trust.startupPrompt': 'never',
  'security.workspace.trust.banner': 'always',
};

export interface CodeServerOptions {
  /** Scratch dir for user data, extensions and logs. */
  dir: string;
  /** Workspace trust on (Restricted Mode possible) or off (every folder trusted). */
  trust?: boolean;
  /** The test driver, needed for the `payload` parameter (extension tests). */
  smokeTestDriver?: boolean;
  /** A .vsix to install first. */
  vsix?: string;
  env?: Record<string, string>;
  settings?: Record<string, unknown>;
}

export interface CodeServer {
  url: string;
  port: number;
  userDataDir: string;
  logFile: string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): ChildProcess {
  const out = openSync(logFile, 'a');
  return spawn(cmd, args, { env, stdio: ['ignore', out, out], detached: true });
}

export async function startCodeServer(tools: WorkbenchTools, o: CodeServerOptions): Promise<CodeServer> {
  const userDataDir = join(o.dir, 'user-data');
  const extensionsDir = join(o.dir, 'extensions');
  const tmp = join(o.dir, 'tmp');
  for (const d of [join(userDataDir, 'User'), extensionsDir, tmp]) mkdirSync(d, { recursive: true });
  writeFileSync(join(userDataDir, 'User/settings.json'), JSON.stringify({ ...WORKBENCH_SETTINGS, 'security.workspace.trust.enabled': o.trust === true, ...o.settings }, null, 2));
  const logFile = join(o.dir, 'code-server.log');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${tools.node24Bin}:${process.env.PATH}`,
    XDG_CONFIG_HOME: join(o.dir, 'xdg/config'),
    XDG_DATA_HOME: join(o.dir, 'xdg/data'),
    XDG_CACHE_HOME: join(o.dir, 'xdg/cache'),
    // VS Code leaves vscode-ipc-*.sock files in the temp dir: keep them in our scratch dir
    TMPDIR: tmp,
    ...o.env,
  };
  delete env.NODE_OPTIONS; // tsx's loader must not leak into the extension host
  // the workspace's .orchestration-kit.env decides, as for a user who did not export it
  if (!o.env?.COMPUTE_TARGET) delete env.COMPUTE_TARGET;
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  if (o.vsix) {
    const install = run(tools.codeServer, [...common, '--install-extension', o.vsix], env, logFile);
    const code = await new Promise<number | null>((r) => install.on('exit', r));
    if (code !== 0) throw new Error(`installing ${o.vsix} into code-server failed (see ${logFile})`);
  }
  const port = await freePort();
  const args = [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check',
    '--disable-getting-started-override', '--ignore-last-opened', ...common,
  ];
  if (!o.trust) args.push('--disable-workspace-trust');
  if (o.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const child = run(tools.codeServer, args, env, logFile);
  const url = `http://127.0.0.1:${port}/`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      return;
    }
    const t = setTimeout(() => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    }, 5000);
    await exited;
    clearTimeout(t);
  };
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} (see ${logFile})`);
    const ok = await fetch(`${url}healthz`).then((r) => r.ok, () => false);
    if (ok) return { url, port, userDataDir, logFile, stop };
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`code-server did not answer on ${url} within 60 s (see ${logFile})`);
}
