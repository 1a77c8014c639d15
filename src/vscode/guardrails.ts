import * as vscode from 'vscode';
import type { GuardrailSettings, LogMatch } from '../core/guardrails';
import { errorMessage } from '../core/errors';
import type { Job } from '../core/jobs/model';
import { workspaceRoot } from './config';
import { attemptsIn, type JobMarks } from './guardrailMarks';
import { jobRef } from './jobRef';

/** The core's guardrails module, loaded on first need (it brings yaml and zod). */
function core(): Promise<typeof import('../core/guardrails')> {
  return import('../core/guardrails/index.js');
}

/**
 * The workspace's guardrails (`scripts/cloud/guardrails.yaml`, or `ORCH_GUARDRAILS_FILE`), the
 * defaults in Restricted Mode or without a folder. An invalid file is a UserError naming the line.
 */
export async function workspaceGuardrails(): Promise<GuardrailSettings> {
  const g = await core();
  const root = workspaceRoot();
  if (!root || !vscode.workspace.isTrusted) return g.defaultGuardrails();
  return (await g.resolveGuardrails({ cwd: root, env: process.env })).settings;
}

/** What `engine.run` takes so the host enforces the workspace's L1 stop-on-match and L2 rules. */
export async function runGuardrails(): Promise<import('../core/guardrails').RunGuardrails> {
  return (await core()).runGuardrailsOf(await workspaceGuardrails());
}

/** A matcher over one job's log bytes, and what it learned. */
export interface LogWatch {
  push(chunk: Buffer): void;
  /** Decoded text, for the `[RETRY: ...]` lines (guardrail L2). */
  text(s: string): void;
  end(): void;
}

/**
 * Guardrails on the laptop side while a log channel follows a job: L1 matches mark the job in
 * the tree and notify once per job (with Show Logs); `[RETRY: ... attempt K of T]` lines tell
 * the tree the attempt total (L2).
 */
export class LogWatches {
  constructor(
    private readonly marks: JobMarks,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async create(job: Pick<Job, 'name' | 'host'>): Promise<LogWatch> {
    const g = await core();
    let settings: GuardrailSettings;
    try {
      settings = await workspaceGuardrails();
    } catch (e) {
      this.log.warn(`log watch of ${job.name}: ${errorMessage(e)}; using the default patterns`);
      settings = g.defaultGuardrails();
    }
    const watcher = g.createLogWatcher({ patterns: settings.watch.patterns, windowLines: settings.watch.windowLines });
    let partial = '';
    const report = (matches: LogMatch[]): void => {
      for (const m of matches) this.matched(job, m, g.describeMatch(job.name, m));
    };
    return {
      push: (chunk) => report(watcher.push(chunk)),
      end: () => report(watcher.end()),
      text: (s) => {
        const text = partial + s;
        const nl = text.lastIndexOf('\n');
        if (nl >= 0) {
          const total = attemptsIn(text.slice(0, nl + 1));
          if (total) this.marks.setAttempts(job, total);
        }
        partial = text.slice(nl + 1).slice(-500);
      },
    };
  }

  private matched(job: Pick<Job, 'name' | 'host'>, m: LogMatch, line: string): void {
    this.log.info(line);
    const first = this.marks.setL1(job, { pattern: m.pattern, text: m.text, line: m.line });
    if (!first) return;
    void vscode.window.showWarningMessage(`L1: ${job.name} printed "${m.text}" (line ${m.line}, ${m.pattern}).`, 'Show Logs').then((pick) => {
      if (pick) void vscode.commands.executeCommand('cloudJobs.showLogs', jobRef(job));
    });
  }
}
