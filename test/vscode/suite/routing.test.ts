import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { KIT_ENV_TEXT } from '../harness/workspace';
import { api, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;

function tooltipText(a: Api): string {
  const t = a.statusBar().tooltip;
  return typeof t === 'string' ? t : (t?.value ?? '');
}

describe('status-bar routing indicator', function () {
  this.timeout(60_000);
  let a: Api;
  const kitEnv = (): string => path.join(workspaceFolder().uri.fsPath, '.orchestration-kit.env');

  before(async () => {
    a = await api();
  });

  after(async () => {
    await writeFile(kitEnv(), KIT_ENV_TEXT);
    // the untitled selection document is dirty: revert it so closing asks nothing
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows COMPUTE_TARGET from .orchestration-kit.env and the decision for the active file', async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await a.refreshRouting();
    assert.equal(a.statusBar().text, '$(device-desktop) Target: local');
    assert.match(tooltipText(a), /COMPUTE_TARGET:\*\* `local`/);
    assert.match(tooltipText(a), /\.orchestration-kit\.env:5/);

    const doc = await vscode.workspace.openTextDocument(path.join(workspaceFolder().uri.fsPath, 'train.py'));
    await vscode.window.showTextDocument(doc);
    const text = await waitFor('the decision for train.py', () => a.statusBar().text.includes('·') && a.statusBar().text);
    assert.equal(text, '$(device-desktop) Target: local · this file → cloud');
    assert.match(tooltipText(a), /file: train\.py/);
    assert.match(tooltipText(a), /→ \*\*cloud\*\*/);
  });

  it('follows the selection: a lightweight command stays a cloud decision only when the policy says so', async () => {
    const doc = await vscode.workspace.openTextDocument({ content: 'git status\nnpm run dev\n' });
    const editor = await vscode.window.showTextDocument(doc);
    editor.selection = new vscode.Selection(1, 0, 1, 11);
    await waitFor('the decision for npm run dev', () => tooltipText(a).includes('selection: npm run dev'));
    assert.match(tooltipText(a), /heavy_log_output/);
  });

  it('Set Compute Target changes only the default of the kit\'s "${COMPUTE_TARGET:-…}" line, keeping comments, and the indicator follows', async () => {
    const target = await vscode.commands.executeCommand('cloudJobs.setComputeTarget', 'ec2');
    assert.equal(target, 'ec2');
    const text = await readFile(kitEnv(), 'utf8');
    assert.equal(text, KIT_ENV_TEXT.replace('COMPUTE_TARGET="${COMPUTE_TARGET:-local}"  # local or ec2', 'COMPUTE_TARGET="${COMPUTE_TARGET:-ec2}"  # local or ec2'));
    await waitFor('ec2 in the status bar', () => a.statusBar().text.startsWith('$(cloud) Target: ec2'));
  });

  it('follows edits of the env file made outside VS Code, and shows an invalid value as an error', async () => {
    await writeFile(kitEnv(), '# by hand\nCOMPUTE_TARGET=gpu-farm\n');
    await waitFor('the error state', () => a.statusBar().text === '$(error) COMPUTE_TARGET?', 15_000);
    assert.match(tooltipText(a), /COMPUTE_TARGET must be "local" or "ec2", not "gpu-farm"/);
    await writeFile(kitEnv(), '# by hand\nCOMPUTE_TARGET=local\n');
    await waitFor('back to local', () => a.statusBar().text.startsWith('$(device-desktop) Target: local'), 15_000);
  });
});
