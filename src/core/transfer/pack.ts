/**
 * The tar stream of a sync: the files to send, relative to their root, packed as
 * uploadEncoding.ts chose (encode.ts).
 * GNU tar on this machine packs 3,000 small files in a quarter of the time the `tar` package
 * takes (it reads them one after another in one process, where the package awaits each open,
 * stat and read in turn), so it is used where it is found; elsewhere (macOS's bsdtar would add
 * its own metadata entries, Windows) the package does the work. Paths starting with `-` or `@`
 * are given as `./path`, which neither tool reads as an option or an archive to include.
 */
import { execFile } from 'node:child_process';
import { Readable } from 'node:stream';
import { findZstd } from '../../host/unpack';
import { spawnPacker } from './childProcess';
import { encodeUpload } from './encode';
import type { UploadEncoding } from './uploadEncoding';

function tarArg(p: string): string {
  return p.startsWith('@') || p.startsWith('-') ? `./${p}` : p;
}

let gnuTar: Promise<boolean> | undefined;

/** Whether `tar` here is GNU tar (asked once per process; `warmPacker` asks early). */
function haveGnuTar(): Promise<boolean> {
  gnuTar ??= new Promise((resolve) => {
    if (process.platform !== 'linux') return resolve(false);
    execFile('tar', ['--version'], { timeout: 5000 }, (err, stdout) => resolve(!err && /GNU tar/.test(String(stdout))));
  });
  return gnuTar;
}

/** A file tar could not read fails the sync: a tree left with a hole must not be remembered as whole. */
async function* systemTar(root: string, paths: readonly string[]): AsyncGenerator<Buffer> {
  const { child, exited, stderr } = spawnPacker('tar', ['-c', '-f', '-', '--null', '--no-recursion', '-T', '-'], root);
  child.stdin.end(paths.map((p) => `${tarArg(p)}\0`).join(''));
  for await (const c of child.stdout) yield c as Buffer;
  const code = await exited;
  // Exit 1 is "a file changed while it was read": what was read is whole, and the next sync compares again.
  if (code !== 0 && code !== 1) throw new Error(`tar could not pack the files: ${stderr().trim().split('\n').find((l) => !/Exiting with failure/.test(l)) || `exit status ${String(code)}`}`);
}

/** The tar stream of `paths` under `root` (symlinks as links, no directory entries). */
export async function packFiles(root: string, paths: readonly string[], encoding: UploadEncoding): Promise<Readable> {
  if (await haveGnuTar()) return Readable.from(encodeUpload(systemTar(root, paths), encoding));
  // Loaded only here: `orch run` does not pay for the package where GNU tar does the work.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tar = require('tar') as typeof import('tar');
  const pack = tar.c({ cwd: root, portable: true, noDirRecurse: true, follow: false }, paths.map(tarArg));
  return Readable.from(encodeUpload(pack as AsyncIterable<Buffer>, encoding));
}

/** Asks which packer and zstd this machine has ahead of need (off the sync's path). */
export function warmPacker(): void {
  void haveGnuTar();
  void findZstd();
}
