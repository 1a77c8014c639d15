import type { Job } from '../../../src/core/jobs/model';

export function fakeJob(over: Partial<Job> = {}): Job {
  return {
    name: 'job1',
    state: 'RUNNING',
    exitCode: null,
    host: 'box',
    logPath: '/home/u/logs/job1/run.log',
    startedAt: '2026-01-02T03:04:05.000Z',
    endedAt: null,
    command: 'echo hi',
    workdir: '~/work/p',
    outputDir: null,
    reason: null,
    route: null,
    attempt: 1,
    ...over,
  };
}
