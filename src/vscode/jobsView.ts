import * as vscode from 'vscode';
import { DisposableStore } from './disposables';
import type { JobMarks } from './guardrailMarks';
import type { JobsService } from '../core/jobs/jobsService';
import type { JobsNode } from './jobsTree';
import { JobsTreeProvider } from './jobsTree';
import { nextPollDelay } from './pollCadence';
import type { BoxService } from './boxes';
import type { PortForwards } from './portForwards';
import { setContext } from './setContext';
import { JobsTreeOptions } from './treeOptions';
import { selectionMessage } from '../core/jobs/jobView';

export const VIEW_ID = 'cloudJobs.jobs';

/**
 * The Cloud Jobs view: the tree, its running-count badge, and the refresh cadence. Refresh is
 * event-driven (own actions, view shown, window focused); polling runs only while jobs are
 * active (see pollCadence.ts). Rows can be selected together (Stop acts on all of them); the
 * view's description names an active name filter and its message says what the filter and the
 * finished-job age cut leave out.
 */
export class JobsView implements vscode.Disposable {
  private readonly store = new DisposableStore();
  readonly provider: JobsTreeProvider;
  readonly view: vscode.TreeView<JobsNode>;
  /** Grouping, name filter and age cut (the view title's actions change them). */
  readonly options: JobsTreeOptions;
  private timer: NodeJS.Timeout | undefined;
  private hasJobs = false;

  constructor(
    private readonly jobs: JobsService,
    marks: JobMarks,
    boxes?: BoxService,
    forwards?: PortForwards,
  ) {
    this.options = this.store.add(new JobsTreeOptions());
    this.provider = this.store.add(new JobsTreeProvider(jobs, marks, boxes, forwards, this.options));
    this.view = this.store.add(vscode.window.createTreeView(VIEW_ID, { treeDataProvider: this.provider, showCollapseAll: false, canSelectMany: true }));
    this.store.add(jobs.onDidChange(() => this.onJobsChanged()));
    this.store.add(this.options.onDidChange(() => this.describeSelection()));
    this.store.add(
      this.view.onDidChangeVisibility((e) => {
        if (e.visible) void jobs.refresh();
        this.schedule();
      }),
    );
    this.store.add(
      vscode.window.onDidChangeWindowState((s) => {
        if (s.focused && this.view.visible) void jobs.refresh();
        this.schedule();
      }),
    );
    this.store.add({ dispose: () => clearTimeout(this.timer) });
    if (this.view.visible) void jobs.refresh();
  }

  private onJobsChanged(): void {
    const running = this.jobs.runningCount;
    this.view.badge = running > 0 ? { value: running, tooltip: `${running} job${running === 1 ? '' : 's'} running` } : undefined;
    const hasJobs = this.jobs.snapshot.jobs.length > 0;
    if (hasJobs !== this.hasJobs) {
      this.hasJobs = hasJobs;
      void setContext('cloudJobs.hasJobs', hasJobs);
    }
    this.describeSelection();
    this.schedule();
  }

  /** `filter: lr0.1` beside the title; `3 of 40 jobs shown · …` above the rows while rules hide some. */
  private describeSelection(): void {
    const o = this.options.view;
    const description = o.nameFilter ? `filter: ${o.nameFilter}` : undefined;
    const sel = this.provider.selection();
    const message = selectionMessage(this.jobs.snapshot.jobs.length, sel, o);
    if (this.view.description !== description) this.view.description = description;
    if (this.view.message !== message) this.view.message = message;
  }

  /** One timer: the next poll (while jobs are active), then the running rows' clocks if they moved. */
  private schedule(): void {
    clearTimeout(this.timer);
    const delay = nextPollDelay({
      anyActive: this.jobs.anyActive,
      windowFocused: vscode.window.state.focused,
      viewVisible: this.view.visible,
    });
    if (delay === undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.jobs
        .refresh()
        .finally(() => {
          // A listing that changed nothing sends no event; running rows' clocks may still move.
          this.provider.tick();
          this.schedule();
        });
    }, delay);
  }

  dispose(): void {
    this.store.dispose();
  }
}
