/**
 * `npm run bench`: orch against OpenSSH (and rsync) on one sshd, side by side in one run, on
 * loopback and again through an emulated WAN link (a delaying, pacing TCP proxy; both clients
 * go through the same one). Prints markdown tables with PASS/MISS per target and writes
 * bench/results/latest.json. Must run as root (the sshd harness creates a test user).
 *
 * Flags: `--only extension,warm,cold,stream,sync,causes` runs only those sections (while working
 * on one; the published tables are always a whole run); `--link-delay MS` (one way, default 20)
 * and `--link-mbit N` (default 100) shape the link; `--no-link` measures loopback only.
 */
import { join } from 'node:path';
import { buildAll, REPO, type Built } from './lib/build';
import { prepareHost, type BenchHost } from './lib/host';
import { startLinkProxy, type LinkProxy } from './lib/linkProxy';
import { machineLine, markdownTables, writeJson, type Line } from './lib/report';
import { coldListing, warmListing } from './sections/latency';
import { linkStreaming, streaming } from './sections/stream';
import { syncSection } from './sections/sync';
import { extensionFigures } from './sections/extension';
import { cipherCauses, coldCauses, followCauses, requireCauses, warmCauses, watcherCause } from './sections/causes';

const log = (s: string): void => void process.stderr.write(`bench: ${s}\n`);

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function numberFlag(name: string, fallback: number): number {
  const v = flag(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} wants a number, got "${v}"`);
  return n;
}

const onlyFlag = flag('--only');
const only = onlyFlag !== undefined ? new Set(onlyFlag.split(',')) : undefined;
const want = (section: string): boolean => only === undefined || only.has(section);
const link = process.argv.includes('--no-link') ? undefined : { oneWayMs: numberFlag('--link-delay', 20), mbitPerSec: numberFlag('--link-mbit', 100) };

/** The sections measured on every route (loopback, then the link). */
async function routeSections(host: BenchHost, built: Built): Promise<Line[]> {
  const lines: Line[] = [];
  const loop = host.route === 'loopback';
  if (want('warm')) lines.push(...(await warmListing(host, log)));
  if (want('causes') && loop) lines.push(...(await warmCauses(host, log)));
  if (want('cold')) lines.push(...(await coldListing(host, built, log)));
  if (want('causes') && loop) lines.push(...(await coldCauses(host, built, log)));
  if (want('stream')) lines.push(...(loop ? await streaming(host, built, log) : await linkStreaming(host, built, log)));
  if (want('causes') && loop) lines.push(...(await followCauses(host, log)));
  if (want('sync')) lines.push(...(await syncSection(host, built, log)));
  return lines.map((l) => ({ route: host.route, ...l }));
}

async function main(): Promise<number> {
  const started = Date.now();
  const machine = machineLine();
  log(machine);
  let built: Built | undefined;
  let host: BenchHost | undefined;
  let proxy: LinkProxy | undefined;
  let viaLink: BenchHost | undefined;
  const lines: Line[] = [];
  try {
    log('building the production bundles and the child scripts');
    built = await buildAll();
    if (want('extension')) lines.push(...(await extensionFigures(built, log)));
    if (want('causes')) lines.push(...(await requireCauses(built, log)));
    host = await prepareHost(log);
    lines.push(...(await routeSections(host, built)));
    if (want('causes') || want('stream')) lines.push(...watcherCause(host.bigLogBytes, log));
    if (want('causes')) lines.push(...(await cipherCauses(host, built, log)));
    if (link) {
      proxy = await startLinkProxy({ targetHost: host.config.host!, targetPort: host.config.port!, ...link });
      viaLink = await host.through(proxy);
      lines.push(...(await routeSections(viaLink, built)));
    }
  } finally {
    await viaLink?.close().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    await proxy?.close();
    await host?.close().catch((e: unknown) => log(`cleanup: ${String(e)}`));
    built?.dispose();
  }
  const tables = markdownTables(lines);
  const misses = lines.filter((l) => l.pass === false).length;
  const judged = lines.filter((l) => l.pass !== undefined).length;
  process.stdout.write(`\n${machine}\n\n${tables}\n\n${judged - misses}/${judged} targets met (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  const file = join(REPO, only ? 'bench/results/partial.json' : 'bench/results/latest.json');
  writeJson(file, { date: new Date().toISOString(), machine, link: link ?? null, only: only ? [...only] : null, lines, markdown: tables });
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
