import * as vscode from 'vscode';
import type { JobsTreeOptions } from '../treeOptions';
import type { TreeGrouping } from '../../core/jobs/jobView';

/** Group by State / Group by Host (the view title's toggle; saved in cloudJobs.groupBy). */
export async function groupBy(options: JobsTreeOptions, g: TreeGrouping): Promise<TreeGrouping> {
  await options.setGroupBy(g);
  return g;
}

/**
 * Filter by Name: the rows whose name contains the text (any case). A string argument (another
 * command, a test) sets it without asking; an empty answer clears the filter.
 */
export async function filterJobs(options: JobsTreeOptions, arg?: unknown): Promise<string | undefined> {
  const text =
    typeof arg === 'string'
      ? arg
      : await vscode.window.showInputBox({
          title: 'Cloud Jobs: Filter by Name',
          prompt: 'Show the jobs whose name contains this text (any case); empty shows every job.',
          placeHolder: 'e.g. sweep-lr',
          value: options.nameFilter,
        });
  if (text === undefined) return undefined;
  options.setNameFilter(text);
  return options.nameFilter;
}

export function clearFilter(options: JobsTreeOptions): void {
  options.setNameFilter('');
}
