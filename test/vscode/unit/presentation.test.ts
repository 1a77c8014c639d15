import * as assert from 'node:assert/strict';
import type { Job } from '../../../src/core/jobs/model';
import { JOB_STATES } from '../../../src/core/jobs/model';
import { formatDuration, hostDescription, jobContextValue, jobDescription, jobTooltipMarkdown, STATE_LOOK } from '../../../src/vscode/jobPresentation';

const job = (over: Partial<Job> = {}): Job => ({
  name: 'demo-train-20261121-0910',
  state: 'RUNNING',
  exitCode: null,
  host: 'gpu-box',
  logPath: '/home/u/logs/demo-train-20261121-0910/run.log',
  startedAt: '2026-11-21T09:10:00.000Z',
  endedAt: null,
  command: 'python3 train.py --epochs 3',
  workdir: '~/work/demo',
  outputDir: null,
  reason: null,
  route: 'cloud — llm_or_embedding: heavy work',
  attempt: 1,
  ...over,
});

describe('job presentation', () => {
  it('shows a running job\'s latest progress in its description and tooltip, and its ports', () => {
    const progress = { percent: 45, n: 45, total: 100, rate: '39.9it/s', eta: '00:01' };
    const j = job({ progress, ports: [{ port: 6006 }, { port: 5173, local: 15173 }] });
    const now = Date.parse('2026-11-21T09:12:00.000Z');
    assert.equal(jobDescription(j, now), 'running 2 min · 45% 45/100 39.9it/s ETA 00:01');
    const tip = jobTooltipMarkdown(j, now);
    assert.match(tip, /- \*\*Progress:\*\* 45% 45\/100 39\.9it\/s ETA 00:01/);
    assert.match(tip, /- \*\*Ports:\*\* 6006, 5173:15173/);
    assert.equal(jobDescription(job({ state: 'DONE', exitCode: 0, endedAt: '2026-11-21T09:11:00.000Z', progress }), now), 'exit 0 · 1m 00s');
  });

  it('a --cloudwatch job says how its shipping goes: in the description briefly, in the tooltip with group, stream and lines', () => {
    const now = Date.parse('2026-11-21T09:12:00.000Z');
    const cw = { group: '/orch/demo', stream: 'demo-train-20261121T091000Z-0a1b2c3d', linesShipped: 20001, lagBytes: 3277, state: 'shipping' as const, error: null, errorAt: null };
    assert.equal(jobDescription(job({ cloudwatch: cw }), now), 'running 2 min · CloudWatch 3.2 KB behind');
    assert.match(jobTooltipMarkdown(job({ cloudwatch: cw }), now), /- \*\*CloudWatch:\*\* `\/orch\/demo` stream `demo-train-20261121T091000Z-0a1b2c3d`: 20,001 lines shipped, 3\.2 KB behind/);
    assert.equal(jobDescription(job({ cloudwatch: { ...cw, lagBytes: 0 } }), now), 'running 2 min · CloudWatch');
    const failing = { ...cw, error: 'Could not connect to the endpoint URL', errorAt: '2026-11-21T09:11:00.000Z' };
    assert.equal(jobDescription(job({ cloudwatch: failing }), now), 'running 2 min · CloudWatch retrying');
    assert.match(jobTooltipMarkdown(job({ cloudwatch: failing }), now), /retrying: Could not connect to the endpoint URL/);
    const done = job({ state: 'DONE', exitCode: 0, endedAt: '2026-11-21T09:11:00.000Z', cloudwatch: { ...cw, lagBytes: 0, state: 'done' } });
    assert.equal(jobDescription(done, now), 'exit 0 · 1m 00s · CloudWatch ✓');
    assert.equal(jobDescription(job(), now), 'running 2 min');
    // a Slurm job (shipped by the login node) shows both
    const queued = job({ state: 'QUEUED', startedAt: null, slurmJobId: '1234', cloudwatch: { ...cw, linesShipped: 0, lagBytes: 0 } });
    assert.equal(jobDescription(queued, now), 'queued · Slurm 1234 · CloudWatch');
    assert.equal(jobDescription({ ...done, slurmJobId: '1234' }, now), 'exit 0 · 1m 00s · Slurm 1234 · CloudWatch ✓');
  });

  it('gives every state its own icon and colour', () => {
    const icons = new Set(JOB_STATES.map((s) => STATE_LOOK[s].icon));
    const colors = new Set(JOB_STATES.map((s) => STATE_LOOK[s].color));
    assert.equal(icons.size, JOB_STATES.length);
    assert.equal(colors.size, JOB_STATES.length);
  });

  it('describes active jobs by elapsed time and ended ones by exit code and run time', () => {
    const now = Date.parse('2026-11-21T09:13:12.000Z');
    assert.equal(jobDescription(job(), now), 'running 3 min');
    // a running row's clock moves by whole minutes (the tree redraws only when it moves)
    const started = Date.parse(job().startedAt!);
    assert.equal(jobDescription(job(), started + 59_000), 'running <1 min');
    assert.equal(jobDescription(job(), started + 65 * 60_000 + 59_000), 'running 1 h 5 min');
    assert.equal(jobDescription(job({ state: 'QUEUED', startedAt: null }), now), 'queued');
    assert.equal(jobDescription(job({ state: 'DONE', exitCode: 0, endedAt: '2026-11-21T10:12:00.000Z' }), now), 'exit 0 · 1h 02m');
    assert.equal(jobDescription(job({ state: 'FAILED', exitCode: 137, endedAt: '2026-11-21T09:10:45.000Z' }), now), 'exit 137 · 45s');
    assert.equal(jobDescription(job({ state: 'STOPPED', endedAt: '2026-11-21T09:11:00.000Z' }), now), 'stopped · 1m 00s');
  });

  it('sets contextValue per state, with flags for re-run, pull and rollback', () => {
    assert.equal(jobContextValue(job()), 'job.running');
    assert.equal(jobContextValue(job({ state: 'DONE', exitCode: 0, outputDir: 'results' })), 'job.done.rerunnable.pullable.rollbackable');
    assert.equal(jobContextValue(job({ state: 'FAILED', command: null, workdir: null })), 'job.failed');
    assert.equal(jobContextValue(job({ state: 'STOPPED' })), 'job.stopped.rerunnable.rollbackable');
    // the menus' regular expressions in package.json
    assert.match(jobContextValue(job({ state: 'QUEUED' })), /^job\.(queued|starting|running)\b/);
    assert.doesNotMatch(jobContextValue(job({ state: 'STOPPED' })), /^job\.(queued|starting|running)\b/);
  });

  it('puts command, host, start, log path and route reason in the tooltip, escaping markup', () => {
    const md = jobTooltipMarkdown(job({ reason: 'stopped after <2> hours' }), Date.parse('2026-11-21T09:11:00.000Z'));
    assert.match(md, /```sh\npython3 train\.py --epochs 3\n```/);
    assert.match(md, /\*\*Host:\*\* gpu-box/);
    assert.match(md, /run\.log/);
    assert.match(md, /Routed here because:\*\* cloud — llm_or_embedding: heavy work/);
    assert.match(md, /stopped after \\<2\\> hours/);
  });

  it('shows an L1 match and the attempt (L2) in the description and tooltip', () => {
    const now = Date.parse('2026-11-21T09:13:12.000Z');
    const mark = { l1: { pattern: 'cuda-oom', text: 'CUDA out of memory', line: 4 }, attempts: 3 };
    assert.equal(jobDescription(job({ attempt: 2 }), now, mark), '⚠ L1: CUDA out of memory · running 3 min · attempt 2/3');
    assert.equal(jobDescription(job({ attempt: 2 }), now), 'running 3 min · attempt 2');
    assert.equal(jobDescription(job(), now, { attempts: 1 }), 'running 3 min');
    const md = jobTooltipMarkdown(job({ attempt: 3 }), now, mark);
    assert.match(md, /\*\*Retries \(L2\):\*\* attempt 3\/3/);
    assert.match(md, /\*\*Log watch \(L1\):\*\* `CUDA out of memory` \(cuda-oom\) at line 4/);
  });

  it('formats durations', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(59_999), '59s');
    assert.equal(formatDuration(3_600_000), '1h 00m');
  });

  it('a host node says unreachable, or its running count and jobs', () => {
    assert.equal(hostDescription([job(), job({ state: 'DONE' })], undefined, true), '1 running · 2 jobs');
    assert.equal(hostDescription([job({ state: 'QUEUED' })], undefined, true), '1 job');
    assert.equal(hostDescription([], undefined, true), '0 jobs');
    assert.equal(hostDescription([job()], 'connection refused', true), 'unreachable');
    assert.equal(hostDescription([], undefined, false), 'connecting…');
  });

  it('a job holding GPUs shows them on its row, and the host node says which are in use', () => {
    const a = job({ gpus: [2, 0] });
    assert.match(jobDescription(a, Date.now()), /GPU 2,0/);
    assert.match(jobTooltipMarkdown(a, Date.now()), /\*\*GPUs:\*\* 2, 0 \(CUDA_VISIBLE_DEVICES\)/);
    assert.equal(hostDescription([a, job({ gpus: [1] }), job({ state: 'DONE', gpus: [3] })], undefined, true), '2 running · 3 jobs · GPU 0,1,2 in use');
    assert.doesNotMatch(jobDescription(job({ state: 'DONE', gpus: [3] }), Date.now()), /GPU/);
  });

  it('a host whose GPU inventory is known says how many are free, beside reachable and running', () => {
    const jobs = [job({ gpus: [0, 1] }), job({ state: 'QUEUED' }), job({ state: 'DONE', gpus: [3] })];
    assert.equal(hostDescription(jobs, undefined, true, 4), '1 running · 3 jobs · 2 of 4 GPUs free');
    assert.equal(hostDescription([], undefined, true, 1), '0 jobs · 1 of 1 GPU free');
    assert.equal(hostDescription([job({ gpus: [0] })], undefined, true, 0), '1 running · 1 job · GPU 0 in use', 'no inventory: the held ones');
    assert.equal(hostDescription(jobs, 'connection refused', true, 4), 'unreachable');
  });
});
