import * as vscode from 'vscode';
import type { Job } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { heldGpus, hostDescription, jobContextValue, jobDescription, jobItemId, jobTooltipMarkdown, runningClock, STATE_LOOK } from './jobPresentation';
import { groupByState, selectJobs, shortLabel, stateGroupOf, type JobSelection, type StateGroup } from '../core/jobs/jobView';
import type { JobsTreeOptions } from './treeOptions';
import type { JobMarks } from './guardrailMarks';
import type { JobsService, JobsSnapshot } from '../core/jobs/jobsService';
import type { BoxService } from './boxes';
import type { PortForwards } from './portForwards';
import { boxContextValue, boxDescription, boxIcon, boxNotRunningText, boxTooltip } from './boxPresentation';

/** A node of the Cloud Jobs tree: a host group, a state group, a job, or a placeholder (error / loading). */
export type JobsNode =
  | { kind: 'host'; host: string }
  | { kind: 'group'; host: string; group: StateGroup; count: number }
  | { kind: 'job'; job: Job }
  | { kind: 'message'; id: string; text: string; detail?: string; icon: string; contextValue?: string; command?: vscode.Command };

const GROUP_ICON: Readonly<Record<StateGroup, string>> = { Running: 'play-circle', Queued: 'watch', Finished: 'check-all' };

/**
 * Draws the jobs snapshot; no I/O and no notifications here (the service refreshes, this maps).
 * Jobs are grouped by host when several hosts are listed, and by state (Running / Queued /
 * Finished) under it when that grouping is chosen; the name filter and the finished-job age cut
 * apply to every level. An empty list returns no children so the view's welcome content shows.
 */
export class JobsTreeProvider implements vscode.TreeDataProvider<JobsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<JobsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subs: { dispose(): void }[];

  constructor(
    private readonly jobs: JobsService,
    private readonly marks: JobMarks,
    private readonly boxes?: BoxService,
    private readonly forwards?: PortForwards,
    private readonly options?: JobsTreeOptions,
  ) {
    this.subs = [jobs.onDidChange(() => this.changed.fire(undefined)), marks.onDidChange(() => this.changed.fire(undefined))];
    if (options) this.subs.push(options.onDidChange(() => this.changed.fire(undefined)));
    if (boxes) this.subs.push(boxes.onDidChange(() => this.changed.fire(undefined)));
    if (forwards) this.subs.push(forwards.onDidChange(() => this.changed.fire(undefined)));
  }

  /** Redraws (elapsed times move on). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  /**
   * Redraws if a running row's clock moved since the last draw. Only then: VS Code hands an inline
   * action clicked during a redraw no row (microsoft/vscode#144250), so Stop would ask which job.
   */
  tick(): void {
    if (this.clocks() !== this.drawnClocks) this.redraw();
  }

  private drawnClocks = '';

  private clocks(): string {
    const now = Date.now();
    return this.jobs.snapshot.jobs.map((j) => (j.state === 'RUNNING' ? runningClock(j, now) : '')).join('|');
  }

  /** The jobs the filter and the age cut leave in the tree (every host's), and what they left out. */
  selection(): JobSelection {
    return selectJobs(this.jobs.snapshot.jobs, this.options?.view ?? { nameFilter: '', hideFinishedAfterDays: 0 }, Date.now());
  }

  getChildren(node?: JobsNode): JobsNode[] {
    const s = this.jobs.snapshot;
    if (!node) {
      this.drawnClocks = this.clocks();
      return this.roots(s);
    }
    if (node.kind === 'host') return this.jobsOf(s, node.host);
    if (node.kind === 'group') return this.shownOf(node.host).filter((j) => stateGroupOf(j.state) === node.group).map((job) => ({ kind: 'job', job }));
    return [];
  }

  private shownOf(host: string): Job[] {
    return this.selection().shown.filter((j) => j.host === host);
  }

  private roots(s: JobsSnapshot): JobsNode[] {
    // Until the first listing is back the view says so (not "No jobs yet").
    if (!s.loaded && s.jobs.length === 0) return [{ kind: 'message', id: 'loading', text: 'Loading jobs…', icon: 'loading~spin' }];
    // Several hosts (hosts.yaml, or the local target beside the host): one node each, even when
    // empty or failing, so each host's state shows; one host: its jobs at the root, as before.
    // An EC2 box always has its node: its state is worth seeing even with no jobs.
    if (s.hosts.length > 1 || s.hosts.some((h) => this.boxes?.get(h))) return s.hosts.map((host) => ({ kind: 'host', host }));
    const host = s.hosts[0];
    return host === undefined ? [] : this.jobsOf(s, host);
  }

  private allHidden(host: string): JobsNode {
    const filter = this.options?.nameFilter;
    if (filter) return { kind: 'message', id: `all-hidden:${host}`, text: `No job name contains "${filter}"`, detail: 'click to clear the filter', icon: 'filter', command: { command: 'cloudJobs.clearFilter', title: 'Clear Filter' } };
    const days = this.options?.hideFinishedAfterDays ?? 0;
    return { kind: 'message', id: `all-hidden:${host}`, text: `Every job finished more than ${days} day${days === 1 ? '' : 's'} ago`, detail: 'hidden by cloudJobs.hideFinishedAfterDays', icon: 'filter' };
  }

  private jobsOf(s: JobsSnapshot, host: string): JobsNode[] {
    const nodes: JobsNode[] = [];
    const box = this.boxes?.get(host);
    const idle = box ? boxNotRunningText(box) : undefined;
    // A stopped box cannot be listed: say so (and how) instead of the connection error, above
    // the jobs last seen there.
    const error = idle ? undefined : s.errors.get(host);
    if (idle) nodes.push({ kind: 'message', id: `box:${host}`, text: idle.text, detail: idle.detail, icon: box?.summary ? 'info' : 'warning' });
    if (error) {
      const stale = s.stale.has(host) ? ' (the jobs below are as last seen)' : '';
      nodes.push({
        kind: 'message',
        id: `error:${host}`,
        text: `Cannot reach ${host}`,
        detail: `${error}${stale}`,
        icon: 'warning',
        // inline Retry and Open Settings / .env (package.json menus match `hostError`)
        contextValue: 'hostError',
        command: { command: 'cloudJobs.retry', title: 'Retry' },
      });
    }
    const shown = this.shownOf(host);
    // jobs there, all hidden by the filter or the age cut: say so (not the "no jobs yet" welcome)
    if (shown.length === 0 && s.jobs.some((j) => j.host === host)) nodes.push(this.allHidden(host));
    if (this.options?.groupBy === 'state') {
      for (const g of groupByState(shown)) nodes.push({ kind: 'group', host, group: g.group, count: g.jobs.length });
    } else {
      for (const job of shown) nodes.push({ kind: 'job', job });
    }
    return nodes;
  }

  getTreeItem(node: JobsNode): vscode.TreeItem {
    const box = node.kind === 'host' ? this.boxes?.get(node.host) : undefined;
    if (node.kind === 'host' && box) {
      const item = new vscode.TreeItem(node.host, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `host:${node.host}`;
      item.iconPath = new vscode.ThemeIcon(boxIcon(box));
      item.description = box.summary ? boxDescription(box.summary, Date.now()) : 'state unknown';
      item.tooltip = boxTooltip(box, Date.now());
      item.contextValue = boxContextValue(box);
      return item;
    }
    if (node.kind === 'host') {
      const s = this.jobs.snapshot;
      const jobs = s.jobs.filter((j) => j.host === node.host);
      const error = s.errors.get(node.host);
      const item = new vscode.TreeItem(node.host, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `host:${node.host}`;
      const inventory = s.gpus.get(node.host);
      item.description = hostDescription(jobs, error, s.loaded, inventory);
      item.iconPath = error
        ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : new vscode.ThemeIcon(node.host === 'local' ? 'device-desktop' : 'cloud');
      const held = heldGpus(jobs);
      const inUse = inventory && held.length ? ` (GPU ${held.join(',')} in use)` : '';
      item.tooltip = error ? `${node.host}: unreachable — ${error}` : `${node.host}: ${item.description}${inUse}`;
      item.contextValue = error ? 'host.unreachable' : 'host.reachable';
      return item;
    }
    if (node.kind === 'group') {
      const item = new vscode.TreeItem(node.group, vscode.TreeItemCollapsibleState.Expanded);
      item.id = `group:${node.host}:${node.group}`;
      item.description = String(node.count);
      item.iconPath = new vscode.ThemeIcon(GROUP_ICON[node.group]);
      item.tooltip = `${node.count} ${node.group.toLowerCase()} job${node.count === 1 ? '' : 's'} on ${node.host}`;
      item.contextValue = `group.${node.group.toLowerCase()}`;
      return item;
    }
    if (node.kind === 'message') {
      const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
      item.id = node.id;
      item.description = node.detail;
      item.tooltip = node.detail;
      item.iconPath = node.icon === 'warning' ? new vscode.ThemeIcon(node.icon, new vscode.ThemeColor('problemsWarningIcon.foreground')) : new vscode.ThemeIcon(node.icon);
      item.contextValue = node.contextValue ?? 'message';
      item.command = node.command;
      return item;
    }
    const job = node.job;
    const now = Date.now();
    const look = STATE_LOOK[job.state];
    const mark = this.marks.get(job);
    const unreachable = this.jobs.snapshot.stale.has(job.host);
    // an ended job's state is final; only an active one may have moved on since
    const stale = unreachable && isActive(job.state);
    // a long name is shortened in the middle: the description (state, exit code) stays in view
    const item = new vscode.TreeItem(shortLabel(job.name), vscode.TreeItemCollapsibleState.None);
    item.id = jobItemId(job);
    const forwarded = this.forwards?.describe(job) ?? [];
    const description = jobDescription(job, now, mark, forwarded);
    item.description = stale ? `last seen: ${description}` : description;
    item.iconPath = new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
    item.contextValue = jobContextValue(job);
    const md = new vscode.MarkdownString(`${unreachable ? `*${job.host} cannot be reached: this is the state last seen.*\n\n` : ''}${jobTooltipMarkdown(job, now, mark, forwarded)}`);
    md.supportThemeIcons = false;
    item.tooltip = md;
    item.accessibilityInformation = { label: `${job.name}, ${look.label}, ${item.description}` };
    // a click shows the log beside the tree and leaves the keyboard in the tree
    item.command = { command: 'cloudJobs.showLogs', title: 'Show Logs', arguments: [node, { preserveFocus: true }] };
    return item;
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}
