import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { Job } from '../../../src/core/jobs/model';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { api, uniqueName, waitFor } from './util';

type Api = Awaited<ReturnType<typeof api>>;

function jobItem(a: Api, name: string): vscode.TreeItem | undefined {
  return a.treeItems().find((t: { node: JobsNode }) => t.node.kind === 'job' && t.node.job.name === name)?.item;
}

function iconId(item: vscode.TreeItem): string {
  return (item.iconPath as vscode.ThemeIcon).id;
}

describe('jobs on the real sshd', function () {
  this.timeout(90_000);
  let a: Api;

  before(async () => {
    a = await api();
    // AUTORUN_FULL: no confirmation dialogs while the suite drives commands
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Run on EC2 starts a job that shows RUNNING, then DONE with its exit code, in the tree', async () => {
    const name = uniqueName('it-done');
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', {
      name,
      command: 'echo "first line"; sleep 3; printf "héllo wörld\\n"; echo last line',
    })) as Job | undefined;
    assert.ok(job, 'the command returned the started job');
    assert.equal(job.name, name);
    assert.equal(job.host, '127.0.0.1');
    const running = await waitFor('RUNNING item', () => {
      const item = jobItem(a, name);
      return item?.contextValue?.startsWith('job.running') && item;
    }, 15_000);
    assert.equal(iconId(running), 'sync~spin');
    assert.match(String(running.description), /^running/);
    assert.equal(a.badge()?.value !== undefined && a.badge()!.value >= 1, true, 'the view badge counts running jobs');
    const tooltip = (running.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /first line/);
    assert.match(tooltip, /\*\*Host:\*\* 127\.0\.0\.1/);
    assert.match(tooltip, /run\.log/);
    assert.match(tooltip, /Routed here because/);
    const done = await waitFor('DONE item', () => {
      const item = jobItem(a, name);
      return item?.contextValue?.startsWith('job.done') && item;
    }, 30_000);
    assert.equal(iconId(done), 'pass-filled');
    assert.match(String(done.description), /^exit 0/);
    assert.match(done.contextValue!, /\.rerunnable/);
  });

  it('Show Logs streams the job log into its own channel, ending with the exit line', async () => {
    const name = uniqueName('it-log');
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'for i in 1 2 3; do echo "line $i"; sleep 0.5; done; exit 3' })) as Job;
    await vscode.commands.executeCommand('cloudJobs.showLogs', name);
    const text = await waitFor('the exit line in the channel', () => {
      const t = a.logText(job);
      return t?.includes('[EXIT: 3]') && t;
    }, 30_000);
    assert.equal(text, 'line 1\nline 2\nline 3\n[EXIT: 3]\n');
    const failed = await waitFor('FAILED item', () => {
      const item = jobItem(a, name);
      return item?.contextValue?.startsWith('job.failed') && item;
    });
    assert.equal(iconId(failed), 'error');
    assert.match(String(failed.description), /^exit 3/);
  });

  it('Stop stops a running job: STOPPED in the tree, log kept', async () => {
    const name = uniqueName('it-stop');
    await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo started; sleep 300' });
    await waitFor('RUNNING', () => jobItem(a, name)?.contextValue?.startsWith('job.running'));
    const stopped = (await vscode.commands.executeCommand('cloudJobs.stop', { name, confirmed: true })) as Job | undefined;
    assert.equal(stopped?.state, 'STOPPED');
    const item = await waitFor('STOPPED item', () => {
      const i = jobItem(a, name);
      return i?.contextValue?.startsWith('job.stopped') && i;
    });
    assert.equal(iconId(item), 'debug-stop');
    await vscode.commands.executeCommand('cloudJobs.showLogs', name);
    await waitFor('the kept log', () => a.logText({ name, host: '127.0.0.1' })?.startsWith('started\n'));
  });

  it('refuses an invalid job name before starting anything', async () => {
    const result = await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: 'bad name;rm', command: 'echo no' });
    assert.equal(result, undefined);
    await a.refresh();
    assert.equal(a.jobs().some((j) => j.name.startsWith('bad')), false);
  });

  it('Attach in Terminal opens a terminal named after the job', async () => {
    const name = uniqueName('it-attach');
    await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'sleep 60' });
    await waitFor('RUNNING', () => jobItem(a, name)?.contextValue?.startsWith('job.running'));
    const terminal = (await vscode.commands.executeCommand('cloudJobs.attach', name)) as vscode.Terminal;
    assert.equal(terminal.name, `Cloud Jobs: ${name}`);
    const opts = terminal.creationOptions as vscode.TerminalOptions;
    assert.equal(opts.shellPath, 'ssh');
    assert.deepEqual((opts.shellArgs as string[]).slice(-2), [`orchtest@127.0.0.1`, `tmux -u attach -t '${name}'`]);
    terminal.dispose();
    await vscode.commands.executeCommand('cloudJobs.stop', { name, confirmed: true });
  });
});
