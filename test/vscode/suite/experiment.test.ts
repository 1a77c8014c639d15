import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { KIT_ENV_TEXT } from '../harness/workspace';
import { api, workspaceFolder } from './util';

/** The fixture kit's call log (test/fixtures/research-kit/experiment.sh), one record per phase call. */
async function kitCalls(): Promise<Record<string, string>[]> {
  const file = process.env.EXPERIMENT_LOG!;
  if (!existsSync(file)) return [];
  const text = await readFile(file, 'utf8');
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => Object.fromEntries(l.split(' ').filter((kv) => kv.includes('=')).map((kv) => kv.split('=') as [string, string])));
}

/** Phase banners the extension wrote to its Experiment channel since `from`. */
function banners(text: string): string[] {
  return [...text.matchAll(/^▶ (\w+) /gm)].map((m) => m[1]!);
}

describe('Run Experiment Cycle / Full / Program (fixture kit, real cloud-run, real sshd)', function () {
  this.timeout(120_000);
  const root = (): string => workspaceFolder().uri.fsPath;
  const kitEnv = (text: string): Promise<void> => writeFile(path.join(root(), '.orchestration-kit.env'), text);

  beforeEach(async () => {
    assert.ok(process.env.EXPERIMENT_LOG, 'the runner sets EXPERIMENT_LOG');
    await rm(process.env.EXPERIMENT_LOG!, { force: true });
    await rm(path.join(root(), 'results'), { recursive: true, force: true });
  });

  after(async () => {
    await kitEnv(KIT_ENV_TEXT);
  });

  it('cycle on ec2: FRAME RUN SYNC READ LOG, RUN on the host, metrics.json local before READ, phases in the channel', async () => {
    const a = await api();
    await kitEnv('# research kit\nCOMPUTE_TARGET=ec2\nMAX_GPU_HOURS=2\n');
    const before = a.experimentText().length;
    const ok = await vscode.commands.executeCommand('cloudJobs.runExperimentCycle', { specs: ['specs/alpha.md'] });
    const shown = a.experimentText().slice(before);
    assert.equal(ok, true, shown);
    assert.deepEqual(banners(shown), ['FRAME', 'RUN', 'SYNC', 'READ', 'LOG']);
    assert.match(shown, /── cycle specs\/alpha\.md \(COMPUTE_TARGET=ec2\) ──/);
    assert.match(shown, /\[kit\] frame specs\/alpha\.md\n/);
    assert.match(shown, /✔ specs\/alpha\.md: done/);

    const calls = await kitCalls();
    assert.deepEqual(calls.map((c) => c.phase), ['frame', 'run', 'read', 'log']);
    assert.deepEqual([calls[1]!.target, calls[1]!.directive, calls[1]!.directive_file], ['ec2', 'yes', 'yes']);
    assert.equal(calls[0]!.directive, 'no', 'only RUN gets the directive');
    assert.equal(calls[2]!.metrics, 'yes', 'metrics.json was local when READ started');
    // only the job on the host wrote this content: SYNC brought it back
    const metrics = JSON.parse(await readFile(path.join(root(), 'results/alpha/metrics.json'), 'utf8'));
    assert.deepEqual(metrics, { spec: 'alpha', accuracy: 0.93 });
    const runId = (await readFile(path.join(root(), 'results/alpha/.cloud-run-id'), 'utf8')).trim();
    await a.refresh();
    const job = a.jobs().find((j) => j.name === runId);
    assert.equal(job?.state, 'DONE', `the run ${runId} is a DONE job on the host`);
    assert.equal(job?.host, '127.0.0.1');
  });

  it('cycle on local: FRAME RUN READ LOG, no SYNC, no directive, nothing on the host', async () => {
    const a = await api();
    await kitEnv(KIT_ENV_TEXT); // COMPUTE_TARGET="${COMPUTE_TARGET:-local}"
    await a.refresh();
    const jobsBefore = a.jobs().length;
    const before = a.experimentText().length;
    const ok = await vscode.commands.executeCommand('cloudJobs.runExperimentCycle', { specs: ['specs/beta.md'] });
    const shown = a.experimentText().slice(before);
    assert.equal(ok, true, shown);
    assert.deepEqual(banners(shown), ['FRAME', 'RUN', 'READ', 'LOG']);
    assert.match(shown, /COMPUTE_TARGET=local/);
    const calls = await kitCalls();
    assert.deepEqual(calls.map((c) => c.phase), ['frame', 'run', 'read', 'log']);
    assert.ok(calls.every((c) => c.directive === 'no' && c.directive_file === 'no'));
    assert.equal(JSON.parse(await readFile(path.join(root(), 'results/beta/metrics.json'), 'utf8')).where, 'local');
    await a.refresh();
    assert.equal(a.jobs().length, jobsBefore, 'no job was started on the host');
  });

  it('full runs SURVEY with the question first; program keeps going past a failing spec and reports it', async () => {
    const a = await api();
    await kitEnv(KIT_ENV_TEXT);
    const okFull = await vscode.commands.executeCommand('cloudJobs.runExperimentFull', { question: 'why', specs: ['specs/alpha.md'] });
    assert.equal(okFull, true);
    assert.deepEqual((await kitCalls()).map((c) => `${c.phase}:${c.arg}`), ['survey:why', 'frame:specs/alpha.md', 'run:specs/alpha.md', 'read:specs/alpha.md', 'log:specs/alpha.md']);

    await rm(process.env.EXPERIMENT_LOG!, { force: true });
    await writeFile(path.join(root(), 'specs/gamma-fail-run.md'), '# fails in RUN\n');
    const before = a.experimentText().length;
    const okProgram = await vscode.commands.executeCommand('cloudJobs.runExperimentProgram', { specs: ['specs/gamma-fail-run.md', 'specs/beta.md'] });
    const shown = a.experimentText().slice(before);
    assert.equal(okProgram, false, 'a failing spec makes the program fail');
    assert.deepEqual((await kitCalls()).map((c) => `${c.phase}:${c.arg}`), ['frame:specs/gamma-fail-run.md', 'run:specs/gamma-fail-run.md', 'frame:specs/beta.md', 'run:specs/beta.md', 'read:specs/beta.md']);
    assert.match(shown, /✘ specs\/gamma-fail-run\.md: RUN failed for specs\/gamma-fail-run\.md/);
    assert.match(shown, /✔ specs\/beta\.md: done/);
  });
});
