import { strict as assert } from 'node:assert';
import { waitForJob } from '../../../src/cli/follow';
import type { Engine, FollowOptions } from '../../../src/core/engine/api';
import type { Job } from '../../../src/core/jobs/model';
import { fakeJob } from './fakeJob';
import { memoryIo } from './memoryIo';

/** Only `follow` is used by waitForJob; it replays the given chunks and ends with `final`. */
function followingEngine(chunks: string[], final: Job, opts: { waitForAbort?: boolean } = {}): Engine {
  const unused = () => Promise.reject(new Error('not used'));
  return {
    host: 'box',
    run: unused,
    list: unused,
    status: unused,
    get: unused,
    readLog: unused,
    writeLog: unused,
    stop: unused,
    stopJob: unused,
    stopAll: unused,
    close: () => Promise.resolve(),
    async follow(_name: string, o: FollowOptions) {
      for (const c of chunks) o.onData(Buffer.from(c));
      // as the real follow does: an already aborted signal (Ctrl-C while the watch options were
      // read) ends it at once, a later one when it comes
      if (opts.waitForAbort && !o.signal?.aborted) await new Promise((r) => o.signal?.addEventListener('abort', r));
      return final;
    },
  };
}

describe('--wait', () => {
  it("streams the log to stdout, prints the outcome on stderr and returns the job's status", async () => {
    const io = memoryIo();
    const done = fakeJob({ state: 'FAILED', exitCode: 3, endedAt: '2026-01-02T03:04:07.000Z' });
    const code = await waitForJob(followingEngine(['line 1\n', 'line 2\n[EXIT: 3]\n'], done), 'job1', io);
    assert.equal(code, 3);
    assert.equal(io.out(), 'line 1\nline 2\n[EXIT: 3]\n');
    assert.equal(io.err(), 'orch: job job1 FAILED (exit 3) after 2s\n');
  });

  it('leaves the job alone on Ctrl-C and says how to follow it again', async () => {
    const io = memoryIo();
    const pending = waitForJob(followingEngine(['working\n'], fakeJob({ state: 'RUNNING' }), { waitForAbort: true }), 'job1', io);
    setTimeout(() => io.abort(), 5);
    assert.equal(await pending, 130);
    assert.match(io.err(), /job job1 keeps running \(orch logs -f job1\)/);
  });
});
