/**
 * Child process: the steps of `orch status` in a new process while the host's connection helper
 * is up, timed one by one: configuration, then the status call through the helper (one round
 * trip to the host and back through the helper's socket).
 * Usage: node helperSteps.js '<env JSON>' <cwd>   (env has XDG_RUNTIME_DIR of the running helper)
 */
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../src/core/config/resolve';
import { createEngine } from '../../src/core/engine/engine';
import { createReusingTarget } from '../../src/core/ssh/helper/reusingTarget';
import { persistSeconds, socketDirFor } from '../../src/core/ssh/helper/socketDir';

async function main(): Promise<void> {
  const env = JSON.parse(process.argv[2]!) as NodeJS.ProcessEnv;
  const cwd = process.argv[3]!;
  const t0 = performance.now();
  const config = await loadConfig({ cwd, env });
  const t1 = performance.now();
  const target = createReusingTarget(config, {
    dir: socketDirFor(env),
    persistSeconds: persistSeconds(env),
    spawnHelper: () => Promise.resolve(false),
    direct: () => {
      throw new Error('the helper is not up');
    },
  });
  await createEngine(config, target).status();
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ configMs: t1 - t0, statusMs: t2 - t1, via: target.via }) + '\n');
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
  process.exit(1);
});
