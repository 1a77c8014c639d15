/**
 * Starts the connection helper as a real detached process: orch itself (`orch
 * __connection-helper`), its own session, no terminal, cwd `/`. What it needs arrives on its
 * stdin (the configuration is not secret, but argv is visible to every user of the machine);
 * it says `listening` or `running` on stdout once the socket answers, and nothing else ever.
 */
import { spawn } from 'node:child_process';
import type { HelperSpec } from '../core/ssh/helper/server';

const READY_TIMEOUT_MS = 10_000;

/** What the helper needs of the environment (ssh -G, the agent, homes), and nothing else: it lives on. */
const KEPT = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LC_\w+|TZ|TMPDIR|XDG_RUNTIME_DIR|SSH_AUTH_SOCK|ORCH_DEBUG|ELECTRON_RUN_AS_NODE)$/;

function helperEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => KEPT.test(k)));
}

export function helperSpawner(self: readonly string[], env: NodeJS.ProcessEnv): (spec: HelperSpec) => Promise<boolean> {
  return (spec) =>
    new Promise<boolean>((resolve) => {
      const child = spawn(self[0]!, [...self.slice(1), '__connection-helper'], {
        detached: true,
        stdio: ['pipe', 'pipe', 'ignore'],
        cwd: '/',
        env: helperEnv(env),
      });
      let out = '';
      let settled = false;
      const settle = (ok: boolean): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        child.stdout!.destroy();
        child.unref();
        resolve(ok);
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle(false);
      }, READY_TIMEOUT_MS);
      child.once('error', () => settle(false));
      child.once('exit', () => settle(/^(listening|running)\n/.test(out)));
      child.stdout!.setEncoding('utf8').on('data', (s: string) => {
        out += s;
        if (out.includes('\n')) settle(/^(listening|running)\n/.test(out));
      });
      child.stdin!.on('error', () => undefined);
      child.stdin!.end(JSON.stringify(spec));
    });
}
