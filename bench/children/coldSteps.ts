/**
 * Child process: the steps of a cold `orch status` after Node has started and the bundle is
 * loaded, timed one by one in a fresh process: configuration, host resolution (`ssh -G`), the
 * first SSH connection (TCP, key exchange, auth and one exec), then the status call itself.
 * Usage: node coldSteps.js '<env JSON>' <cwd>
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/core/config/resolve';
import { createEngine } from '../../src/core/engine/engine';
import { createSshTarget } from '../../src/core/ssh/sshTarget';

async function main(): Promise<void> {
  const env = JSON.parse(process.argv[2]!) as NodeJS.ProcessEnv;
  const cwd = process.argv[3]!;
  const t0 = performance.now();
  const config = await loadConfig({ cwd, env });
  const t1 = performance.now();
  const target = createSshTarget(config);
  await target.resolved();
  const t2 = performance.now();
  await target.exec('true');
  const t3 = performance.now();
  await createEngine(config, target).status();
  const t4 = performance.now();
  await target.close();
  process.stdout.write(JSON.stringify({ configMs: t1 - t0, resolveMs: t2 - t1, connectMs: t3 - t2, statusMs: t4 - t3 }) + '\n');
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
  process.exit(1);
});
