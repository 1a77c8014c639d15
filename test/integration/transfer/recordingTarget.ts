/** A target that keeps each call's stdin as sent (streamed ones as they pass), for sentStreams.ts. */
import { Readable, Transform } from 'node:stream';
import type { ShellTarget } from '../../../src/host/target';

export function recordingTarget(real: ShellTarget): { target: ShellTarget; stdins: Buffer[] } {
  const stdins: Buffer[] = [];
  const target: ShellTarget = {
    host: real.host,
    close: () => real.close(),
    exec(script, opts = {}) {
      if (Buffer.isBuffer(opts.stdin)) stdins.push(opts.stdin);
      const input = opts.stdin;
      if (input instanceof Readable) {
        const i = stdins.push(Buffer.alloc(0)) - 1;
        // A transform that records what passes: a 'data' listener on the stream itself would set
        // it flowing before the channel is open. The source's error is passed on as the exec's own.
        const recorder = new Transform({ transform: (c: Buffer, _e, done) => ((stdins[i] = Buffer.concat([stdins[i]!, c] as unknown as Uint8Array[])), done(null, c)) });
        input.once('error', (e) => recorder.destroy(e));
        return real.exec(script, { ...opts, stdin: input.pipe(recorder) });
      }
      return real.exec(script, opts);
    },
  };
  return { target, stdins };
}
