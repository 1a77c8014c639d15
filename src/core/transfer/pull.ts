import { promises as fs } from 'node:fs';
import * as tar from 'tar';
import { UserError } from '../errors';
import { shellQuote, type ShellTarget } from '../../host/target';
import { remotePathExpr } from './paths';
import { PACK_CODECS, Unpacker } from '../../host/unpack';
import packSh from '../../host/lib/pack.sh';

export interface PullResult {
  /** Files (and links) written locally. */
  files: number;
  bytes: number;
  localDir: string;
  /** True when the remote dir is the local dir itself (local target): nothing had to be copied. */
  alreadyLocal: boolean;
  /** Entries the local extractor refused (absolute paths, `..`, links out of the dir). */
  refused: string[];
}

/**
 * Copies `remoteDir` (a path on the target; `~/` = the target user's home) into `localDir` with a
 * tar stream, packed on the way (lib/pack.sh: zstd where the host has it, else gzip, else plain;
 * the local target plain). Extraction uses the `tar` package's safe defaults: nothing is written outside
 * `localDir` and no local file is deleted. A missing or empty remote dir is "nothing to pull".
 */
export async function pullDir(target: ShellTarget, remoteDir: string, localDir: string, codecs = target.host === 'local' ? '' : PACK_CODECS): Promise<PullResult> {
  const probe = await target.exec(`d=${remotePathExpr(remoteDir)}
if [ ! -d "$d" ]; then echo missing; exit 0; fi
cd -- "$d" && pwd -P
find . -mindepth 1 \\( -type f -o -type l \\) -exec stat -c %s -- {} + | awk '{n++; s+=$1} END {print n+0, s+0}'
`);
  if (probe.code !== 0) throw new UserError(`Could not read ${remoteDir} on ${target.host}: ${probe.stderr.trim() || 'exit status ' + String(probe.code)}.`);
  const lines = probe.stdout.toString('utf8').trim().split('\n');
  if (lines[0] === 'missing') throw new UserError(`Nothing to pull: ${remoteDir} does not exist on ${target.host}.`);
  const [count, size] = (lines[lines.length - 1] ?? '0 0').split(' ').map(Number);
  if (!count) throw new UserError(`Nothing to pull: ${remoteDir} on ${target.host} is empty.`);

  await fs.mkdir(localDir, { recursive: true });
  if (target.host === 'local') {
    const here = await fs.realpath(localDir);
    if (here === lines[0]) return { files: count, bytes: size, localDir, alreadyLocal: true, refused: [] };
  }

  const refused: string[] = [];
  let files = 0;
  let bytes = 0;
  const unpack = tar.x({
    cwd: localDir,
    // as root, tar would give the files (and localDir itself, the archive's ".") the box user's uid
    preserveOwner: false,
    onReadEntry: (entry) => {
      if (entry.type === 'File' || entry.type === 'OldFile' || entry.type === 'SymbolicLink') {
        files++;
        bytes += entry.size ?? 0;
      }
    },
    onwarn: (_code, message) => refused.push(String(message)),
  });
  const finished = new Promise<void>((resolve, reject) => {
    unpack.on('close', () => resolve());
    unpack.on('error', reject);
  });
  // Handled below (awaited, or dropped for the host's own error); never an unhandled rejection.
  finished.catch(() => undefined);
  const packed = new Unpacker((chunk) => {
    if (unpack.write(chunk as unknown as Uint8Array)) return; // a Buffer; the pinned @types/node does not see it as Uint8Array
    // A failed extraction must not leave the channel waiting (its error comes out of `finished`).
    return new Promise<void>((resolve) => {
      const go = (): void => {
        for (const ev of ['drain', 'error', 'close']) unpack.off(ev, go);
        resolve();
      };
      for (const ev of ['drain', 'error', 'close']) unpack.on(ev, go);
    });
  });
  // pipefail: a failing tar fails the pull, as it did unpacked.
  const script = `${packSh}\nset -o pipefail\ncd -- ${remotePathExpr(remoteDir)} || exit\npack_choose codec ${shellQuote(codecs)}\ntar -c -f - . | pack_send "$codec"\n`;
  let r;
  try {
    r = await target.exec(script, { stdout: packed });
    if (r.code === 0) await packed.finish();
  } finally {
    packed.abandon();
    unpack.end();
  }
  // The host's own failure explains best (a tar that could not run leaves an empty archive here).
  if (r.code === 0) await finished;
  if (r.code !== 0) throw new UserError(`Pulling ${remoteDir} from ${target.host} failed: ${r.stderr.trim().split('\n').pop() || 'exit status ' + String(r.code)}.`);
  return { files, bytes, localDir, alreadyLocal: false, refused };
}
