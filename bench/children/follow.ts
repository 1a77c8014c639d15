/**
 * Child process: follows one finished job's log to its exit line with the engine over one ssh2
 * connection (the extension's log channel path) and discards the bytes. Prints JSON with the
 * time, the byte count and the peak RSS. Usage: node follow.js '<OrchConfig JSON>' <job name>
 */
import { performance } from 'node:perf_hooks';
import type { OrchConfig } from '../../src/core/config/types';
import { createEngine } from '../../src/core/engine/engine';
import { createSshTarget } from '../../src/core/ssh/sshTarget';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]!) as OrchConfig;
  const name = process.argv[3]!;
  const target = createSshTarget(config);
  const engine = createEngine(config, target);
  const t0 = performance.now();
  let bytes = 0;
  const job = await engine.follow(name, { onData: (c) => (bytes += c.length) });
  const ms = performance.now() - t0;
  await engine.close();
  process.stdout.write(JSON.stringify({ ms, bytes, state: job.state, maxRssKb: process.resourceUsage().maxRSS }) + '\n');
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
  process.exit(1);
});
