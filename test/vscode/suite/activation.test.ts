import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../../src/vscode/commands/ids';
import { api, EXTENSION_ID, workspaceFolder } from './util';

describe('activation', () => {
  it('activates on the workspace (scripts/cloud/.env) and registers every command', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    assert.ok(ext, 'extension present');
    await api();
    assert.equal(ext.isActive, true);
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = COMMAND_IDS.filter((id) => !all.has(id));
    assert.deepEqual(missing, []);
  });

  it('opens the test workspace trusted', () => {
    assert.equal(workspaceFolder().uri.fsPath, process.env.ORCH_TEST_WORKSPACE);
    assert.equal(vscode.workspace.isTrusted, true);
  });
});
