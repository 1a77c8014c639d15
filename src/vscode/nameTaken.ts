// What Run on EC2 says about a job name already in use: pure (no `vscode` import), unit-tested.
import type { Job } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { STATE_LOOK } from './jobPresentation';

export const REPLACE = 'Replace (keep the old log)';

function endedText(job: Pick<Job, 'state' | 'exitCode'>): string {
  const exit = job.state === 'FAILED' && job.exitCode !== null ? `, exit ${job.exitCode}` : '';
  return `${STATE_LOOK[job.state].label.toLowerCase()}${exit}`;
}

/**
 * The name box's early warning (a warning, not an error: the host is chosen after the name, and
 * an ended job's name may be replaced). Undefined while no listed job has the name.
 */
export function nameTakenWarning(name: string, listed: readonly Job[]): string | undefined {
  const same = listed.filter((j) => j.name === name.trim());
  if (same.length === 0) return undefined;
  const active = same.find((j) => isActive(j.state));
  if (active) return `${active.name} is ${endedText(active)} on ${active.host}: pick another name (a running job cannot be replaced).`;
  const hosts = same.map((j) => `${j.host} (${endedText(j)})`).join(', ');
  return `${name.trim()} was used on ${hosts}: running it there offers "${REPLACE}".`;
}

/** Where the host keeps the replaced log (run.sh renames the job dir; retention applies to it). */
export function keptLogPath(logRoot: string, name: string): string {
  return `${logRoot.replace(/\/+$/, '')}/${name}.prev-<UTC time>`;
}

/** The Replace question: what exists, what Replace does, where the old log goes. */
export function replaceQuestion(name: string, host: string, logRoot: string, job?: Pick<Job, 'state' | 'exitCode'>): { message: string; detail: string } {
  const what = job ? `A job named ${name} already ran on ${host} (${endedText(job)}).` : `A log for ${name} already exists on ${host}.`;
  return {
    message: what,
    detail: `${REPLACE} starts ${name} anew; its old log directory is kept on ${host}, renamed to ${keptLogPath(logRoot, name)} (never deleted by Cloud Jobs; log retention applies to it). Or cancel and pick another name.`,
  };
}
