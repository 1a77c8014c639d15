import * as vscode from 'vscode';
import type { Job } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { completionNotice, EndBatch, EndWatch, summaryNotice, type HushedEnd, type NoticeText } from './completion';
import type { JobsService } from '../core/jobs/jobsService';
import { jobRef } from './jobRef';

const SHOW_LOGS = 'Show Logs';
const PULL = 'Pull Results';
const SHOW_JOBS = 'Show Jobs';

/**
 * Completion notices: a notification when a job the extension has seen active reaches DONE,
 * FAILED or STOPPED (noticed by a refresh, a poll or a log follow), once per transition, with
 * Show Logs and, when the job recorded an output dir, Pull Results. Stops the user asked for
 * here are confirmed by their own command instead (see `hush`). Ends seen close together (one
 * notice window, see EndBatch) make one notice: a single job's own, or a summary of them all.
 */
export class CompletionNotices implements vscode.Disposable {
  private readonly watch = new EndWatch();
  private readonly batch = new EndBatch((ended) => this.notify(ended));
  private readonly sub: vscode.Disposable;
  /** The last notices shown (message and actions), newest last: what the API reports. */
  readonly shown: { message: string; actions: string[] }[] = [];

  constructor(
    jobs: JobsService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.watch.observe(jobs.snapshot.jobs);
    this.sub = jobs.onDidChange((s) => this.batch.add(this.watch.observe(s.jobs, s.loaded ? s.hosts.filter((h) => !s.errors.has(h)) : [])));
  }

  /**
   * Runs `action` (a stop) without a completion notice for `jobs`: the caller says it itself, for
   * the jobs `toldOf` its result names (a Run on EC2 watching the same start then says nothing).
   */
  async quietly<T>(jobs: readonly Pick<Job, 'name' | 'host'>[], action: () => Promise<T>, toldOf: (result: T) => readonly Job[]): Promise<T> {
    this.watch.hush(jobs);
    try {
      const result = await action();
      this.seen(toldOf(result), true);
      return result;
    } finally {
      for (const j of jobs) this.watch.unhush(j);
    }
  }

  /** The next end of these jobs is told by the caller (see `unhush`). */
  hush(jobs: readonly Pick<Job, 'name' | 'host'>[]): void {
    this.watch.hush(jobs);
  }

  /**
   * These ended jobs were announced by a command: no completion notice follows for them.
   * `told`: by a command other holders of their hush must not repeat (see `unhush`).
   */
  seen(jobs: readonly Job[], told = false): void {
    if (told) this.watch.told(jobs);
    else this.watch.seen(jobs);
    // a listing may have seen the end first: its notice, still waiting in the window, goes
    this.batch.drop(jobs.filter((j) => !isActive(j.state)));
  }

  /** Ends one `hush` of `job`: 'untold' when an end was kept quiet meanwhile (the caller must tell it), 'told' when another command did, 'held' while another command still holds it. */
  unhush(job: Pick<Job, 'name' | 'host'>): HushedEnd {
    return this.watch.unhush(job);
  }

  /** A notice from a command (e.g. a job that failed as it started), recorded like the others. */
  announce(n: NoticeText, actions: string[]): Thenable<string | undefined> {
    return this.show(n, actions);
  }

  private notify(ended: Job[]): void {
    if (ended.length === 0) return;
    if (ended.length > 1) {
      const n = summaryNotice(ended);
      void this.show(n, [SHOW_JOBS]).then((pick) => pick === SHOW_JOBS && vscode.commands.executeCommand('cloudJobs.jobs.focus'));
      return;
    }
    const job = ended[0]!;
    const actions = job.outputDir ? [SHOW_LOGS, PULL] : [SHOW_LOGS];
    void this.show(completionNotice(job), actions).then((pick) => {
      if (pick === SHOW_LOGS) void vscode.commands.executeCommand('cloudJobs.showLogs', jobRef(job));
      if (pick === PULL) void vscode.commands.executeCommand('cloudJobs.pullResults', jobRef(job));
    });
  }

  private show(n: NoticeText, actions: string[]): Thenable<string | undefined> {
    this.log.info(n.message);
    this.shown.push({ message: n.message, actions });
    if (this.shown.length > 50) this.shown.shift();
    return showNotice(n, actions);
  }

  dispose(): void {
    this.sub.dispose();
    this.batch.dispose();
  }
}

function showNotice(n: NoticeText, actions: string[]): Thenable<string | undefined> {
  if (n.severity === 'error') return vscode.window.showErrorMessage(n.message, ...actions);
  if (n.severity === 'warning') return vscode.window.showWarningMessage(n.message, ...actions);
  return vscode.window.showInformationMessage(n.message, ...actions);
}
