/**
 * `orch __connection-helper` (hidden): the body of the detached helper process that
 * `helperSpawn.ts` starts. Reads its spec from stdin, binds the socket, reports on stdout, then
 * serves until idle, `orch disconnect`, or SIGTERM.
 */
import type { CliIO, Command } from '../command';
import { ConnectionHelper, type HelperSpec } from '../../core/ssh/helper/server';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

export const connectionHelperCommand: Command = {
  name: '__connection-helper',
  summary: 'The background process that keeps a host\'s SSH connection (started by orch itself).',
  help: 'Usage: orch __connection-helper (started by orch, its spec on stdin; see `orch disconnect`)',
  operands: 'none',
  hidden: true,
  run: (_argv, io) => connectionHelperMain(io),
};

async function connectionHelperMain(io: CliIO): Promise<number> {
  const spec = JSON.parse(await readAll(io.stdin)) as HelperSpec;
  const helper = new ConnectionHelper(spec);
  io.signal.addEventListener('abort', () => void helper.stop(), { once: true });
  // The starting CLI closes its end of the pipe once it has read the one line.
  io.stdout.on('error', () => undefined);
  const state = await helper.start();
  io.stdout.write(`${state}\n`);
  await helper.stopped;
  return 0;
}
