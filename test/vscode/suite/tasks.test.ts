import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, uniqueName, waitFor, workspaceFolder } from './util';

/** Runs a task and resolves with its process exit code. */
function runTask(task: vscode.Task): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const sub = vscode.tasks.onDidEndTaskProcess((e) => {
      if (e.execution.task.name === task.name) {
        sub.dispose();
        resolve(e.exitCode);
      }
    });
    vscode.tasks.executeTask(task).then(undefined, (e) => {
      sub.dispose();
      reject(e);
    });
  });
}

async function orchTask(label: string, definition: Record<string, unknown>): Promise<vscode.Task> {
  const tasks = vscode.workspace.getConfiguration('tasks', workspaceFolder().uri);
  const list = (tasks.get<unknown[]>('tasks') ?? []).filter((t) => (t as { label?: string }).label !== label);
  await tasks.update('version', '2.0.0', vscode.ConfigurationTarget.WorkspaceFolder);
  await tasks.update('tasks', [...list, { label, type: 'orch', ...definition }], vscode.ConfigurationTarget.WorkspaceFolder);
  return waitFor(`task ${label}`, async () => (await vscode.tasks.fetchTasks({ type: 'orch' })).find((t) => t.name === label), 15_000);
}

const autorun = (mode: string | undefined): Thenable<void> => vscode.workspace.getConfiguration('cloudJobs').update('autorun', mode, vscode.ConfigurationTarget.Global);

// AUTORUN's dialogs (confirm, off) are answered in the e2e run: the workbench refuses modal
// dialogs while extension tests run.
describe('orch task provider', function () {
  this.timeout(90_000);
  after(() => autorun(undefined));

  it('AUTORUN full: a task routed to the cloud runs as a job without asking and ends with the job exit code', async () => {
    const a = await api();
    await autorun('full');
    const name = uniqueName('it-task');
    const task = await orchTask('cloud task', { command: 'echo from the task; exit 7', name, heavyLogs: true });
    assert.equal(await runTask(task), 7);
    await a.refresh();
    const job = a.jobs().find((j) => j.name === name);
    assert.equal(job?.state, 'FAILED');
    assert.equal(job?.exitCode, 7);
    assert.match(job?.route ?? '', /heavy_log_output/);
  });

  it('AUTORUN confirm: a task the policy keeps local runs here without asking, not on the host', async () => {
    await autorun('confirm');
    const task = await orchTask('local task', { command: 'test "$PWD" = "$ORCH_TEST_WORKSPACE" && exit 4', runtime: 1, ui: true, light: true, memory: 1 });
    assert.equal(await runTask(task), 4);
  });

  it('AUTORUN off: a target written in the task is the user\'s choice and is not asked about', async () => {
    const a = await api();
    await autorun('off');
    const name = uniqueName('it-task-off');
    const task = await orchTask('explicit cloud task', { command: 'echo chosen; exit 6', name, target: 'cloud', runtime: 1, ui: true, light: true, memory: 1 });
    assert.equal(await runTask(task), 6);
    await a.refresh();
    assert.equal(a.jobs().find((j) => j.name === name)?.exitCode, 6);
  });
});
