import * as path from 'node:path';
import type { CliIO, Command } from '../command';
import { writeLine } from '../command';
import { parseArgs } from '../args';
import { UserError, usageError } from '../../core/errors';
import { KIT_ENV_FILE } from '../../core/config/computeTarget';
import { planExperiment, runExperiment, type ExperimentPlan, type ExperimentResult, type FlowKind } from '../../core/experiment/index';
import { pathExists as exists } from '../../core/fsProbe';

const HELP = `Usage:
  orch experiment cycle <spec>              FRAME -> RUN -> SYNC -> READ -> LOG
  orch experiment full <question> <spec>    SURVEY, then the cycle
  orch experiment program <spec...>         FRAME -> RUN -> SYNC -> READ for each spec

Runs the research kit's experiment.sh phase by phase (experiment.sh <phase> <spec>), streaming
its output. The compute target is COMPUTE_TARGET from .orchestration-kit.env at the workspace
root (bash semantics: COMPUTE_TARGET="\${COMPUTE_TARGET:-local}" takes the environment's value).
With ec2, RUN gets the mandatory EC2 directive (COMPUTE_DIRECTIVE and
<results>/.compute-directive.md) naming this package's cloud-run, and SYNC pulls the run in
<results>/.cloud-run-id back into <results>/ and checks metrics.json. With local, SYNC is skipped.
In a program each spec is its own failure scope; a summary ends it.

The workspace root is the nearest directory up from here holding .orchestration-kit.env or
experiment.sh. The kit is found at <root>/experiment.sh, else
$ORCHESTRATION_KIT_ROOT/research-kit/experiment.sh.

Options:
  --kit PATH         the kit's experiment.sh
  --cloud-run PATH   the cloud-run to name in the directive (default: this package's, or $ORCH_CLOUD_RUN)

Exit status: 0 all phases succeeded; 1 a phase failed (or a spec of a program); 2 bad input;
130 cancelled.`;

const FLOWS: FlowKind[] = ['cycle', 'full', 'program'];

const OPTIONS = { kit: { kind: 'string' as const }, 'cloud-run': { kind: 'string' as const } };

export const experimentCommand: Command = {
  name: 'experiment',
  options: OPTIONS,
  operands: { words: FLOWS },
  summary: 'Run the research kit\'s experiment cycle (cycle, full, program).',
  help: HELP,
  async run(argv: string[], io: CliIO): Promise<number> {
    const parsed = parseArgs(argv, OPTIONS);
    const [flow, ...words] = parsed.positionals;
    if (!FLOWS.includes(flow as FlowKind)) {
      throw usageError(flow === undefined ? 'Say which flow: orch experiment cycle|full|program ...' : `Unknown flow "${flow}"; use cycle, full or program.`);
    }
    const kind = flow as FlowKind;
    const question = kind === 'full' ? words[0] : undefined;
    const specs = kind === 'full' ? words.slice(1) : words;
    const workspaceRoot = await findWorkspaceRoot(io.cwd);
    const plan = await planExperiment({
      flow: kind,
      workspaceRoot,
      specs,
      question,
      kit: parsed.options.kit as string | undefined,
      cloudRun: parsed.options['cloud-run'] as string | undefined,
      cwd: io.cwd,
      env: io.env,
    });
    writeLine(io.stdout, header(plan));
    const result = await runExperiment(plan, {
      signal: io.signal,
      onOutput: (text, stream) => io[stream].write(text),
      onEvent: (e) => {
        if (e.kind === 'phase-start') writeLine(io.stdout, `==> [${e.step}/${e.steps}] ${e.phase.toUpperCase()} ${e.phase === 'survey' ? JSON.stringify(plan.question) : e.spec}`);
        if (e.kind === 'warning') writeLine(io.stderr, `orch: warning: ${e.message}`);
      },
    });
    return finish(plan, result, io);
  },
};

function header(plan: ExperimentPlan): string {
  const name = { cycle: 'Experiment cycle', full: 'Full research cycle', program: 'Experiment program' }[plan.flow];
  return `${name} on ${plan.target.target} (COMPUTE_TARGET: ${plan.target.source}); kit ${plan.kit}`;
}

function finish(plan: ExperimentPlan, result: ExperimentResult, io: CliIO): number {
  if (result.cancelled) {
    writeLine(io.stderr, 'orch: experiment cancelled.');
    return 130;
  }
  if (plan.flow !== 'program') {
    const outcome = result.outcomes[0];
    if (!outcome.ok) throw new UserError(outcome.message ?? 'A phase failed.');
    writeLine(io.stdout, `${plan.flow === 'full' ? 'Full research cycle' : 'Experiment cycle'} complete: ${outcome.spec}${warningNote(outcome.warnings.length)}.`);
    return 0;
  }
  writeLine(io.stdout, `Program summary (${plan.target.target}):`);
  const width = Math.max(...result.outcomes.map((o) => o.spec.length));
  for (const o of result.outcomes) {
    const status = o.ok ? 'ok    ' : 'FAILED';
    const detail = o.ok ? warningNote(o.warnings.length).trim() : o.message ?? '';
    writeLine(io.stdout, `  ${status}  ${o.spec.padEnd(width)}  ${detail}`.trimEnd());
  }
  const failed = result.outcomes.filter((o) => !o.ok).length;
  if (failed > 0) throw new UserError(`${failed} of ${result.outcomes.length} specs failed.`);
  writeLine(io.stdout, `All ${result.outcomes.length} specs complete.`);
  return 0;
}

function warningNote(n: number): string {
  return n === 0 ? '' : ` (${n} warning${n === 1 ? '' : 's'})`;
}

/** Nearest directory from `cwd` up holding the kit env file or experiment.sh; else `cwd`. */
async function findWorkspaceRoot(cwd: string): Promise<string> {
  let dir = path.resolve(cwd);
  for (;;) {
    for (const marker of [KIT_ENV_FILE, 'experiment.sh']) {
      if (await exists(path.join(dir, marker))) return dir;
    }
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(cwd);
    dir = up;
  }
}

