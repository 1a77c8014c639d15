/**
 * Following a job's run.log: `tail -c +N -F` on the host (ops/follow.sh) until the job has
 * ended and its `[EXIT: N]` line is out. A dropped connection is resumed from the last byte
 * RECEIVED (never a line count), so no byte is lost or doubled; reconnects back off and give up
 * after a bounded time with a UserError. A catch-up of 64 KB or more comes packed (lib/pack.sh,
 * ops/follow.sh), then the live part plain; `offset` counts bytes of run.log as decoded, so a
 * resume after a cut in the packed part starts at the exact byte too.
 */
import { UserError } from '../errors';
import { isActive, type Job } from '../jobs/model';
import type { FollowOptions } from './api';
import { callHost } from '../../host/call';
import { HostExit } from '../../host/protocol';
import { ConnectionLostError, type ShellTarget } from '../../host/target';
import { Unpacker } from '../../host/unpack';

export interface FollowRequest {
  target: ShellTarget;
  name: string;
  fromByte: number;
  /** The log root (the library's fields). */
  root: string;
  /** The codecs to ask for (EngineOptions.pack). */
  pack: string;
  get: () => Promise<Job | undefined>;
  notFound: () => UserError;
  options: FollowOptions;
  reconnectWindowMs: number;
}

export async function followLog(req: FollowRequest): Promise<Job> {
  const { target, options } = req;
  let offset = req.fromByte;
  let attempt = 0;
  let lostAt: number | undefined;

  const finalJob = async (): Promise<Job> => {
    const job = await req.get();
    if (!job) throw req.notFound();
    return job;
  };

  while (true) {
    if (options.signal?.aborted) return finalJob();
    const unpacker = new Unpacker((chunk) => {
      offset += chunk.length;
      const taken = options.onData(chunk);
      return taken instanceof Promise ? taken.then(() => undefined) : undefined;
    });
    try {
      const fields = { name: req.name, from: String(offset), pack: req.pack };
      let res;
      try {
        res = await callHost(target, 'follow', req.root, fields, { signal: options.signal, stdout: unpacker });
        if (res.code === 0 || res.code === HostExit.caughtUp) await unpacker.finish();
      } finally {
        // Nothing decoded after this point may move the offset (a resume starts from it).
        unpacker.abandon();
      }
      if (res.code === null) return finalJob();
      if (res.code === HostExit.notFound) throw req.notFound();
      if (res.code === HostExit.caughtUp) {
        attempt = 0;
        lostAt = undefined;
        continue;
      }
      if (res.code !== 0) {
        throw new UserError(`Could not follow the log of ${req.name} on ${target.host} (exit ${res.code}).`);
      }
      const job = await finalJob();
      attempt = 0;
      lostAt = undefined;
      if (!isActive(job.state)) return job;
      // Ended from tail's point of view but not yet by state (a session still being created):
      // follow again from where we are.
      await delay(300, options.signal);
    } catch (e) {
      const lost = e instanceof ConnectionLostError;
      // The first failure must be a lost connection; while reconnecting, a refused connect
      // (the host is restarting) is retried too.
      if (!lost && lostAt === undefined) throw e;
      const now = Date.now();
      lostAt ??= now;
      if (now - lostAt > req.reconnectWindowMs) {
        throw new UserError(
          `Lost the connection to ${target.host} while following ${req.name} and could not reconnect within ${Math.round(req.reconnectWindowMs / 1000)} s; the job itself is not affected.`,
          { cause: e },
        );
      }
      attempt++;
      options.onReconnect?.({ attempt, fromByte: offset });
      await delay(Math.min(200 * 2 ** (attempt - 1), 3000), options.signal);
    }
  }
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
