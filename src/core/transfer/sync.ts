import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import * as path from 'node:path';
import * as tar from 'tar';
import { UserError } from '../errors';
import type { ShellTarget } from '../../host/target';
import { isSafeRelativePath, remotePathExpr } from './paths';
import { cacheFileFor, openHashCache } from './hashCache';
import { hashLocalFiles, listDirFiles, listGitFiles, type LocalFile } from './localFiles';

/** What one sync did; a second sync of an unchanged tree reports `uploaded: 0, deleted: 0`. */
export interface SyncResult {
  uploaded: number;
  deleted: number;
  unchanged: number;
  /** Content bytes sent (file sizes, not tar overhead). */
  bytes: number;
  /** Local paths left out (symlinks pointing outside the root, special files). */
  skipped: string[];
}

/** The manifests live in `<workdir>/.orch-sync/`, one per synced tree, path → sha256. */
const MANIFEST_DIR = '.orch-sync';

interface Manifest {
  version: 1;
  files: Record<string, string>;
}

const PREAMBLE = (workdir: string) => `set -e
command -v tar >/dev/null 2>&1 || { echo "tar is not installed on the host" >&2; exit 3; }
wd=${remotePathExpr(workdir)}
mkdir -p -- "$wd"
cd -- "$wd"
if [ -L ${MANIFEST_DIR} ]; then echo "${MANIFEST_DIR} in the workdir is a symlink" >&2; exit 4; fi
`;

async function execOrThrow(target: ShellTarget, script: string, what: string, stdin?: string | Buffer | Readable) {
  const r = await target.exec(script, { stdin });
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').pop() || `exit status ${String(r.code)}`;
    throw new UserError(`Could not ${what} on ${target.host}: ${detail}.`);
  }
  return r;
}

async function readManifest(target: ShellTarget, workdir: string, name: string): Promise<Manifest> {
  const file = `${MANIFEST_DIR}/${name}.json`;
  const r = await execOrThrow(
    target,
    `${PREAMBLE(workdir)}if [ -f ${file} ] && [ ! -L ${file} ]; then cat -- ${file}; fi\n`,
    'read the sync manifest',
  );
  const text = r.stdout.toString('utf8').trim();
  if (!text) return { version: 1, files: {} };
  let parsed: Manifest;
  try {
    parsed = JSON.parse(text) as Manifest;
    if (typeof parsed.files !== 'object' || parsed.files === null) throw new Error('no files');
  } catch {
    return { version: 1, files: {} }; // unreadable: send everything, delete nothing
  }
  for (const p of Object.keys(parsed.files)) {
    if (!isSafeRelativePath(p)) {
      throw new UserError(`Refusing to sync: the manifest on ${target.host} names "${p}", a path outside the remote workdir.`);
    }
  }
  return parsed;
}

/**
 * Checks every path against symlinked parents on the host, then deletes the removed files and
 * stages the new manifest. stdin: `W<path>\0` / `D<path>\0` records, an empty record, then the
 * manifest JSON. Nothing is deleted when any path would go through a symlink.
 */
function prepareScript(workdir: string, name: string): string {
  return `${PREAMBLE(workdir)}
through_link() {
  local rest=$1 acc=
  while [[ $rest == */* ]]; do
    acc=\${acc:+$acc/}\${rest%%/*}
    rest=\${rest#*/}
    if [ -L "$acc" ]; then return 0; fi
  done
  return 1
}
kinds=(); paths=()
while IFS= read -r -d '' rec; do
  [ -z "$rec" ] && break
  kinds+=("\${rec:0:1}"); paths+=("\${rec:1}")
done
for p in "\${paths[@]}"; do
  if through_link "$p"; then echo "$p goes through a symlink in the remote workdir" >&2; exit 5; fi
done
for i in "\${!paths[@]}"; do
  [ "\${kinds[$i]}" = D ] || continue
  p=\${paths[$i]}
  if [ -L "$p" ] || [ -f "$p" ]; then rm -f -- "$p"; fi
  d=\${p%/*}
  if [ "$d" != "$p" ]; then rmdir -p --ignore-fail-on-non-empty -- "$d" 2>/dev/null || true; fi
done
mkdir -p ${MANIFEST_DIR}
cat > ${MANIFEST_DIR}/${name}.json.next
if command -v gzip >/dev/null 2>&1; then echo gzip; fi
`;
}

function extractScript(workdir: string, name: string, gzip: boolean): string {
  return `${PREAMBLE(workdir)}
tar -x ${gzip ? '-z ' : ''}-f - --no-same-owner --no-overwrite-dir
mv -f -- ${MANIFEST_DIR}/${name}.json.next ${MANIFEST_DIR}/${name}.json
`;
}

/** Makes a path safe as a tar argument (npm tar reads a leading `@` as "include an archive"). */
function tarArg(p: string): string {
  return p.startsWith('@') || p.startsWith('-') ? `./${p}` : p;
}

/**
 * Sends `files` (relative to `localRoot`) to `remoteWorkdir`, only those whose hash differs from
 * the host's manifest `name`; with `deleteMissing`, files in that manifest that are no longer in
 * `files` are removed on the host. Only manifest paths are ever deleted, only inside the workdir.
 */
export async function syncFiles(
  target: ShellTarget,
  localRoot: string,
  files: readonly LocalFile[],
  remoteWorkdir: string,
  opts: { name: string; deleteMissing: boolean; skipped?: string[] },
): Promise<SyncResult> {
  const old = await readManifest(target, remoteWorkdir, opts.name);
  const local = new Map(files.map((f) => [f.path, f]));
  const send = files.filter((f) => old.files[f.path] !== f.sha256);
  const remove = opts.deleteMissing ? Object.keys(old.files).filter((p) => !local.has(p)) : [];
  const result: SyncResult = {
    uploaded: send.length,
    deleted: remove.length,
    unchanged: files.length - send.length,
    bytes: send.reduce((n, f) => n + f.size, 0),
    skipped: opts.skipped ?? [],
  };
  if (send.length === 0 && remove.length === 0) return result;

  const next: Manifest = { version: 1, files: opts.deleteMissing ? {} : { ...old.files } };
  for (const f of files) next.files[f.path] = f.sha256;
  const records = [...send.map((f) => `W${f.path}\0`), ...remove.map((p) => `D${p}\0`), '\0'].join('');
  const prepared = await execOrThrow(target, prepareScript(remoteWorkdir, opts.name), 'prepare the upload', records + JSON.stringify(next));
  if (send.length > 0) {
    // One compressed stream when the host can unpack it (source text shrinks ~3-4x: what a slow link is waiting for).
    const gzip = prepared.stdout.toString().includes('gzip');
    const pack = tar.c({ cwd: localRoot, portable: true, noDirRecurse: true, follow: false, ...(gzip ? { gzip: { level: 1 } } : {}) }, send.map((f) => tarArg(f.path)));
    await execOrThrow(target, extractScript(remoteWorkdir, opts.name, gzip), 'unpack the upload', Readable.from(pack));
  } else {
    await execOrThrow(target, `${PREAMBLE(remoteWorkdir)}mv -f -- ${MANIFEST_DIR}/${opts.name}.json.next ${MANIFEST_DIR}/${opts.name}.json\n`, 'save the sync manifest');
  }
  return result;
}

/**
 * Uploads the workspace at `localRoot` (git-tracked and untracked-not-ignored files) to
 * `remoteWorkdir`, incrementally by content hash, propagating deletions.
 */
export async function syncWorkspace(target: ShellTarget, localRoot: string, remoteWorkdir: string): Promise<SyncResult> {
  const cache = await openHashCache(cacheFileFor(localRoot), localRoot);
  const listed = await hashLocalFiles(localRoot, await listGitFiles(localRoot), cache);
  await cache.save();
  return syncFiles(target, localRoot, listed.files, remoteWorkdir, { name: 'workspace', deleteMissing: true, skipped: listed.skipped });
}

/** Where a local data dir lands under the workdir: its path relative to `base`, or its name when outside. */
export function dataDirDestination(base: string, dir: string): { root: string; rel: string } {
  const abs = path.resolve(base, dir);
  const rel = path.relative(base, abs).split(path.sep).join('/');
  if (rel !== '' && isSafeRelativePath(rel)) return { root: base, rel };
  return { root: path.dirname(abs), rel: path.basename(abs) };
}

/**
 * Uploads each local dir to `<workdir>/<its path relative to base>` (a dir outside `base` goes to
 * `<workdir>/<its name>`), incrementally; files removed locally are left on the host.
 */
export async function uploadDirs(target: ShellTarget, localDirs: readonly string[], remoteWorkdir: string, base: string = process.cwd()): Promise<SyncResult> {
  const total: SyncResult = { uploaded: 0, deleted: 0, unchanged: 0, bytes: 0, skipped: [] };
  for (const dir of localDirs) {
    const { root, rel } = dataDirDestination(base, dir);
    let names: string[];
    try {
      names = await listDirFiles(root, rel);
    } catch (e) {
      throw new UserError(`Data dir ${dir} cannot be read: ${(e as Error).message}.`, { exitCode: 2, cause: e });
    }
    const listed = await hashLocalFiles(root, names);
    const key = 'data-' + createHash('sha256').update(rel).digest('hex').slice(0, 16);
    const r = await syncFiles(target, root, listed.files, remoteWorkdir, { name: key, deleteMissing: false, skipped: listed.skipped });
    total.uploaded += r.uploaded;
    total.unchanged += r.unchanged;
    total.bytes += r.bytes;
    total.skipped.push(...r.skipped);
  }
  return total;
}
