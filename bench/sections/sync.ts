/**
 * `orch run --sync` of a 3,000-file, ~24 MB source tree against `rsync -az` over the same sshd:
 * the first upload (nothing on the host), again with nothing changed, and with one file changed.
 * Both are whole cold processes, as a user runs them; the job `orch run` starts is `true`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Built } from '../lib/build';
import type { BenchHost } from '../lib/host';
import { runProc } from '../lib/proc';
import type { Line } from '../lib/report';
import { fmtMs, summarize } from '../lib/stats';
import { localEncoders } from '../../src/core/transfer/encode';
import { listGitFiles } from '../../src/core/transfer/localFiles';
import { packFiles } from '../../src/core/transfer/pack';
import { chooseUploadEncoding, GZIP_LEVEL, ZSTD_LEVEL, type UploadEncoding } from '../../src/core/transfer/uploadEncoding';

export const SYNC_FILES = 3000;
const FILE_BYTES = 8000;
const REPS = 5;
const LINK_REPS = 3;

/** Source-like text (words from a small vocabulary, so it compresses as code does), reproducible. */
function makeTree(root: string): number {
  const words = 'const let function return if else for while import export from class new this await async type interface value index result error data file path name list map set get'.split(' ');
  let seed = 12345;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  let total = 0;
  for (let i = 0; i < SYNC_FILES; i++) {
    const dir = join(root, `pkg${String(Math.floor(i / 100)).padStart(2, '0')}`);
    mkdirSync(dir, { recursive: true });
    let text = '';
    while (text.length < FILE_BYTES) text += `${words[Math.floor(rnd() * words.length)]}${rnd() < 0.12 ? '\n' : ' '}${rnd() < 0.05 ? Math.floor(rnd() * 1e6) : ''}`;
    writeFileSync(join(dir, `file${i}.ts`), text);
    total += text.length;
  }
  return total;
}

/** The bytes of the tar stream a first upload of `ws` sends to `host`, packed as orch packs it there. */
async function sentBytes(host: BenchHost, ws: string): Promise<{ bytes: number; encoding: UploadEncoding }> {
  const zips = (await host.sshd.runAsUser('for z in zstd gzip; do if command -v $z >/dev/null; then echo $z; fi; done')).stdout.split('\n').filter(Boolean);
  const encoding = chooseUploadEncoding(zips, await localEncoders());
  let bytes = 0;
  for await (const c of await packFiles(ws, await listGitFiles(ws), encoding)) bytes += (c as Buffer).length;
  return { bytes, encoding };
}

const describeEncoding = (e: UploadEncoding): string => (e.zip === 'zstd' ? `tar, zstd -${ZSTD_LEVEL}${e.encoder === 'node' ? ' by Node' : ''}` : e.zip === 'gzip' ? `tar, gzip -${GZIP_LEVEL}` : 'tar');

export async function syncSection(host: BenchHost, built: Built, log: (s: string) => void): Promise<Line[]> {
  const reps = host.route === 'loopback' ? REPS : LINK_REPS;
  const ws = mkdtempSync(join(tmpdir(), 'orch-bench-sync-'));
  const bytes = makeTree(ws);
  // For scale, the files' bytes gzipped at level 1 (orch's gzip) and at zlib's default 6 (rsync -z).
  const concat = Buffer.concat(readdirSync(ws, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => readFileSync(join(e.parentPath, e.name))) as unknown as Uint8Array[]);
  const gzipped = [1, 6].map((level) => [level, gzipSync(concat as unknown as Uint8Array, { level }).length] as const);
  execFileSync('git', ['init', '-q'], { cwd: ws });
  const sent = await sentBytes(host, ws);
  log(`sync (${host.route}): ${SYNC_FILES} files, ${(bytes / 1e6).toFixed(1)} MB; orch run --sync vs rsync -az (${reps} rounds)`);
  const tag = Math.random().toString(36).slice(2, 6);
  // A new pair of dirs each round, all removed at the end: this machine's disk is mounted with
  // `discard`, and whichever tool wrote first after a round's `rm -rf` of 6,000 files paid for
  // it (rsync's first upload took 1.3 s on loopback and 3.2 s through the link when it went first).
  let round = 0;
  const orchDir = (): string => `bench-sync-orch-${tag}-${round}`;
  const rsyncDir = (): string => `bench-sync-rsync-${tag}-${round}`;
  let job = 0;
  // orch's hash cache lives here; a first upload starts without one, as from a fresh clone.
  const cacheHome = mkdtempSync(join(tmpdir(), 'orch-bench-cache-'));
  const env = { ...host.cliEnv, XDG_CACHE_HOME: cacheHome };
  const orchRun = (...sync: string[]) => () =>
    runProc(process.execPath, [built.orchBin, 'run', ...sync, '--workdir', `~/${orchDir()}`, `bench-sync-${tag}-${job++}`, 'true'], { cwd: ws, env, discardStdout: true });
  const orchSync = orchRun('--sync');
  // The same command without --sync: what of a sync's time is `orch run` itself.
  const orchAlone = orchRun();
  const sshCommand = ['ssh', ...host.sshArgs(['-o', 'ControlMaster=no', '-o', 'ControlPath=none']).slice(0, -1)].map((a) => `'${a}'`).join(' ');
  const destination = host.sshArgs().at(-1)!;
  const rsync = () => runProc('rsync', ['-az', '--delete', '-e', sshCommand, `${ws}/`, `${destination}:${rsyncDir()}/`], { discardStdout: true });
  const clear = () => {
    // What orch remembers of the tree goes (hashes, the host's state); the CLI's code cache stays, as on a user's laptop.
    if (existsSync(join(cacheHome, 'orch'))) for (const f of readdirSync(join(cacheHome, 'orch'), { withFileTypes: true }).filter((e) => e.isFile() && /^(hashes|sync)-/.test(e.name))) rmSync(join(cacheHome, 'orch', f.name));
  };
  const removeAll = () => host.sshd.runAsUser(`rm -rf -- ~/bench-sync-orch-${tag}-* ~/bench-sync-rsync-${tag}-*`);
  const touchOne = (i: number) => writeFileSync(join(ws, 'pkg00', 'file0.ts'), `changed ${i}\n`);
  const timed = async (fn: () => Promise<unknown>): Promise<number> => {
    const t0 = performance.now();
    await fn();
    return performance.now() - t0;
  };
  const runs = { first: [[], []], same: [[], []], one: [[], []] } as Record<'first' | 'same' | 'one', [number[], number[]]>;
  const alone: number[] = [];
  try {
    for (let i = 0; i < reps; i++) {
      round = i;
      clear();
      runs.first[0].push(await timed(orchSync));
      runs.first[1].push(await timed(rsync));
      runs.same[0].push(await timed(orchSync));
      runs.same[1].push(await timed(rsync));
      touchOne(i);
      runs.one[0].push(await timed(orchSync));
      runs.one[1].push(await timed(rsync));
      alone.push(await timed(orchAlone));
    }
    const check = await host.sshd.runAsUser(`find ~/${orchDir()} -name '*.ts' | wc -l; cat ~/${orchDir()}/pkg00/file0.ts`);
    const [count, content] = check.stdout.split('\n');
    if (Number(count) !== SYNC_FILES || content !== `changed ${reps - 1}`) throw new Error(`orch's sync left ${count} files, file0 "${content}"`);
  } finally {
    await removeAll().catch(() => undefined);
    rmSync(ws, { recursive: true, force: true });
    rmSync(cacheHome, { recursive: true, force: true });
  }
  const limits = host.route === 'loopback' ? undefined : { first: 1.0, same: 0.5, one: 0.5 };
  const what = { first: 'first upload', same: 'nothing changed', one: 'one file changed' } as const;
  const lines: Line[] = (Object.keys(what) as (keyof typeof what)[]).map((k) => {
    const orch = summarize(runs[k][0]);
    const rs = summarize(runs[k][1]);
    const ratio = orch.median / rs.median;
    const limit = limits?.[k];
    return {
      id: `sync-${k}`,
      label: `\`orch run --sync\` of ${SYNC_FILES} files (${(bytes / 1e6).toFixed(0)} MB): ${what[k]}`,
      orch: fmtMs(orch.median),
      baseline: `${fmtMs(rs.median)} (rsync -az)`,
      ratio,
      target: limit === undefined ? undefined : `≤ ${limit.toFixed(2)}×`,
      pass: limit === undefined ? undefined : ratio <= limit,
      raw: { orch, rsync: rs, files: SYNC_FILES, bytes },
    };
  });
  for (const [level, size] of gzipped) {
    lines.push({ id: `sync-gzip${level}`, label: `of which: the tree gzipped at level ${level}${level === 1 ? ' (what orch sends where an end lacks zstd)' : ' (rsync -z by default)'}`, orch: `${(size / 1e6).toFixed(2)} MB`, raw: { bytes: size } });
  }
  lines.push({ id: 'sync-sent', label: `of which: the tree as orch sends it now (${describeEncoding(sent.encoding)})`, orch: `${(sent.bytes / 1e6).toFixed(2)} MB`, raw: { bytes: sent.bytes, zip: sent.encoding.zip } });
  const runAlone = summarize(alone);
  lines.push({ id: 'sync-run-alone', label: 'of which: `orch run` itself, without --sync (start-up, name check, start)', orch: fmtMs(runAlone.median), raw: { orch: runAlone } });
  return lines;
}
