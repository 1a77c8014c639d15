import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api } from './util';

describe('Restricted Mode', function () {
  this.timeout(30_000);

  it('opens the workspace untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  it('refuses to run a job (nothing is started on the host)', async () => {
    await api();
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
    const result = await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: 'restricted-must-not-run', command: 'echo should not run', confirmed: true });
    assert.equal(result, undefined);
  });

  it('reads no workspace env file: no host is configured and the status bar says restricted', async () => {
    const a = await api();
    await a.refresh();
    assert.deepEqual(a.jobs(), []);
    const s = await a.refreshRouting();
    assert.equal(s.kind, 'restricted');
    assert.equal(a.statusBar().text, '$(workspace-untrusted) Cloud Jobs: restricted');
  });

  it('refuses to edit the compute target', async () => {
    assert.equal(await vscode.commands.executeCommand('cloudJobs.setComputeTarget', 'ec2'), undefined);
  });
});
