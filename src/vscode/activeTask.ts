import * as path from 'node:path';
import * as vscode from 'vscode';
import type { TaskFacts } from '../core/policy/types';
import { workspaceRoot } from './config';
import { commandForFile, type ActiveTaskKind } from './routeText';
import { factsFromDefinition, ORCH_TASK_TYPE, type OrchTaskDefinition } from './taskDefinition';

/** The task the routing indicator and "Route Active Task" explain. */
export interface ActiveTask {
  /** What it is, for messages: `selection: make -j8`, `file: train.py`, `task: build`. */
  label: string;
  kind: ActiveTaskKind;
  facts: TaskFacts;
}

/** The selection, else the active file, else a running `orch` task; undefined when none. */
export function activeTask(): ActiveTask | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor) {
    const selected = editor.document.getText(editor.selection).trim();
    if (selected) return { label: `selection: ${selected.split(/\r?\n/)[0].slice(0, 60)}`, kind: 'selection', facts: { command: selected } };
    if (editor.document.uri.scheme === 'file') {
      const root = workspaceRoot();
      const rel = root ? path.relative(root, editor.document.uri.fsPath) : path.basename(editor.document.uri.fsPath);
      return { label: `file: ${rel}`, kind: 'file', facts: { command: commandForFile(rel) } };
    }
  }
  const running = vscode.tasks.taskExecutions.find((e) => e.task.definition.type === ORCH_TASK_TYPE);
  if (running) return { label: `task: ${running.task.name}`, kind: 'task', facts: factsFromDefinition(running.task.definition as OrchTaskDefinition) };
  return undefined;
}
