import { performance } from 'node:perf_hooks';
import type * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { registerCommands } from './commands';
import { refreshCliInPath } from './commands/cliPath';
import { CloudJobs } from './context';
import { showError } from './errors';
import { JobsView } from './jobsView';
import { RoutingIndicator } from './routingIndicator';
import { registerTaskProvider } from './taskProvider';
import { CloudJobsApi } from './api';
import { BoxStatusBar } from './boxStatusBar';

// Wiring only: state lives in CloudJobs, behaviour in the modules it hands to.
export function activate(context: vscode.ExtensionContext): CloudJobsApi {
  const started = performance.now();
  const ctx = new CloudJobs(context);
  context.subscriptions.push(ctx);
  const view = ctx.store.add(new JobsView(ctx.jobs, ctx.marks, ctx.boxes, ctx.forwards));
  const boxBar = ctx.store.add(new BoxStatusBar(ctx.boxes));
  const routing = ctx.store.add(new RoutingIndicator(ctx.log));
  registerCommands({ ctx, routing, tree: view.options });
  ctx.store.add(registerTaskProvider(ctx));
  // Reading the configuration touches files: after activation, never inside it.
  void ctx.init().catch((e) => showError(ctx.log, e, 'Cloud Jobs'));
  void refreshCliInPath(ctx).catch((e) => ctx.log.warn(`orch shim not refreshed: ${errorMessage(e)}`));
  ctx.log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);
  return new CloudJobsApi(ctx, view, routing, boxBar);
}

export function deactivate(): void {}
