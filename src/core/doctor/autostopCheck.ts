/**
 * `orch doctor`'s autostop line (PRODUCT.md §7), for a host with `autostop_minutes`: the cron
 * line says only that cron exists; this says whether the host's idle check is installed with the
 * minutes configured here, and what it would do now (the idle clock `orch box status` shows).
 * Pure; the status is the host's own report (engine/autostop.ts).
 */
import { formatDuration } from '../ec2/box';
import { autostopAt, autostopFailure, type AutostopStatus } from '../engine/autostop';
import type { CheckLine } from './checks';

export function autostopLine(s: AutostopStatus | undefined, minutes: number, now: number): CheckLine {
  const want = Math.max(1, Math.round(minutes * 60));
  if (s === undefined) {
    return { check: 'autostop', status: 'warn', text: `${formatDuration(want * 1000)} is set here but not installed on the host yet, so it does not stop by itself: the next orch run there installs it` };
  }
  const failed = autostopFailure(s);
  if (failed !== null) return { check: 'autostop', status: 'fail', text: failed };
  const after = `after ${formatDuration(s.seconds * 1000)} idle`;
  const set = `stops ${after}`;
  if (s.seconds !== want) return { check: 'autostop', status: 'warn', text: `installed to stop ${after}, not the ${formatDuration(want * 1000)} set here: the next orch run there changes it` };
  if (s.busy !== null) return { check: 'autostop', status: 'ok', text: `${set}; not idle now: ${s.busy}` };
  if (s.action !== null) return { check: 'autostop', status: 'ok', text: `${set}; powering off now (idle ${formatDuration(s.idleSeconds * 1000)})` };
  const at = autostopAt(s, now);
  const left = at === null ? '' : `, stops in ${formatDuration(Date.parse(at) - now)}`;
  return { check: 'autostop', status: 'ok', text: `${set}; idle ${formatDuration(s.idleSeconds * 1000)}${left}` };
}
