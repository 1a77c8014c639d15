/**
 * `orch doctor` on an EC2 box (PRODUCT.md §7, §12): what AWS says, judged into the doctor's lines
 * before any SSH. A box that is not running is not connected to (and never started unless the
 * user said --wake): its host checks are one `skip` line, not a pile of connection failures.
 * Pure, so every state's line is unit tested.
 */
import { boxAddress, formatDuration, type BoxInfo } from '../ec2/box';
import type { Ec2BoxSpec } from '../ec2/spec';
import { noAddressMessage } from '../ec2/wake';
import type { CheckLine } from './checks';

/** How the user names the box and its wake setting in the messages. */
export interface BoxNames {
  /** The host's name (`orch box start NAME`). */
  hostName: string;
  /** The setting that makes commands start it: `wake: auto in its ec2: block`, `ORCH_EC2_WAKE=auto`. */
  wakeSetting: string;
  /** Where the user reads the lines, for what they say to do: the CLI (default) or VS Code's Check Host. */
  via?: 'cli' | 'vscode';
}

/** What the lines tell the user to do, in the words of where they read them. */
function advice(names: BoxNames, id: string): { start: string; recheck: string; later: string } {
  if (names.via === 'vscode') return { start: 'Start Box on the host\'s row', recheck: 'Start Box, then Check Host again', later: 'Check Host again once it runs' };
  return { start: `"orch box start${names.hostName === id ? '' : ` ${names.hostName}`}"`, recheck: 'orch doctor --wake starts it and checks it', later: 'run orch doctor again once it runs' };
}

/** What the AWS part found: its lines, and the address to connect to when the box runs. */
export interface BoxCheck {
  lines: CheckLine[];
  address?: string;
}

export function awsOkLine(region: string | undefined, profile: string | undefined): CheckLine {
  const where = region ? ` in ${region}` : '';
  return { check: 'aws', status: 'ok', text: `credentials accepted${where} (${profile ? `profile ${profile}` : 'default credential chain'})` };
}

/** The one sentence of the AWS error mapping (core/ec2/awsErrors.ts), on the line it concerns. */
export function awsFailLines(sentence: string, awsName: string | undefined, region: string | undefined, profile: string | undefined): CheckLine[] {
  // An unknown instance (or one of another region) is answered by AWS: the access itself works.
  if (awsName !== undefined && /^InvalidInstanceID\./.test(awsName)) return [awsOkLine(region, profile), { check: 'box', status: 'fail', text: sentence }];
  return [{ check: 'aws', status: 'fail', text: sentence }];
}

/** The host checks' one line when SSH is not attempted. */
export function skippedLine(why: string): CheckLine {
  return { check: 'host', status: 'skip', text: `SSH and the host checks not run: ${why}` };
}

/**
 * The box line for the state DescribeInstances gave. A stopped box fails (commands that need it
 * refuse until it is started) unless its wake setting is auto, when the next command starts it:
 * then it is a warning. Pending is a warning: it is on its way.
 */
export function boxCheck(info: BoxInfo, spec: Ec2BoxSpec, names: BoxNames, o: { now: number; started?: boolean }): BoxCheck {
  const id = spec.instanceId;
  const { start, recheck, later } = advice(names, id);
  const skip = (why: string): CheckLine => skippedLine(`${why} (nothing was started; ${recheck})`);
  switch (info.state) {
    case 'running': {
      const address = boxAddress(info, spec.address);
      if (!address) return { lines: [{ check: 'box', status: 'fail', text: noAddressMessage(spec, names.hostName) }, skippedLine('the box has no address to connect to')] };
      const up = info.launchedAt ? `, up ${formatDuration(o.now - info.launchedAt.getTime())}` : '';
      const how = o.started ? ' (started by --wake)' : '';
      return { lines: [{ check: 'box', status: 'ok', text: `${id} running${how}, ${info.type ?? 'unknown type'}, at ${address}${up}` }], address };
    }
    case 'pending':
      return { lines: [{ check: 'box', status: 'warn', text: `${id} pending (starting up): ${later}` }, skip('the box is still starting')] };
    case 'stopping':
    case 'stopped': {
      const line: CheckLine =
        spec.wake === 'auto'
          ? { check: 'box', status: 'warn', text: `${id} ${info.state}; commands that need it start it (${names.wakeSetting} is set)` }
          : { check: 'box', status: 'fail', text: `${id} ${info.state}: start it with ${start} (or set ${names.wakeSetting} so that commands start it)` };
      return { lines: [line, skip(`the box is ${info.state}`)] };
    }
    default:
      return {
        lines: [
          { check: 'box', status: 'fail', text: `${id} ${info.state}: it cannot be started again; point the host's instance id at a live instance` },
          skippedLine(`the box is ${info.state}`),
        ],
      };
  }
}
