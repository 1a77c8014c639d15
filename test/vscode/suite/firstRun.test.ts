import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { Job } from '../../../src/core/jobs/model';
import { isActive } from '../../../src/core/jobs/model';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { freshNotifications, hostControl, settledNotificationsSince, uiMark, waitForNotification } from './ui';
import { api, orchCli, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;

/** Every row of the tree: the roots and, when jobs are grouped by host, each host's rows. */
function allRows(a: Api): { node: JobsNode; item: vscode.TreeItem }[] {
  return a.treeItems().flatMap((t) => (t.node.kind === 'host' ? [t, ...a.treeItems(t.node)] : [t]));
}

function jobRow(a: Api, name: string): { node: JobsNode; item: vscode.TreeItem } | undefined {
  return allRows(a).find((t) => t.node.kind === 'job' && t.node.job.name === name);
}

/** Issue 17: what a new user meets on the first runs. */
describe('first runs (sync, honest outcomes, live tree, host errors, readable logs)', function () {
  this.timeout(120_000);
  let a: Api;

  before(async () => {
    a = await api();
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
  });
  beforeEach(() => freshNotifications());
  after(async () => {
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', undefined, vscode.ConfigurationTarget.Global);
  });

  it('the first Run on EC2 of a workspace script syncs it and runs it there; Pull Results lands where orch pull puts it', async () => {
    const ws = workspaceFolder().uri.fsPath;
    const script = `first_${Date.now().toString(36)}.py`;
    writeFileSync(join(ws, script), 'import os\nprint("training on the box", flush=True)\nos.makedirs("results", exist_ok=True)\nopen("results/metrics.json", "w").write("{\\"acc\\": 0.9}\\n")\n');
    const name = uniqueName('first-run');
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: `python3 ${script}` })) as Job;
    assert.ok(job, 'started');
    assert.equal(job.outputDir, 'results', 'the cloudJobs.outputDir default is recorded');
    const done = await waitFor('DONE', async () => {
      await a.refresh();
      return a.jobs().find((j) => j.name === name && j.state === 'DONE');
    }, 30_000);
    assert.equal(done.exitCode, 0);
    const tooltip = (jobRow(a, name)!.item.tooltip as vscode.MarkdownString).value;
    assert.match(tooltip, /\*\*Runs in:\*\* `[^`]*work/);
    const pulled = (await vscode.commands.executeCommand('cloudJobs.pullResults', { name, host: job.host })) as { localDir: string; files: number };
    assert.equal(pulled.localDir, join(ws, 'results'), 'the same relative path as `orch pull`');
    assert.equal(readFileSync(join(ws, 'results/metrics.json'), 'utf8'), '{"acc": 0.9}\n');

    // a second job while one holds the default output dir: the host would refuse it, so it gets none
    const holder = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: uniqueName('holds-results'), command: 'sleep 20' })) as Job;
    assert.equal(holder.outputDir, 'results');
    const beside = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: uniqueName('beside'), command: 'sleep 20' })) as Job;
    assert.ok(beside, 'started, not refused');
    assert.equal(beside.outputDir, null);
    for (const j of [holder, beside]) await vscode.commands.executeCommand('cloudJobs.stop', { name: j.name, host: j.host, confirmed: true });
  });

  it('a job that fails as it starts is announced as failed (exit code, last lines), never as "Started"; Attach explains', async () => {
    const mark = uiMark();
    const notices = a.completionNotices().length;
    const name = uniqueName('fails-at-once');
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'python3 no_such_script.py' })) as Job;
    assert.equal(job.state, 'FAILED');
    const seen = await waitForNotification(mark, `${name} failed`);
    assert.match(seen.text, new RegExp(`^${name} failed on 127\\.0\\.0\\.1 right after it started: exit 2\\. Last lines: `));
    assert.match(seen.text, /can't open file/);
    assert.deepEqual(seen.buttons, ['Show Logs']);
    assert.equal(seen.severity, 'error');
    assert.equal((await settledNotificationsSince(mark, `Started ${name}`)).length, 0, 'no "Started … Attach"');
    await a.refresh();
    assert.equal(a.completionNotices().slice(notices).filter((n) => n.message.includes(name)).length, 1, 'one notice, not two');
    const attachMark = uiMark();
    assert.equal(await vscode.commands.executeCommand('cloudJobs.attach', { name, host: job.host }), undefined);
    const told = await waitForNotification(attachMark, 'no tmux session to attach to');
    assert.match(told.text, new RegExp(`${name} failed with exit 2`));
  });

  it('a job started from a terminal shows up within 5 s while nothing else runs, and its quick end is announced', async () => {
    await vscode.commands.executeCommand('cloudJobs.stopAll', { confirmed: true });
    await waitFor('nothing active', async () => (await a.refresh(), !a.jobs().some((j) => isActive(j.state))), 30_000);
    await new Promise((r) => setTimeout(r, 6_000)); // longer than any poll interval: only the host's change signal can tell
    const name = uniqueName('from-terminal');
    const notices = a.completionNotices().length;
    const t0 = Date.now();
    const r = await orchCli(['run', name, 'sleep 1; echo quick']);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('the row of a job started in a terminal', () => jobRow(a, name), 5_000);
    const appeared = Date.now() - t0;
    console.log(`    time to appear (orch run in a terminal → row in the tree): ${appeared} ms`);
    await waitFor('its completion notice', () => a.completionNotices().slice(notices).find((n) => n.message.startsWith(`${name} finished`)), 15_000);
    const quick = uniqueName('ends-at-once');
    const q = await orchCli(['run', quick, 'exit 3']);
    assert.equal(q.code, 0, q.stderr);
    await waitFor('the notice of a job that ended before any listing saw it run', () => a.completionNotices().slice(notices).find((n) => n.message.startsWith(`${quick} failed`)), 15_000);
  });

  it('a stopped sshd leaves the tree populated with Retry; the tree and the log channel come back on their own', async () => {
    const name = uniqueName('survives');
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'for i in $(seq 1 30); do echo "tick $i"; sleep 0.5; done' })) as Job;
    await vscode.commands.executeCommand('cloudJobs.showLogs', { name, host: job.host });
    await waitFor('the first ticks', () => a.logText(job)?.includes('tick 2'));
    await hostControl('kill');
    try {
      await a.refresh();
      const rows = allRows(a);
      const error = rows.find((t) => t.node.kind === 'message' && t.item.contextValue === 'hostError');
      assert.ok(error, `a host error row: ${JSON.stringify(rows.map((t) => t.item.label))}`);
      assert.match(String(error.item.label), /Cannot reach 127\.0\.0\.1/);
      assert.equal(error.item.command?.command, 'cloudJobs.retry', 'a click retries');
      const row = jobRow(a, name);
      assert.ok(row, 'the job is still listed');
      assert.match(String(row.item.description), /^last seen: running/);
    } finally {
      await hostControl('restart');
    }
    // Retry (the row's command) works; the change watch would get there too
    await vscode.commands.executeCommand('cloudJobs.retry');
    await waitFor('the error row gone', async () => !allRows(a).some((t) => t.item.contextValue === 'hostError'), 30_000);
    const text = await waitFor('the whole log after the reconnect', () => a.logText(job)?.includes('[EXIT: 0]') && a.logText(job), 60_000);
    const ticks = text.split('\n').filter((l) => l.startsWith('tick '));
    assert.deepEqual(ticks, Array.from({ length: 30 }, (_, i) => `tick ${i + 1}`), 'every line once, in order');
  });

  it("a tqdm job's channel shows one line per bar without escape codes; Open Full Log is a read-only document named after the job", async () => {
    const ws = workspaceFolder().uri.fsPath;
    writeFileSync(join(ws, 'bars.py'), 'import sys, time\nfrom tqdm import tqdm\nfor epoch in range(2):\n    for _ in tqdm(range(20), desc=f"epoch {epoch}", file=sys.stdout, mininterval=0, miniters=1, ncols=70, colour="green"):\n        time.sleep(0.02)\nprint("\\x1b[32mdone\\x1b[0m")\n');
    const name = uniqueName('tqdm');
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: '/usr/bin/python3 bars.py' })) as Job;
    await vscode.commands.executeCommand('cloudJobs.showLogs', { name, host: job.host });
    const text = await waitFor('the exit line', () => a.logText(job)?.includes('[EXIT: 0]') && a.logText(job), 30_000);
    const lines = text.split('\n').filter(Boolean);
    assert.equal(lines.length, 4, JSON.stringify(lines));
    assert.match(lines[0], /^epoch 0: 100%\|█+\| 20\/20/);
    assert.match(lines[1], /^epoch 1: 100%\|█+\| 20\/20/);
    assert.deepEqual(lines.slice(2), ['done', '[EXIT: 0]']);
    assert.ok(!text.includes('\r') && !text.includes('\x1b'), 'no carriage returns or escape codes');
    await vscode.commands.executeCommand('cloudJobs.openFullLog', { name, host: job.host });
    const doc = await waitFor('the full log editor', () => vscode.window.activeTextEditor?.document.uri.path.endsWith(`/${name}.log`) && vscode.window.activeTextEditor.document);
    assert.equal(doc.isUntitled, false);
    assert.equal(doc.isDirty, false);
    assert.equal(doc.getText(), text);
    // typing into it, as a user would, changes nothing: the editor is read-only
    await vscode.commands.executeCommand('type', { text: 'typed' });
    assert.equal(doc.getText(), text, 'read-only');
    assert.equal(doc.isDirty, false, 'nothing to save');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    assert.ok(existsSync(join(ws, 'bars.py')));
  });
});
