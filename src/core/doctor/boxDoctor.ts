/**
 * The AWS part of `orch doctor` for one EC2 box: ONE DescribeInstances (through the lazily loaded
 * AWS bundle the caller hands in), judged in boxChecks.ts. Only `--wake` starts a stopped box,
 * through the same wake path as every command (progress on stderr), then waits for SSH.
 */
import { UserError, errorMessage } from '../errors';
import type { BoxInfo } from '../ec2/box';
import type { ExplainedEc2Api } from '../ec2/load';
import type { Ec2BoxSpec } from '../ec2/spec';
import { ensureRunning } from '../ec2/wake';
import { awsFailLines, awsOkLine, boxCheck, skippedLine, type BoxCheck, type BoxNames } from './boxChecks';

export interface BoxDoctorOptions extends BoxNames {
  profile: string | undefined;
  /** `orch doctor --wake`: start a stopped box (and wait for SSH) so that its host is checked too. */
  wake: boolean;
  progress?: (line: string) => void;
  signal?: AbortSignal;
  /** Waits until SSH answers at the address of a box this call started. */
  waitForSsh(address: string): Promise<void>;
  now?: () => number;
}

export async function doctorBox(api: ExplainedEc2Api, spec: Ec2BoxSpec, o: BoxDoctorOptions): Promise<BoxCheck> {
  const now = o.now ?? Date.now;
  let info: BoxInfo;
  try {
    info = await api.describe();
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    const cause = e.cause as { name?: string } | undefined;
    return { lines: [...awsFailLines(oneLine(errorMessage(e)), cause?.name, await api.region(), o.profile), skippedLine('the box\'s state and address come from AWS')] };
  }
  const aws = awsOkLine(await api.region(), o.profile);
  if (!o.wake || info.state === 'running' || info.state === 'terminated' || info.state === 'shutting-down') return withAws(aws, boxCheck(info, spec, o, { now: now() }));
  try {
    const awake = await ensureRunning(api, spec, { wake: true, hostName: o.hostName, progress: o.progress, signal: o.signal });
    await o.waitForSsh(awake.address);
    return withAws(aws, boxCheck(awake.info, spec, o, { now: now(), started: awake.started }));
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return { lines: [aws, { check: 'box', status: 'fail', text: oneLine(errorMessage(e)) }, skippedLine('the box did not come up')] };
  }
}

function withAws(aws: BoxCheck['lines'][number], box: BoxCheck): BoxCheck {
  return { ...box, lines: [aws, ...box.lines] };
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
