import type { Writable } from 'node:stream';

/**
 * Reads one line from a terminal without echoing it (for a key passphrase). Ctrl-C or Ctrl-D
 * gives undefined. The typed text never goes anywhere but the caller.
 */
export function askHidden(stdin: NodeJS.ReadStream, out: Writable, prompt: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    out.write(prompt);
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    let typed = '';
    const finish = (value: string | undefined) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      out.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish(typed);
        if (ch === '\u0003' || ch === '\u0004') return finish(undefined);
        if (ch === '\u007f' || ch === '\b') typed = typed.slice(0, -1);
        else typed += ch;
      }
    };
    stdin.on('data', onData);
  });
}
