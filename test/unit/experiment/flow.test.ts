import { strict as assert } from 'node:assert';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { planExperiment, runExperiment, type ExperimentEvent, type ExperimentRequest, type ProcessRunner, type ProcessSpec } from '../../../src/core/experiment/index';

// A hand-written fake of the process runner: records each call and plays a scripted kit.
// The real kit, cloud-run and sshd run in test/integration/experiment.
interface Call { what: string; env: NodeJS.ProcessEnv }

function fakeKit(ws: string, opts: { failPhase?: Record<string, string>; noMetrics?: boolean; onRun?: () => void } = {}) {
  const calls: Call[] = [];
  const runner: ProcessRunner = async (spec: ProcessSpec, hooks) => {
    const words = [path.basename(spec.file), ...spec.args.map((a) => (a.startsWith(ws) ? path.relative(ws, a) : a))];
    const [, phase, arg] = spec.args;
    if (words[0] === 'orch') {
      calls.push({ what: words.join(' '), env: spec.env });
      return 0;
    }
    if (words[0] === 'cloud-run') {
      calls.push({ what: `cloud-run ${words.slice(1).join(' ')}`, env: spec.env });
      const out = spec.args[3];
      if (!opts.noMetrics) await writeFile(path.join(out, 'metrics.json'), '{}');
      return 0;
    }
    calls.push({ what: `${phase} ${arg}`, env: spec.env });
    hooks.onOutput?.(`kit says ${phase}\n`, 'stdout');
    if (opts.failPhase?.[arg] === phase) return 3;
    if (phase === 'run') {
      opts.onRun?.();
      if (spec.env.COMPUTE_TARGET === 'ec2') {
        const results = path.join(ws, 'results', path.parse(arg).name);
        await mkdir(results, { recursive: true });
        await writeFile(path.join(results, '.cloud-run-id'), `job-${path.parse(arg).name}\n`);
      }
    }
    return 0;
  };
  return { calls, runner, what: () => calls.map((c) => c.what) };
}

describe('experiment flows (fake phase runner)', () => {
  let ws: string;
  let cloudRun: string;
  beforeEach(async () => {
    ws = await mkdtemp(path.join(tmpdir(), 'orch-flow-'));
    await writeFile(path.join(ws, 'experiment.sh'), '#!/bin/bash\n');
    cloudRun = path.join(ws, 'bin', 'cloud-run');
    await mkdir(path.dirname(cloudRun));
    await writeFile(cloudRun, '#!/bin/sh\n');
    await chmod(cloudRun, 0o755);
  });
  afterEach(() => rm(ws, { recursive: true, force: true }));

  const plan = (r: Partial<ExperimentRequest> & Pick<ExperimentRequest, 'flow' | 'specs'>, target?: string) =>
    planExperiment({ workspaceRoot: ws, cloudRun, env: target ? { COMPUTE_TARGET: target, PATH: '/bin' } : { PATH: '/bin' }, ...r });

  it('cycle on ec2: FRAME RUN SYNC READ LOG, the directive for RUN only, the run pulled before READ', async () => {
    const kit = fakeKit(ws);
    const events: ExperimentEvent[] = [];
    const result = await runExperiment(await plan({ flow: 'cycle', specs: ['specs/a.md'] }, 'ec2'), { onEvent: (e) => events.push(e) }, kit.runner);
    assert.equal(result.ok, true);
    assert.deepEqual(kit.what(), [
      'frame specs/a.md',
      'run specs/a.md',
      'cloud-run pull job-a --output-dir results/a',
      'read specs/a.md',
      'log specs/a.md',
    ]);
    assert.deepEqual(events.filter((e) => e.kind === 'phase-start').map((e) => e.kind === 'phase-start' && `${e.step}/${e.steps} ${e.phase}`), ['1/5 frame', '2/5 run', '3/5 sync', '4/5 read', '5/5 log']);
    const [frame, run, , read] = kit.calls;
    assert.equal(run.env.COMPUTE_TARGET, 'ec2');
    assert.equal(run.env.ORCH_CLOUD_RUN, cloudRun);
    assert.match(run.env.COMPUTE_DIRECTIVE!, /MANDATORY — EC2/);
    assert.ok(run.env.COMPUTE_DIRECTIVE!.includes(`${cloudRun} run "python <your-script>"`));
    assert.equal(frame.env.COMPUTE_DIRECTIVE, undefined);
    assert.equal(read.env.COMPUTE_DIRECTIVE, undefined);
    const onDisk = await readFile(path.join(ws, 'results/a/.compute-directive.md'), 'utf8');
    assert.equal(onDisk, run.env.COMPUTE_DIRECTIVE!.trimStart() + '\n');
    assert.deepEqual(result.outcomes[0].warnings, []);
  });

  it('waits for a detached cloud run to end (orch logs -f) before pulling it, when orch sits next to cloud-run', async () => {
    const orch = path.join(path.dirname(cloudRun), 'orch');
    await writeFile(orch, '#!/bin/sh\n');
    await chmod(orch, 0o755);
    const kit = fakeKit(ws);
    await runExperiment(await plan({ flow: 'cycle', specs: ['specs/a.md'] }, 'ec2'), {}, kit.runner);
    assert.deepEqual(kit.what().slice(2, 4), ['orch logs job-a -f', 'cloud-run pull job-a --output-dir results/a']);
  });

  it('cycle on local: FRAME RUN READ LOG with the environment as it was plus the resolved COMPUTE_TARGET; no directive, no pull', async () => {
    await writeFile(path.join(ws, '.orchestration-kit.env'), 'COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n');
    await mkdir(path.join(ws, 'results/a'), { recursive: true });
    await writeFile(path.join(ws, 'results/a/.compute-directive.md'), 'stale from an ec2 run');
    const kit = fakeKit(ws);
    const result = await runExperiment(await plan({ flow: 'cycle', specs: ['specs/a.md'] }), {}, kit.runner);
    assert.equal(result.ok, true);
    assert.deepEqual(kit.what(), ['frame specs/a.md', 'run specs/a.md', 'read specs/a.md', 'log specs/a.md']);
    // the phases learn the target the kit's file resolved to, for local as for ec2
    for (const c of kit.calls) assert.deepEqual(c.env, { PATH: '/bin', COMPUTE_TARGET: 'local' });
    assert.equal(existsSync(path.join(ws, 'results/a/.compute-directive.md')), false);
  });

  it('full: SURVEY with the question first, then the cycle', async () => {
    const kit = fakeKit(ws);
    const result = await runExperiment(await plan({ flow: 'full', question: 'does dropout help?', specs: ['b.md'] }), {}, kit.runner);
    assert.equal(result.ok, true);
    assert.deepEqual(kit.what(), ['survey does dropout help?', 'frame b.md', 'run b.md', 'read b.md', 'log b.md']);
  });

  it('full: a failing SURVEY stops everything after it', async () => {
    const kit = fakeKit(ws, { failPhase: { 'why?': 'survey' } });
    const result = await runExperiment(await plan({ flow: 'full', question: 'why?', specs: ['b.md'] }, 'ec2'), {}, kit.runner);
    assert.deepEqual(kit.what(), ['survey why?']);
    assert.equal(result.outcomes[0].message, 'SURVEY failed: experiment.sh survey exited with status 3.');
  });

  it('a failing phase stops its cycle and is named', async () => {
    const kit = fakeKit(ws, { failPhase: { 'a.md': 'run' } });
    const result = await runExperiment(await plan({ flow: 'cycle', specs: ['a.md'] }, 'ec2'), {}, kit.runner);
    assert.equal(result.ok, false);
    assert.deepEqual(kit.what(), ['frame a.md', 'run a.md']);
    assert.equal(result.outcomes[0].failedPhase, 'run');
    assert.equal(result.outcomes[0].message, 'RUN failed for a.md: experiment.sh run exited with status 3.');
  });

  it('program: each spec in its own failure scope, no LOG', async () => {
    const kit = fakeKit(ws, { failPhase: { 'b.md': 'frame' } });
    const starts: string[] = [];
    const onEvent = (e: ExperimentEvent) => e.kind === 'phase-start' && starts.push(`${e.specIndex}/${e.specCount} ${e.step}/${e.steps} ${e.phase}`);
    const result = await runExperiment(await plan({ flow: 'program', specs: ['a.md', 'b.md', 'c.md'] }, 'ec2'), { onEvent }, kit.runner);
    assert.deepEqual(starts.slice(3, 6), ['1/3 4/4 read', '2/3 1/4 frame', '3/3 1/4 frame']);
    assert.equal(result.ok, false);
    assert.deepEqual(kit.what(), [
      'frame a.md', 'run a.md', 'cloud-run pull job-a --output-dir results/a', 'read a.md',
      'frame b.md',
      'frame c.md', 'run c.md', 'cloud-run pull job-c --output-dir results/c', 'read c.md',
    ]);
    assert.deepEqual(result.outcomes.map((o) => [o.spec, o.ok, o.failedPhase]), [['a.md', true, undefined], ['b.md', false, 'frame'], ['c.md', true, undefined]]);
  });

  it('a missing metrics.json is a warning and READ still runs', async () => {
    const kit = fakeKit(ws, { noMetrics: true });
    const warnings: string[] = [];
    const result = await runExperiment(await plan({ flow: 'cycle', specs: ['a.md'] }, 'ec2'), { onEvent: (e) => e.kind === 'warning' && warnings.push(e.message) }, kit.runner);
    assert.equal(result.ok, true);
    assert.deepEqual(kit.what().slice(-2), ['read a.md', 'log a.md']);
    assert.deepEqual(warnings, ['metrics.json not found in results/a/ after sync; READ runs without it.']);
    assert.deepEqual(result.outcomes[0].warnings, warnings);
  });

  it('does not pull again a run id that was there before this RUN', async () => {
    await mkdir(path.join(ws, 'results/a'), { recursive: true });
    await writeFile(path.join(ws, 'results/a/.cloud-run-id'), 'job-old\n');
    const kit = fakeKit(ws);
    const runner: ProcessRunner = (spec, hooks) => (spec.args[1] === 'run' ? Promise.resolve(0) : kit.runner(spec, hooks));
    const result = await runExperiment(await plan({ flow: 'cycle', specs: ['a.md'] }, 'ec2'), {}, runner);
    assert.ok(!kit.what().some((w) => w.startsWith('cloud-run')));
    assert.match(result.outcomes[0].warnings[0], /still names job-old from before this RUN/);
  });

  it('cancel stops the flow: no later phase and no later spec starts', async () => {
    const ac = new AbortController();
    const kit = fakeKit(ws, { onRun: () => ac.abort() });
    const result = await runExperiment(await plan({ flow: 'program', specs: ['a.md', 'b.md'] }), { signal: ac.signal }, kit.runner);
    assert.equal(result.cancelled, true);
    assert.equal(result.ok, false);
    assert.deepEqual(kit.what(), ['frame a.md', 'run a.md']);
    assert.match(result.outcomes[0].message!, /Cancelled during RUN of a\.md/);
  });

  it('checks the request before anything runs', async () => {
    await assert.rejects(plan({ flow: 'cycle', specs: [] }), /Give exactly one spec/);
    await assert.rejects(plan({ flow: 'full', specs: ['a.md'] }), /needs a question/);
    await assert.rejects(plan({ flow: 'program', specs: [] }), /at least one spec/);
  });

  it('puts results where RESULTS_DIR says, {spec} standing for the spec name', async () => {
    await writeFile(path.join(ws, '.orchestration-kit.env'), 'RESULTS_DIR="runs/{spec}/out"\n');
    const p = await plan({ flow: 'program', specs: ['specs/x.yaml', `${ws}/y.md`] });
    assert.deepEqual(p.specs.map((s) => [s.spec, s.resultsShown]), [['specs/x.yaml', 'runs/x/out'], ['y.md', 'runs/y/out']]);
  });
});
