/**
 * `npm run bench`: orch against OpenSSH on one loopback sshd, side by side in one run.
 * Prints a markdown table with PASS/MISS per target and writes bench/results/latest.json.
 * Must run as root (the sshd harness creates a test user). Takes 2–4 minutes.
 * `npm run bench -- --only warm,cold,stream` runs only those sections (while working on one;
 * the published table is always a whole run). Sections: extension, warm, cold, stream, causes.
 */
import { join } from 'node:path';
import { buildAll, REPO, type Built } from './lib/build';
import { prepareHost, type BenchHost } from './lib/host';
import { machineLine, markdownTable, writeJson, type Line } from './lib/report';
import { coldListing, warmListing } from './sections/latency';
import { streaming } from './sections/stream';
import { extensionFigures } from './sections/extension';
import { cipherCauses, coldCauses, followCauses, requireCauses, warmCauses, watcherCause } from './sections/causes';

const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);

const onlyArg = process.argv.indexOf('--only');
const only = onlyArg >= 0 ? new Set((process.argv[onlyArg + 1] ?? '').split(',')) : undefined;
const want = (section: string): boolean => only === undefined || only.has(section);

async function main(): Promise<number> {
  const started = Date.now();
  const machine = machineLine();
  log(machine);
  let built: Built | undefined;
  let host: BenchHost | undefined;
  const lines: Line[] = [];
  try {
    log('building the production bundles and the child scripts');
    built = await buildAll();
    if (want('extension')) lines.push(...(await extensionFigures(built, log)));
    if (want('causes')) lines.push(...(await requireCauses(built, log)));
    host = await prepareHost(log);
    if (want('warm')) lines.push(...(await warmListing(host, log)));
    if (want('causes')) lines.push(...(await warmCauses(host, log)));
    if (want('cold')) lines.push(...(await coldListing(host, built, log)));
    if (want('causes')) lines.push(...(await coldCauses(host, built, log)));
    if (want('stream')) lines.push(...(await streaming(host, built, log)));
    if (want('causes')) lines.push(...(await followCauses(host, log)));
    if (want('causes') || want('stream')) lines.push(...watcherCause(host.bigLogBytes, log));
    if (want('causes')) lines.push(...(await cipherCauses(host, built, log)));
  } finally {
    await host?.close().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    built?.dispose();
  }
  const table = markdownTable(lines);
  const misses = lines.filter((l) => l.pass === false).length;
  const judged = lines.filter((l) => l.pass !== undefined).length;
  process.stdout.write(`\n${machine}\n\n${table}\n\n${judged - misses}/${judged} targets met (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  const file = join(REPO, only ? 'bench/results/partial.json' : 'bench/results/latest.json');
  writeJson(file, { date: new Date().toISOString(), machine, lines, markdown: table });
  log(`wrote ${file}`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`bench failed: ${String((e as Error)?.stack ?? e)}\n`);
    process.exit(1);
  },
);
