import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

describe('workbench', () => {
  it('opens the test workspace', () => {
    assert.equal(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath, process.env.ORCH_TEST_WORKSPACE);
  });
});
