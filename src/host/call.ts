/**
 * One operation on the host: its call script and fields in one exec. When the host does not have
 * this library version yet (a new host or a new orch), it is installed and the call made again,
 * so that costs two more round trips once per host and version, and nothing on every other call.
 */
import type { Readable, Writable } from 'node:stream';
import { HOST_LIB, HOST_LIST_SLICE, INSTALL_SCRIPT, callScript } from './library';
import { HostExit, encodeCall, encodeFields, type HostOp, type OpFields } from './protocol';
import type { ExecResult, ShellTarget } from './target';
import { UserError } from '../core/errors';

export interface CallOptions {
  /** The rest of stdin after the fields (the command text of `run`). */
  rest?: string;
  onStdout?: (chunk: Buffer) => void;
  stdout?: Writable;
  signal?: AbortSignal;
}

export async function callHost<O extends HostOp>(
  target: ShellTarget,
  op: O,
  root: string,
  fields: OpFields<O>,
  options: CallOptions = {},
): Promise<ExecResult> {
  const stdin = encodeCall(op, root, fields, options.rest);
  const exec = () => target.exec(callScript(op), { stdin, onStdout: options.onStdout, stdout: options.stdout, signal: options.signal });
  const res = await exec();
  if (res.code !== HostExit.noLibrary) return res;
  const installed = await installLibrary(target, root);
  // bash 3: doctor reports it as one of its lines; every other operation cannot go on.
  if (installed.code === HostExit.oldBash && op !== 'doctor') throw new UserError(`${target.host}: ${installed.stderr.trim()}`);
  if (installed.code !== 0) return installed;
  return exec();
}

/** Puts this version's library under `<root>/.orch/` (nothing when it is there already). */
export function installLibrary(target: ShellTarget, root: string): Promise<ExecResult> {
  return target.exec(INSTALL_SCRIPT, { stdin: encodeFields([root, HOST_LIST_SLICE], HOST_LIB) as Buffer | Readable });
}
