/**
 * Parallel jobs own their outputs (PRODUCT.md §6): while a job is active, its --output-dir on its
 * host is its own. Pure: compares absolute paths on the host, so `results/a` under two workdirs
 * are two dirs, and `out` and `out/sub` are one (the inner one lies in the outer one).
 */
import * as posix from 'node:path/posix';
import { isActive, type Job } from '../jobs/model';

/** A path on the host as an absolute, normalized path (`~` is `home`; relative is under `workdir`). */
export function hostPath(p: string, workdir: string, home: string): string {
  const expand = (x: string) => (x === '~' ? home : x.startsWith('~/') ? posix.join(home, x.slice(2)) : x);
  const w = expand(workdir);
  const e = expand(p);
  const base = w.startsWith('/') ? w : posix.join(home || '/', w);
  return posix.resolve(base, e);
}

function contains(outer: string, inner: string): boolean {
  return outer === inner || inner.startsWith(outer === '/' ? '/' : `${outer}/`);
}

/** The active job whose output dir is (or holds, or lies in) the new job's, if any. */
export function outputDirOwner(jobs: readonly Job[], outputDir: string, workdir: string, home: string, self?: string): Job | undefined {
  const mine = hostPath(outputDir, workdir, home);
  return jobs.find((j) => {
    if (!isActive(j.state) || !j.outputDir || j.name === self) return false;
    const theirs = hostPath(j.outputDir, j.workdir ?? workdir, home);
    return contains(theirs, mine) || contains(mine, theirs);
  });
}
