/**
 * Child process: how long one `require` of a file takes in a fresh Node process (path in argv),
 * to see which dependencies make loading the bundles slow. Prints the milliseconds.
 */
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const req = createRequire(__filename);
const t0 = performance.now();
req(process.argv[2]!);
process.stdout.write(String(performance.now() - t0) + '\n');
