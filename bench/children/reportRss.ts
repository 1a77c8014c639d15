/**
 * Preloaded with `node -r` into a measured process: on exit, writes the process's peak resident
 * set size to stderr as `BENCH_MAXRSS_KB=N` (process.resourceUsage().maxRSS is in kilobytes).
 */
import { writeSync } from 'node:fs';

process.on('exit', () => {
  writeSync(2, `\nBENCH_MAXRSS_KB=${process.resourceUsage().maxRSS}\n`);
});
