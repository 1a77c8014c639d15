import { callHost } from './call';
import type { ShellTarget } from './target';

/**
 * One long-lived call (ops/watch.sh) that returns when the log root changes (a job started,
 * ended, was stopped, or a new job dir appeared), or after `limitSeconds`. While nothing changes
 * the channel carries no data: the host compares directory mtimes once a second.
 * Resolves with the signature to pass next time; null when aborted.
 */
export async function watchLogRoot(target: ShellTarget, logRoot: string, seen: string, limitSeconds: number, signal?: AbortSignal): Promise<string | null> {
  const r = await callHost(target, 'watch', logRoot, { seen, limit: String(Math.max(1, Math.floor(limitSeconds))) }, { signal });
  if (r.code === null) return null;
  if (r.code !== 0) throw new Error(`watching ${logRoot} on ${target.host} failed: ${r.stderr.trim() || `exit status ${r.code}`}`);
  return r.stdout.toString('utf8').trim();
}
