import * as vscode from 'vscode';
import { DisposableStore } from './disposables';
import { SECTION } from './config';
import { setContext } from './setContext';
import { TREE_GROUPINGS, type JobViewOptions, type TreeGrouping } from '../core/jobs/jobView';

export const GROUP_BY_SETTING = 'groupBy';
export const HIDE_FINISHED_SETTING = 'hideFinishedAfterDays';

/**
 * How the jobs tree is shaped: the grouping and the finished-job age cut (settings, so they stay
 * across windows) and the name filter (this window only: a filter is a question of the moment).
 */
export class JobsTreeOptions implements vscode.Disposable {
  private readonly store = new DisposableStore();
  private readonly changed = this.store.add(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;
  private filter = '';

  constructor() {
    this.store.add(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.${GROUP_BY_SETTING}`) || e.affectsConfiguration(`${SECTION}.${HIDE_FINISHED_SETTING}`)) this.fire();
      }),
    );
    void this.setContextKeys();
  }

  get groupBy(): TreeGrouping {
    const v = vscode.workspace.getConfiguration(SECTION).get<unknown>(GROUP_BY_SETTING);
    return TREE_GROUPINGS.includes(v as TreeGrouping) ? (v as TreeGrouping) : 'host';
  }

  get hideFinishedAfterDays(): number {
    const v = vscode.workspace.getConfiguration(SECTION).get<unknown>(HIDE_FINISHED_SETTING);
    return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0;
  }

  get nameFilter(): string {
    return this.filter;
  }

  get view(): JobViewOptions {
    return { nameFilter: this.filter, hideFinishedAfterDays: this.hideFinishedAfterDays };
  }

  /** Saved as a user setting: a way of looking at jobs, not something of this workspace. */
  async setGroupBy(g: TreeGrouping): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(GROUP_BY_SETTING, g, vscode.ConfigurationTarget.Global);
    // the configuration event redraws; the context key follows at once for the title buttons
    await this.setContextKeys();
  }

  setNameFilter(text: string): void {
    const next = text.trim();
    if (next === this.filter) return;
    this.filter = next;
    this.fire();
  }

  private fire(): void {
    void this.setContextKeys();
    this.changed.fire();
  }

  private async setContextKeys(): Promise<void> {
    await setContext('cloudJobs.groupBy', this.groupBy);
    await setContext('cloudJobs.filtering', this.filter !== '');
  }

  dispose(): void {
    this.store.dispose();
  }
}
