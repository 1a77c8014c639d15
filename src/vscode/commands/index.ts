import * as vscode from 'vscode';
import type { CloudJobs } from '../context';
import { showError } from '../errors';
import type { RoutingIndicator } from '../routingIndicator';
import type { CommandId } from './ids';
import { runExperimentFlow } from './experiment';
import { attach, copyName, openFullLog, refresh, showLogs, stop, stopAll } from './jobActions';
import { pullResults } from './pull';
import { rollback } from './rollback';
import { routeActiveTask, setComputeTarget } from './routing';
import { rerun, runOnEc2 } from './run';
import { forgetSavedSecrets, openEnvFile, openSettings, setSlackWebhook, useLocalTarget } from './setup';
import { setJobSecret } from '../jobSecrets';
import { openInBrowser } from './ports';
import { installCliInPath, uninstallCliFromPath } from './cliPath';
import { startBox, stopBox } from './box';
import { checkHost } from './checkHost';
import { clearFilter, filterJobs, groupBy } from './treeView';
import type { JobsTreeOptions } from '../treeOptions';

export interface CommandServices {
  ctx: CloudJobs;
  routing: RoutingIndicator;
  /** The jobs tree's grouping and filter. */
  tree: JobsTreeOptions;
}

type Handler = (s: CommandServices, ...args: unknown[]) => unknown;

/** The one command map: every contributed command and its handler. */
export const COMMANDS: Record<CommandId, Handler> = {
  'cloudJobs.runOnEc2': ({ ctx }, arg) => runOnEc2(ctx, arg),
  'cloudJobs.attach': ({ ctx }, arg) => attach(ctx, arg),
  // a row's Stop with several rows selected gets them all as the second argument
  'cloudJobs.stop': ({ ctx }, arg, selected, options) => stop(ctx, arg, selected, options),
  'cloudJobs.stopAll': ({ ctx }, arg) => stopAll(ctx, arg),
  'cloudJobs.showLogs': ({ ctx }, arg, options) => showLogs(ctx, arg, options),
  'cloudJobs.openFullLog': ({ ctx }, arg) => openFullLog(ctx, arg),
  'cloudJobs.refresh': ({ ctx }) => refresh(ctx),
  // the host error row's action: the same re-read, named for what the user wants
  'cloudJobs.retry': ({ ctx }) => refresh(ctx),
  'cloudJobs.rerun': ({ ctx }, arg) => rerun(ctx, arg),
  'cloudJobs.pullResults': ({ ctx }, arg) => pullResults(ctx, arg),
  'cloudJobs.rollback': ({ ctx }, arg) => rollback(ctx, arg),
  'cloudJobs.copyName': ({ ctx }, arg) => copyName(ctx, arg),
  'cloudJobs.routeActiveTask': ({ ctx, routing }) => routeActiveTask(ctx, routing),
  'cloudJobs.runExperimentCycle': ({ ctx }, arg) => runExperimentFlow(ctx, 'cycle', arg),
  'cloudJobs.runExperimentFull': ({ ctx }, arg) => runExperimentFlow(ctx, 'full', arg),
  'cloudJobs.runExperimentProgram': ({ ctx }, arg) => runExperimentFlow(ctx, 'program', arg),
  'cloudJobs.setComputeTarget': ({ ctx, routing }, arg) => setComputeTarget(ctx, routing, arg),
  'cloudJobs.openSettings': () => openSettings(),
  'cloudJobs.openEnvFile': () => openEnvFile(),
  'cloudJobs.useLocalTarget': ({ ctx }) => useLocalTarget(ctx),
  'cloudJobs.setSlackWebhook': ({ ctx }) => setSlackWebhook(ctx),
  'cloudJobs.setJobSecret': ({ ctx }, arg) => setJobSecret(ctx.ext.secrets, arg),
  'cloudJobs.openInBrowser': ({ ctx }, arg) => openInBrowser(ctx, arg),
  'cloudJobs.forgetSecrets': ({ ctx }) => forgetSavedSecrets(ctx),
  'cloudJobs.installCli': ({ ctx }) => installCliInPath(ctx),
  'cloudJobs.uninstallCli': ({ ctx }) => uninstallCliFromPath(ctx),
  'cloudJobs.startBox': ({ ctx }, arg) => startBox(ctx, arg),
  'cloudJobs.stopBox': ({ ctx }, arg) => stopBox(ctx, arg),
  'cloudJobs.checkHost': ({ ctx }, arg) => checkHost(ctx, arg),
  'cloudJobs.groupByState': ({ tree }) => groupBy(tree, 'state'),
  'cloudJobs.groupByHost': ({ tree }) => groupBy(tree, 'host'),
  'cloudJobs.filterJobs': ({ tree }, arg) => filterJobs(tree, arg),
  'cloudJobs.clearFilter': ({ tree }) => clearFilter(tree),
};

/**
 * Registers every command; errors are shown in one place (showError). A command's result is
 * returned to `executeCommand` callers; a failure resolves undefined after it was shown.
 */
export function registerCommands(s: CommandServices): void {
  for (const [id, handler] of Object.entries(COMMANDS) as [CommandId, Handler][]) {
    s.ctx.store.add(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        try {
          return await handler(s, ...args);
        } catch (e) {
          showError(s.ctx.log, e, id.replace('cloudJobs.', 'Cloud Jobs: '));
          return undefined;
        }
      }),
    );
  }
}
