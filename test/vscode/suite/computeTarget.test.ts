import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { KIT_ENV_TEXT } from '../harness/workspace';
import { clickNotification, freshNotifications, uiMark, waitForNotification } from './ui';
import { api, waitFor, workspaceFolder } from './util';

/** Set Compute Target on lines it cannot keep as they were: it says what it changed (issue 17 item 7). */
describe('Set Compute Target on a hand-written line', function () {
  this.timeout(60_000);
  let a: Awaited<ReturnType<typeof api>>;
  const kitEnv = (): string => path.join(workspaceFolder().uri.fsPath, '.orchestration-kit.env');

  before(async () => {
    a = await api();
  });
  beforeEach(() => freshNotifications());
  after(() => writeFile(kitEnv(), KIT_ENV_TEXT));

  it('Set Compute Target says what it drops when the line held another expansion', async () => {
    await writeFile(kitEnv(), '# by hand\nCOMPUTE_TARGET="$KIT_TARGET"  # from elsewhere\n');
    const mark = uiMark();
    assert.equal(await vscode.commands.executeCommand('cloudJobs.setComputeTarget', 'local'), 'local');
    assert.equal(await readFile(kitEnv(), 'utf8'), '# by hand\nCOMPUTE_TARGET=local  # from elsewhere\n');
    await waitForNotification(mark, 'COMPUTE_TARGET=local replaces "$KIT_TARGET" in .orchestration-kit.env.');
    await waitFor('local in the status bar', () => a.statusBar().text.startsWith('$(device-desktop) Target: local'));
  });

  it('says when COMPUTE_TARGET in the environment wins over the new default, and writes a plain value if asked', async () => {
    await writeFile(kitEnv(), 'export COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n');
    // the extension host's own environment: what VS Code was started with
    process.env.COMPUTE_TARGET = 'local';
    try {
      const setting = vscode.commands.executeCommand('cloudJobs.setComputeTarget', 'ec2');
      const told = await clickNotification('Write COMPUTE_TARGET=ec2', 'wins over it');
      assert.match(told, /The default in \.orchestration-kit\.env is now ec2, but COMPUTE_TARGET=local in VS Code's environment wins over it\./);
      assert.equal(await setting, 'ec2');
      assert.equal(await readFile(kitEnv(), 'utf8'), 'export COMPUTE_TARGET=ec2\n');
      await waitFor('ec2 in the status bar', () => a.statusBar().text.startsWith('$(cloud) Target: ec2'));
    } finally {
      delete process.env.COMPUTE_TARGET;
    }
  });
});
