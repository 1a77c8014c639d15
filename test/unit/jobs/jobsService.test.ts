import { strict as assert } from 'node:assert';
import type { Engine } from '../../../src/core/engine/api';
import type { ShellTarget } from '../../../src/host/target';
import { JobsService, type JobsSnapshot } from '../../../src/core/jobs/jobsService';
import type { Job } from '../../../src/core/jobs/model';

function job(name: string, state: Job['state'] = 'RUNNING'): Job {
  return { name, state, exitCode: null, host: 'box', logPath: `/l/${name}/run.log`, startedAt: null, endedAt: null, command: 'x', workdir: '~/w', outputDir: null, reason: null, route: null, attempt: 1 };
}

/** An engine whose `list` answers from a script of results (a Job[] or an Error). */
function fakeEngine(answers: (Job[] | Error)[]): Engine {
  return {
    host: 'box',
    list: async () => {
      const a = answers.length > 1 ? answers.shift()! : answers[0];
      if (a instanceof Error) throw a;
      return a;
    },
    close: async () => undefined,
  } as unknown as Engine;
}

const noTarget = { host: 'box', exec: async () => ({ code: 0, stdout: Buffer.alloc(0), stderr: '' }), close: async () => undefined } as ShellTarget;
const quiet = { info: () => undefined, warn: () => undefined };

describe('JobsService (the jobs snapshot)', () => {
  it('keeps the last known jobs of a host whose listing fails, marked stale, with the error', async () => {
    const engine = fakeEngine([[job('a'), job('b', 'DONE')], new Error('connect ECONNREFUSED 127.0.0.1:22'), [job('a', 'DONE'), job('b', 'DONE')]]);
    const s = new JobsService(async () => ({ engine, target: noTarget, logRoot: '~/logs' }), async () => ['remote'], quiet, { watch: false });
    const seen: JobsSnapshot[] = [];
    s.onDidChange((snap) => seen.push(snap));
    assert.equal(s.snapshot.loaded, false);
    await s.refresh();
    assert.deepEqual(s.snapshot.jobs.map((j) => j.name), ['a', 'b']);
    await s.refresh();
    assert.deepEqual(s.snapshot.jobs.map((j) => `${j.name}:${j.state}`), ['a:RUNNING', 'b:DONE'], 'the tree keeps its rows');
    assert.deepEqual([...s.snapshot.stale], ['box']);
    assert.match(s.snapshot.errors.get('box')!, /ECONNREFUSED/);
    await s.refresh();
    assert.deepEqual([...s.snapshot.stale], [], 'a listing that works clears the mark');
    assert.equal(s.snapshot.errors.size, 0);
    assert.equal(s.snapshot.jobs[0].state, 'DONE');
    assert.equal(seen.length, 3);
    s.dispose();
  });

  it('sends no change event for a listing that changed nothing (each event redraws the tree)', async () => {
    const engine = fakeEngine([[job('a')], [job('a')], [job('a', 'DONE')], new Error('connect ECONNREFUSED'), new Error('connect ECONNREFUSED')]);
    const s = new JobsService(async () => ({ engine, target: noTarget, logRoot: '~/logs' }), async () => ['remote'], quiet, { watch: false });
    const seen: string[] = [];
    s.onDidChange((snap) => seen.push(snap.jobs.map((j) => `${j.name}:${j.state}`).join() + (snap.errors.size ? ' error' : '')));
    let listings = 0;
    s.onDidList(() => listings++);
    for (let i = 0; i < 5; i++) await s.refresh();
    assert.deepEqual(seen, ['a:RUNNING', 'a:DONE', 'a:DONE error']);
    assert.equal(listings, 5, 'onDidList tells every listing (the EC2 box is re-read beside it)');
    s.dispose();
  });

  it('puts the GPU inventory of each host in the snapshot, read once; a failed read is asked again, the last one kept meanwhile', async () => {
    let reads = 0;
    const answers: (number | undefined | Error)[] = [new Error('probe timed out'), 4];
    const engine = fakeEngine([[job('a')], [job('a')], new Error('connect ECONNREFUSED')]);
    const gpuInventory = async () => {
      reads++;
      const a = answers.length ? answers.shift() : 99;
      if (a instanceof Error) throw a;
      return a;
    };
    const s = new JobsService(async () => ({ engine, target: noTarget, logRoot: '~/logs', gpuInventory }), async () => ['remote'], quiet, { watch: false });
    await s.refresh();
    assert.equal(s.snapshot.gpus.size, 0, 'unknown after a failed read');
    await s.refresh();
    assert.equal(s.snapshot.gpus.get('box'), 4);
    await s.refresh(); // the listing fails: the inventory last known stays beside the stale jobs
    assert.equal(s.snapshot.gpus.get('box'), 4);
    assert.deepEqual([...s.snapshot.stale], ['box']);
    assert.equal(reads, 2, 'not asked again once known');
    await s.reset(false);
    assert.equal(s.snapshot.gpus.size, 0);
    s.dispose();
  });

  it('coalesces refreshes asked for while one runs into one more', async () => {
    let lists = 0;
    const engine = { host: 'box', list: async () => (lists++, await new Promise((r) => setTimeout(r, 20)), []), close: async () => undefined } as unknown as Engine;
    const s = new JobsService(async () => ({ engine, target: noTarget, logRoot: '~/logs' }), async () => ['remote'], quiet, { watch: false });
    await Promise.all([s.refresh(), s.refresh(), s.refresh(), s.refresh()]);
    assert.equal(lists, 2);
    s.dispose();
  });

  it('refreshes when the host says its log root changed, and not while it stays the same', async () => {
    let lists = 0;
    const engine = { host: 'box', list: async () => (lists++, []), close: async () => undefined } as unknown as Engine;
    // the host's answers to the watch exec: the baseline, then a change, then it waits (aborted by reset)
    const answers = ['sig1', 'sig2'];
    const target: ShellTarget = {
      host: 'box',
      exec: (_script, o) =>
        new Promise((resolve) => {
          const next = answers.shift();
          if (next) return resolve({ code: 0, stdout: Buffer.from(`${next}\n`), stderr: '' });
          o?.signal?.addEventListener('abort', () => resolve({ code: null, stdout: Buffer.alloc(0), stderr: '' }));
        }),
      close: async () => undefined,
    };
    const s = new JobsService(async () => ({ engine, target, logRoot: '~/logs' }), async () => ['remote'], quiet);
    await s.refresh();
    for (let i = 0; i < 50 && lists < 2; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50)); // and no more after it
    assert.equal(lists, 2, 'the opening refresh, then one for the change (none for the baseline)');
    await s.reset(false);
    s.dispose();
  });
});
