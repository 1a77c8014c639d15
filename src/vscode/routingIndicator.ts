import * as vscode from 'vscode';
import { readComputeTarget, type ComputeTargetInfo, KIT_ENV_FILE } from '../core/config/computeTarget';
import { errorMessage } from '../core/errors';
import type { Decision, RoutingPolicy } from '../core/policy';
import { policy as corePolicy } from './lazyCore';
import { activeTask, type ActiveTask } from './activeTask';
import { workspaceRoot } from './config';
import { DisposableStore } from './disposables';
import { mdEscape } from './jobPresentation';
import { decisionSummary, routingBarText } from './routeText';

/** What the status bar shows, as one state union. */
export type RoutingState =
  | { kind: 'restricted' }
  | { kind: 'noFolder' }
  | { kind: 'error'; message: string }
  | { kind: 'ready'; compute: ComputeTargetInfo; task: ActiveTask | undefined; decision: Decision | undefined; policyFile: string | undefined };

/**
 * The status-bar routing indicator: the workspace's COMPUTE_TARGET and the policy's decision for
 * the active task. Redrawn from `state` when .orchestration-kit.env, the active editor, the
 * selection or the workspace trust change.
 */
export class RoutingIndicator implements vscode.Disposable {
  private readonly store = new DisposableStore();
  readonly item: vscode.StatusBarItem;
  private compute: Promise<ComputeTargetInfo> | undefined;
  private policy: Promise<{ policy: RoutingPolicy; file: string | undefined }> | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private readonly changed = new vscode.EventEmitter<RoutingState>();
  readonly onDidChange = this.changed.event;
  state: RoutingState = { kind: 'noFolder' };

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.item = this.store.add(vscode.window.createStatusBarItem('cloudJobs.routing', vscode.StatusBarAlignment.Left, 50));
    this.item.name = 'Cloud Jobs Routing';
    this.item.command = 'cloudJobs.routeActiveTask';
    this.store.add(this.changed);
    const watcher = this.store.add(vscode.workspace.createFileSystemWatcher(`**/${KIT_ENV_FILE}`));
    const reread = (): void => {
      this.compute = undefined;
      this.update();
    };
    for (const ev of [watcher.onDidChange, watcher.onDidCreate, watcher.onDidDelete]) this.store.add(ev(reread));
    this.store.add(vscode.workspace.onDidGrantWorkspaceTrust(() => {
      this.policy = undefined;
      reread();
    }));
    this.store.add(vscode.window.onDidChangeActiveTextEditor(() => this.update()));
    this.store.add(vscode.window.onDidChangeTextEditorSelection(() => this.update(300)));
    this.store.add(vscode.tasks.onDidStartTask(() => this.update()));
    this.store.add({ dispose: () => clearTimeout(this.debounce) });
    this.update();
  }

  /** Re-reads the env file (e.g. after Set Compute Target) and redraws. */
  refresh(): Promise<RoutingState> {
    this.compute = undefined;
    return this.compute$();
  }

  update(delayMs = 0): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.compute$(), delayMs);
  }

  private async compute$(): Promise<RoutingState> {
    const state = await this.read();
    this.state = state;
    this.draw(state);
    this.changed.fire(state);
    return state;
  }

  private async read(): Promise<RoutingState> {
    if (!vscode.workspace.isTrusted) return { kind: 'restricted' };
    const root = workspaceRoot();
    if (!root) return { kind: 'noFolder' };
    try {
      this.compute ??= readComputeTarget(root, process.env);
      this.policy ??= corePolicy().resolveRoutingPolicy({ cwd: root, env: process.env });
      const compute = await this.compute;
      const { policy, file } = await this.policy;
      const task = activeTask();
      return { kind: 'ready', compute, task, decision: task ? corePolicy().decide(task.facts, policy) : undefined, policyFile: file };
    } catch (e) {
      this.compute = undefined;
      this.policy = undefined;
      this.log.warn(`routing indicator: ${errorMessage(e)}`);
      return { kind: 'error', message: errorMessage(e) };
    }
  }

  private draw(s: RoutingState): void {
    const item = this.item;
    item.backgroundColor = undefined;
    switch (s.kind) {
      case 'restricted':
        item.text = '$(workspace-untrusted) Cloud Jobs: restricted';
        item.tooltip = 'Restricted Mode: no workspace env file is read and nothing runs remotely.';
        break;
      case 'noFolder':
        item.hide();
        return;
      case 'error':
        item.text = '$(error) COMPUTE_TARGET?';
        item.tooltip = new vscode.MarkdownString(`**Cloud Jobs routing**\n\n${mdEscape(s.message)}`);
        item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      case 'ready': {
        const c = s.compute.target;
        item.text = routingBarText(c, s.task && s.decision ? { kind: s.task.kind, decided: s.decision.target } : undefined);
        const md = new vscode.MarkdownString(undefined, true);
        md.appendMarkdown(`**COMPUTE_TARGET:** \`${c}\` — ${mdEscape(s.compute.source)}\n\n`);
        if (s.task && s.decision) {
          md.appendMarkdown(`**Active task** (${mdEscape(s.task.label)}) → **${s.decision.target}** (${mdEscape(decisionSummary(s.decision))})\n\n`);
          for (const r of s.decision.reasons) md.appendMarkdown(`- ${mdEscape(r)}\n`);
          md.appendMarkdown('\n');
        } else md.appendMarkdown('No active task: select a command or open a file to see where it would run.\n\n');
        md.appendMarkdown(`Policy: ${s.policyFile ? mdEscape(s.policyFile) : 'built-in defaults'}\n\nClick to explain or switch the compute target.`);
        item.tooltip = md;
        break;
      }
    }
    item.accessibilityInformation = { label: typeof item.tooltip === 'string' ? item.tooltip : item.text };
    item.show();
  }

  dispose(): void {
    this.store.dispose();
  }
}
