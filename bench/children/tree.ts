/**
 * Child process: draws the Cloud Jobs tree for 500 jobs with the fake `vscode` module
 * (getChildren of the root, then getTreeItem of every node) and prints the timings as JSON.
 * Bundled with `vscode` aliased to fakeVscode.ts.
 */
import { performance } from 'node:perf_hooks';
import type { Job, JobState } from '../../src/core/jobs/model';
import { JobsTreeProvider } from '../../src/vscode/jobsTree';
import type { JobsService } from '../../src/core/jobs/jobsService';

const COUNT = Number(process.argv[2] ?? 500);
const REPS = Number(process.argv[3] ?? 30);
const states: JobState[] = ['RUNNING', 'DONE', 'FAILED', 'STOPPED', 'QUEUED', 'DONE', 'DONE', 'STARTING'];
const now = Date.now();

const jobs: Job[] = Array.from({ length: COUNT }, (_, i) => {
  const state = states[i % states.length]!;
  const ended = state === 'DONE' || state === 'FAILED' || state === 'STOPPED';
  return {
    name: `bench-job-${String(i).padStart(4, '0')}-20260101-1200`,
    state,
    exitCode: state === 'DONE' ? 0 : state === 'FAILED' ? 1 : state === 'STOPPED' ? 143 : null,
    host: 'ec2-bench',
    logPath: `/home/ubuntu/logs/bench-job-${i}/run.log`,
    startedAt: new Date(now - (i + 1) * 60_000).toISOString(),
    endedAt: ended ? new Date(now - i * 60_000).toISOString() : null,
    command: `python train.py --seed ${i} --epochs 10`,
    workdir: '/home/ubuntu/work/bench',
    outputDir: i % 3 === 0 ? `results/run${i}` : null,
    reason: state === 'FAILED' ? 'exit status 1' : null,
    route: 'runtime_estimate > 10min',
    attempt: 1,
  };
});

const service = {
  snapshot: { jobs, hosts: ['ec2-bench'], errors: new Map<string, string>(), stale: new Set<string>(), loaded: true },
  onDidChange: () => ({ dispose: () => undefined }),
} as unknown as JobsService;

function drawOnce(provider: JobsTreeProvider): number {
  let items = 0;
  const walk = (node?: Parameters<JobsTreeProvider['getChildren']>[0]): void => {
    for (const child of provider.getChildren(node)) {
      provider.getTreeItem(child);
      items++;
      if (child.kind === 'host') walk(child);
    }
  };
  walk();
  return items;
}

// No guardrail marks on any job (the extension's JobMarks, when the provider takes them): the
// provider is built through a loose constructor type so this child builds either way.
const noMarks = { get: () => undefined, onDidChange: () => ({ dispose: () => undefined }) };
const Provider = JobsTreeProvider as unknown as new (jobs: JobsService, marks: typeof noMarks) => JobsTreeProvider;
const provider = new Provider(service, noMarks);
let t = performance.now();
const items = drawOnce(provider);
const firstMs = performance.now() - t;
const times: number[] = [];
for (let i = 0; i < REPS; i++) {
  t = performance.now();
  drawOnce(provider);
  times.push(performance.now() - t);
}
process.stdout.write(JSON.stringify({ items, firstMs, times }) + '\n');
