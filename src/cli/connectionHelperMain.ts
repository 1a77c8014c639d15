/**
 * `orch __connection-helper` (hidden): the body of the detached helper process that
 * `helperSpawn.ts` starts. Reads its spec from stdin, binds the socket, reports on stdout, then
 * serves until idle, `orch disconnect`, or SIGTERM.
 */
import type { CliIO } from './command';
import { ConnectionHelper, type HelperSpec } from '../core/ssh/helper/server';

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

export async function connectionHelperMain(io: CliIO): Promise<number> {
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
