/**
 * One host's `orch doctor`: reach it over the CLI's own connection (so a host key or login
 * problem reads exactly as in every other command), then ONE call of op_doctor, whose facts are
 * judged in checks.ts. A failure before the facts (no bash, bash 3, a log root that cannot take
 * the library) is its own line, and the checks that need the facts are then not run.
 */
import { callHost } from '../../host/call';
import { HostExit } from '../../host/protocol';
import { ConnectionLostError, type ShellTarget } from '../../host/target';
import { UserError, errorMessage } from '../errors';
import { parseAutostop } from '../engine/autostop';
import { autostopLine } from './autostopCheck';
import { bashLine, judge, type CheckLine } from './checks';

export interface DoctorTarget {
  target: ShellTarget;
  logRoot: string;
  logMode: 'private' | 'group';
  /** How the host was reached, for the first line: `ubuntu@gpu-box:22`, or `local`. */
  reach: string;
  /** Local targets have no SSH line. */
  local?: boolean;
  slurm?: boolean;
  autostopMinutes?: number;
  /** The host's CloudWatch Logs group (`cloudwatch:`, ORCH_CLOUDWATCH), when every job there ships to it. */
  cloudwatch?: string;
}

export interface DoctorReport {
  lines: CheckLine[];
  ok: boolean;
}

const notRun = (why: string): CheckLine => ({ check: 'other checks', status: 'fail', text: `not run: ${why}` });

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export async function runDoctor(d: DoctorTarget, now: () => number = Date.now): Promise<DoctorReport> {
  const lines: CheckLine[] = [];
  const done = (): DoctorReport => ({ lines, ok: lines.every((l) => l.status !== 'fail') });
  let res;
  // Connecting (and verifying the host key) happens in this call's first exec; the clock check
  // allows for that: its uncertainty is half the whole span.
  const sentAt = now();
  try {
    res = await callHost(d.target, 'doctor', d.logRoot, {});
  } catch (e) {
    if (!(e instanceof UserError) && !(e instanceof ConnectionLostError)) throw e;
    lines.push({ check: 'ssh', status: 'fail', text: `${d.reach}: ${oneLine(errorMessage(e))}` });
    return done();
  }
  if (!d.local) lines.push({ check: 'ssh', status: 'ok', text: `${d.reach} reached; host key verified` });
  if (res.code === 127) {
    lines.push({ check: 'bash', status: 'fail', text: 'not installed (or not on the PATH of a non-interactive SSH session): install bash 4 or later' });
    return done();
  }
  const receivedAt = now();
  if (res.code === HostExit.oldBash) {
    const version = /runs bash (\S+?)\.?$/m.exec(res.stderr.trim())?.[1] ?? '';
    lines.push(bashLine(version), notRun('they need bash 4'));
    return done();
  }
  if (res.code === HostExit.writeFailed) {
    lines.push({ check: 'log root', status: 'fail', text: `cannot write the orch library under ${d.logRoot}/.orch (${oneLine(res.stderr) || 'disk full?'}): free some space, or set ORCH_LOG_ROOT to a writable dir` });
    lines.push(notRun('the library could not be installed'));
    return done();
  }
  if (res.code !== 0) {
    lines.push({ check: 'host script', status: 'fail', text: `the check script failed (exit ${res.code}): ${oneLine(res.stderr) || 'no message'}` });
    return done();
  }
  lines.push(...judge(res.stdout.toString('utf8'), { logMode: d.logMode, sentAt, receivedAt, slurm: d.slurm, autostopMinutes: d.autostopMinutes, cloudwatch: d.cloudwatch }));
  // Autostop runs on tmux hosts only (a Slurm job's allocation ends by itself), never locally.
  if (d.autostopMinutes !== undefined && d.autostopMinutes > 0 && !d.slurm && !d.local) lines.push(await autostopCheck(d, d.autostopMinutes, now));
  return done();
}

/** One more call on the same connection: the host's idle clock, as `orch box status` reads it. */
async function autostopCheck(d: DoctorTarget, minutes: number, now: () => number): Promise<CheckLine> {
  let res;
  try {
    res = await callHost(d.target, 'autostop', d.logRoot, {});
  } catch (e) {
    if (!(e instanceof UserError) && !(e instanceof ConnectionLostError)) throw e;
    return { check: 'autostop', status: 'warn', text: `could not read the idle clock (${oneLine(errorMessage(e))})` };
  }
  if (res.code !== 0) return { check: 'autostop', status: 'warn', text: `could not read the idle clock (exit ${res.code}: ${oneLine(res.stderr) || 'no message'})` };
  return autostopLine(parseAutostop(res.stdout), minutes, now());
}
