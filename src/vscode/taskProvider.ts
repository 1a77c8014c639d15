import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { generateJobName, validateJobName } from '../core/jobs/names';
import { policy as corePolicy } from './lazyCore';
import { routeStep } from './autorun';
import { BufferedPty } from './bufferedPty';
import { runGuardrails } from './guardrails';
import { workspaceRoot } from './config';
import type { CloudJobs } from './context';
import { decisionSummary, taskFromCommand } from './routeText';
import { factsFromDefinition, ORCH_TASK_TYPE, type OrchTaskDefinition } from './taskDefinition';
import { chooseTaskTarget } from './taskRouting';

/**
 * Tasks of type `orch` (tasks.json: `command` plus optional facts). Running one asks the routing
 * policy, then AUTORUN says whether to ask the user (autorun.ts): cloud runs start a job and
 * stream its log into the task terminal, ending with the job's exit code; local runs run the
 * command here with bash.
 */
export class OrchTaskProvider implements vscode.TaskProvider {
  constructor(private readonly ctx: CloudJobs) {}

  provideTasks(): vscode.Task[] {
    return [];
  }

  resolveTask(task: vscode.Task): vscode.Task | undefined {
    const d = task.definition as OrchTaskDefinition;
    if (typeof d.command !== 'string') return undefined;
    return new vscode.Task(d, task.scope ?? vscode.TaskScope.Workspace, task.name, 'orch', new vscode.CustomExecution(async () => this.execute(d, task.name)), []);
  }

  private async execute(d: OrchTaskDefinition, label: string): Promise<vscode.Pseudoterminal> {
    const pty = new BufferedPty();
    void this.runTask(d, label, pty).then(
      (code) => pty.exit(code),
      (e) => {
        pty.write(`\nCloud Jobs: ${errorMessage(e)}\n`);
        pty.exit(1);
      },
    );
    return pty;
  }

  private async runTask(d: OrchTaskDefinition, label: string, pty: BufferedPty): Promise<number> {
    if (!vscode.workspace.isTrusted) throw new Error('nothing runs in Restricted Mode: trust this workspace first.');
    const facts = factsFromDefinition(d);
    const root = workspaceRoot() ?? process.cwd();
    const { decide, resolveRoutingPolicy } = corePolicy();
    const { policy } = await resolveRoutingPolicy({ cwd: root, env: process.env });
    const decision = decide(facts, policy);
    const explicit = d.target && d.target !== 'auto' ? d.target : undefined;
    const mode = this.ctx.config.autorun();
    const step = routeStep(mode, decision.target, explicit);
    pty.write(`Cloud Jobs: policy: ${decisionSummary(decision)}\n`);
    for (const r of decision.reasons) pty.write(`  • ${r}\n`);
    const target = await chooseTaskTarget(this.ctx, { label, command: d.command }, decision, step);
    if (!target) {
      pty.write('Cloud Jobs: not run (cancelled).\n');
      return 130;
    }
    const why = explicit ? 'set by the task' : step.kind === 'run' ? `AUTORUN ${mode}` : 'your choice';
    pty.write(`Cloud Jobs: runs ${target === 'cloud' ? 'in the cloud' : 'here'} (${why})\n`);
    if (target === 'local') return this.runLocally(d.command, root, pty);

    const config = await this.ctx.config.get();
    const name = validateJobName(d.name ?? generateJobName(config.project, taskFromCommand(d.command)));
    const host = await this.ctx.runTarget();
    const route = `${decisionSummary(decision)}: ${decision.reasons.join(' ')}`;
    const job = await this.ctx.jobs.run(host, { name, command: d.command, force: d.name !== undefined, route, guardrails: await runGuardrails() });
    this.ctx.marks.clear(job);
    pty.write(`Cloud Jobs: started ${job.name} on ${job.host} (closing this terminal does not stop it)\n\n`);
    const abort = new AbortController();
    pty.onInterrupt = () => abort.abort();
    const decoder = new StringDecoder('utf8');
    const final = await this.ctx.jobs.follow(job, { fromByte: 0, signal: abort.signal, onData: (b) => pty.write(decoder.write(b)) });
    pty.write(decoder.end());
    return final.exitCode ?? (final.state === 'DONE' ? 0 : 1);
  }

  private runLocally(command: string, cwd: string, pty: BufferedPty): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn('bash', ['-c', command], { cwd, env: process.env });
      const out = new StringDecoder('utf8');
      const err = new StringDecoder('utf8');
      child.stdout.on('data', (b: Buffer) => pty.write(out.write(b)));
      child.stderr.on('data', (b: Buffer) => pty.write(err.write(b)));
      pty.onInterrupt = () => child.kill('SIGINT');
      child.on('error', (e) => {
        pty.write(`\n${e.message}\n`);
        resolve(127);
      });
      child.on('close', (code, signal) => resolve(code ?? (signal ? 130 : 1)));
    });
  }
}

export function registerTaskProvider(ctx: CloudJobs): vscode.Disposable {
  return vscode.tasks.registerTaskProvider(ORCH_TASK_TYPE, new OrchTaskProvider(ctx));
}
