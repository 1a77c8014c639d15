import * as vscode from 'vscode';
import type { Job } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { hostDescription, jobContextValue, jobDescription, jobItemId, jobTooltipMarkdown, STATE_LOOK } from './jobPresentation';
import type { JobMarks } from './guardrailMarks';
import type { JobsService, JobsSnapshot } from '../core/jobs/jobsService';
import type { BoxService } from './boxes';
import type { PortForwards } from './portForwards';
import { boxContextValue, boxDescription, boxIcon, boxNotRunningText, boxTooltip } from './boxPresentation';

/** A node of the Cloud Jobs tree: a host group, a job, or a placeholder (error / loading). */
export type JobsNode =
  | { kind: 'host'; host: string }
  | { kind: 'job'; job: Job }
  | { kind: 'message'; id: string; text: string; detail?: string; icon: string; contextValue?: string; command?: vscode.Command };

/**
 * Draws the jobs snapshot; no I/O and no notifications here (the service refreshes, this maps).
 * Jobs are grouped by host when several hosts are listed. An empty list returns no children so
 * the view's welcome content shows.
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
  ) {
    this.subs = [jobs.onDidChange(() => this.changed.fire(undefined)), marks.onDidChange(() => this.changed.fire(undefined))];
    if (boxes) this.subs.push(boxes.onDidChange(() => this.changed.fire(undefined)));
    if (forwards) this.subs.push(forwards.onDidChange(() => this.changed.fire(undefined)));
  }

  /** Redraws (elapsed times move on). */
  redraw(): void {
    this.changed.fire(undefined);
  }

  getChildren(node?: JobsNode): JobsNode[] {
    const s = this.jobs.snapshot;
    if (!node) return this.roots(s);
    if (node.kind === 'host') return this.jobsOf(s, node.host);
    return [];
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
    for (const job of s.jobs) if (job.host === host) nodes.push({ kind: 'job', job });
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
      item.description = hostDescription(jobs, error, s.loaded);
      item.iconPath = error
        ? new vscode.ThemeIcon('debug-disconnect', new vscode.ThemeColor('problemsWarningIcon.foreground'))
        : new vscode.ThemeIcon(node.host === 'local' ? 'device-desktop' : 'cloud');
      item.tooltip = error ? `${node.host}: unreachable — ${error}` : `${node.host}: ${item.description}`;
      item.contextValue = error ? 'host.unreachable' : 'host.reachable';
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
    const item = new vscode.TreeItem(job.name, vscode.TreeItemCollapsibleState.None);
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
