import type * as vscode from 'vscode';
import type { Job } from '../core/jobs/model';
import type { CloudJobs } from './context';
import type { JobsNode } from './jobsTree';
import type { JobsView } from './jobsView';
import type { RoutingIndicator, RoutingState } from './routingIndicator';
import type { BoxSnapshot } from './boxes';
import type { BoxStatusBar } from './boxStatusBar';

/**
 * What `activate` returns (`vscode.extensions.getExtension(...).exports`): a read-only view of
 * the extension's state for other extensions and for the workbench tests.
 */
export class CloudJobsApi {
  constructor(
    private readonly ctx: CloudJobs,
    private readonly view: JobsView,
    private readonly routing: RoutingIndicator,
    private readonly boxBar: BoxStatusBar,
  ) {}

  /** The EC2 box of host `name` after a fresh read (undefined: that host is not a box). */
  async box(name: string): Promise<BoxSnapshot | undefined> {
    return (await this.ctx.boxes.refresh(true)).get(name);
  }

  /** The EC2 box's status-bar hint: text, tooltip, command, and whether it is shown. */
  boxStatusBar(): { text: string; tooltip: string | vscode.MarkdownString | undefined; command: string | vscode.Command | undefined; visible: boolean } {
    const i = this.boxBar.item;
    return { text: i.text, tooltip: i.tooltip, command: i.command, visible: this.boxBar.visible };
  }

  /** The jobs as last read, and a promise-returning refresh. */
  jobs(): readonly Job[] {
    return this.ctx.jobs.snapshot.jobs;
  }

  refresh(): Promise<void> {
    return this.ctx.jobs.refresh();
  }

  /** The tree's items as VS Code draws them (roots, or the children of `node`). */
  treeItems(node?: JobsNode): { node: JobsNode; item: vscode.TreeItem }[] {
    return this.view.provider.getChildren(node).map((n) => ({ node: n, item: this.view.provider.getTreeItem(n) }));
  }

  /** The view's description (an active name filter) and message (what the filter and the age cut hide). */
  viewText(): { description: string | undefined; message: string | undefined } {
    return { description: this.view.view.description, message: this.view.view.message };
  }

  /** The running-count badge of the view. */
  badge(): vscode.ViewBadge | undefined {
    return this.view.view.badge;
  }

  /** What the job's log channel holds (its bounded tail), undefined when never opened. */
  logText(job: Pick<Job, 'name' | 'host'>): string | undefined {
    return this.ctx.logs.text(job);
  }

  /** Completion notices shown so far (the last 50), oldest first. */
  completionNotices(): readonly { message: string; actions: string[] }[] {
    return this.ctx.notices.shown;
  }

  /** What the "Cloud Jobs: Experiment" channel holds (its bounded tail). */
  experimentText(): string {
    return this.ctx.experimentOutput.text;
  }

  /** The routing status bar item's current text, tooltip and state. */
  statusBar(): { text: string; tooltip: string | vscode.MarkdownString | undefined; state: RoutingState } {
    return { text: this.routing.item.text, tooltip: this.routing.item.tooltip, state: this.routing.state };
  }

  /** Resolves with the routing state after the next redraw. */
  refreshRouting(): Promise<RoutingState> {
    return this.routing.refresh();
  }

  onDidChangeJobs(listener: () => void): vscode.Disposable {
    return this.ctx.jobs.onDidChange(listener);
  }
}
