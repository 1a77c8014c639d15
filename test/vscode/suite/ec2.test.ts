import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { clickNotification, freshNotifications, notificationsSince, settledNotificationsSince, uiMark, waitForNotification } from './ui';
import { api, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;

const awsBundleLoaded = (): boolean => Object.keys(require.cache).some((f) => f.endsWith(`${path.sep}dist${path.sep}aws-ec2.js`));

function boxNode(a: Api, id: string): { node: JobsNode; item: vscode.TreeItem } | undefined {
  return a.treeItems().find((t) => t.node.kind === 'host' && t.node.host === id);
}

/**
 * An EC2 box in the real workbench (PRODUCT.md §7): the runner's EC2 stand-in (a local EC2 Query
 * API endpoint) driven through the real AWS SDK, its instance a real sshd that comes back on a
 * new loopback address at each start. The workspace's scripts/cloud/.env is switched to the box
 * for this suite and restored after it.
 */
type Report = { ok: boolean; host: string; text: string; lines: { check: string; status: string; text: string }[] };

describe('EC2 box: the host node, Start Box / Stop Box, "Start Box and Run", the status-bar hint', function () {
  this.timeout(180_000);
  let a: Api;
  let envFile: string;
  let original: string;
  const id = process.env.ORCH_TEST_EC2_INSTANCE ?? '';

  before(async () => {
    a = await api();
    assert.ok(process.env.ORCH_TEST_EC2_DOTENV && id, 'the runner must start the EC2 stand-in (ORCH_TEST_EC2_DOTENV)');
    envFile = path.join(workspaceFolder().uri.fsPath, 'scripts/cloud/.env');
    original = await readFile(envFile, 'utf8');
  });

  after(async () => {
    if (original !== undefined) await writeFile(envFile, original);
    await waitFor('the box gone from the tree', async () => (await a.box(id)) === undefined, 30_000);
  });

  beforeEach(() => freshNotifications());

  it('a workspace whose host is no box never loaded the AWS bundle (activation, refreshes, every suite so far)', () => {
    assert.equal(awsBundleLoaded(), false);
  });

  it('the stopped box: host node "stopped · g5.xlarge" with Start Box, a placeholder instead of jobs, the status-bar hint', async () => {
    await writeFile(envFile, process.env.ORCH_TEST_EC2_DOTENV!);
    const row = await waitFor('the box node', async () => {
      await a.refresh();
      const r = boxNode(a, id);
      return r && r.item.description === 'stopped · g5.xlarge' ? r : undefined;
    }, 30_000);
    assert.equal(row.item.contextValue, 'host.box.stopped');
    assert.equal((row.item.iconPath as vscode.ThemeIcon).id, 'vm-outline');
    const children = a.treeItems(row.node);
    assert.deepEqual(children.map((c) => [c.item.label, c.item.description]), [['Box stopped', 'Start Box to list and run its jobs']]);
    const bar = a.boxStatusBar();
    assert.equal(bar.visible, true);
    assert.equal(bar.text, `$(vm-outline) ${id} stopped`);
    assert.deepEqual(bar.command, { command: 'cloudJobs.startBox', title: 'Start Box', arguments: [id] });
    assert.equal(awsBundleLoaded(), true, 'an EC2 host loads the AWS bundle');
  });

  it('Check Host on the stopped box asks AWS, not SSH: aws ok, the box line says Start Box, its host checks one skip line', async () => {
    const r = (await vscode.commands.executeCommand('cloudJobs.checkHost', boxNode(a, id)!.node)) as Report;
    assert.equal(r.ok, false, r.text);
    assert.deepEqual(r.lines.map((l) => [l.check, l.status]), [['aws', 'ok'], ['box', 'fail'], ['host', 'skip']]);
    assert.equal(r.lines[1]!.text, `${id} stopped: start it with Start Box on the host's row (or set ORCH_EC2_WAKE=auto so that commands start it)`);
    assert.match(r.lines[2]!.text, /the box is stopped \(nothing was started; Start Box, then Check Host again\)$/);
    assert.match(r.text, new RegExp(`\n {2}1 of 2 checks failed on ${id}; its host checks were skipped\\.\n$`));
    assert.equal((await a.box(id))?.summary?.state, 'stopped', 'Check Host started nothing');
  });

  it('Run on EC2 that will ask to confirm asks once for a stopped box: declined, the box stays stopped and nothing starts', async () => {
    const mark = uiMark();
    const name = uniqueName('it-box-ask');
    // the confirmation is a modal, which the workbench refuses under extension tests: like Cancel
    const started = await vscode.commands.executeCommand('cloudJobs.runOnEc2', { command: 'echo never', name });
    assert.equal(started, undefined);
    assert.equal((await a.box(id))?.summary?.state, 'stopped', 'the box was not started before the answer');
    assert.deepEqual(notificationsSince(mark, 'is stopped').map((n) => n.text), [], 'no second question about the box');
  });

  it('Run on EC2 meets the stopped box: "Start Box and Run" starts it, waits for SSH and runs the job', async () => {
    const name = uniqueName('it-box-run');
    const started = vscode.commands.executeCommand('cloudJobs.runOnEc2', { command: 'echo hello from the box', name, confirmed: true });
    const t0 = Date.now();
    await clickNotification('Start Box and Run', 'is stopped');
    const job = (await started) as { name: string; host: string } | undefined;
    assert.ok(job, 'the job started');
    assert.equal(job.host, id);
    console.log(`      (start box + run: ${Date.now() - t0} ms)`);
    await waitFor('the job DONE', async () => {
      await a.refresh();
      return a.jobs().find((j) => j.name === name && j.state === 'DONE');
    }, 60_000);
    const row = await waitFor('the running box node', async () => {
      const r = boxNode(a, id);
      return r && String(r.item.description).startsWith('running · g5.xlarge · up ') ? r : undefined;
    }, 30_000);
    assert.equal(row.item.contextValue, 'host.box.running');
    assert.ok(a.treeItems(row.node).some((c) => c.node.kind === 'job' && c.node.job.name === name));
    assert.equal(a.boxStatusBar().visible, false, 'no hint while the box runs');
  });

  it('Stop Box while a job runs asks "Stop Jobs and Box"; then the job is STOPPED and the box stopped', async () => {
    const name = uniqueName('it-box-busy');
    const job = await vscode.commands.executeCommand('cloudJobs.runOnEc2', { command: 'sleep 60', name, confirmed: true });
    assert.ok(job);
    const mark = uiMark();
    const stopping = vscode.commands.executeCommand('cloudJobs.stopBox', id);
    await clickNotification('Stop Jobs and Box', '1 active job');
    assert.equal(await stopping, true);
    assert.equal((await a.box(id))?.summary?.state, 'stopped');
    // one message names the job; no "was stopped" notice of its own (its Pull Results needs the box)
    await waitForNotification(mark, `The EC2 box ${id} is stopped, and ${name} with it (log kept).`);
    assert.deepEqual((await settledNotificationsSince(mark, 'was stopped')).map((n) => n.text), []);
    await waitFor('the stopped box node', async () => boxNode(a, id)?.item.description === 'stopped · g5.xlarge', 30_000);
    assert.equal(a.boxStatusBar().visible, true);
  });

  it('Start Box (the node\'s inline action) brings it back at a new address; its jobs are listed again', async () => {
    const node = boxNode(a, id)!.node;
    const address = (await vscode.commands.executeCommand('cloudJobs.startBox', node)) as string | undefined;
    assert.match(String(address), /^127\.0\.0\.\d+$/);
    const row = await waitFor('the box listed again', async () => {
      await a.refresh();
      const r = boxNode(a, id);
      return r && r.item.contextValue === 'host.box.running' && a.treeItems(r.node).some((c) => c.node.kind === 'job') ? r : undefined;
    }, 30_000);
    const stopped = a.treeItems(row.node).find((c) => c.node.kind === 'job' && c.node.job.state === 'STOPPED');
    assert.ok(stopped, 'the job Stop Box stopped is listed, STOPPED');
    assert.equal(stopped.node.kind === 'job' && stopped.node.job.reason, 'stopped by Stop Box in VS Code');
    // and Check Host of the running box: AWS's lines, then the host checks at the address AWS gave
    const r = (await vscode.commands.executeCommand('cloudJobs.checkHost', id)) as Report;
    assert.equal(r.ok, true, r.text);
    assert.deepEqual(r.lines.slice(0, 3).map((l) => [l.check, l.status]), [['aws', 'ok'], ['box', 'ok'], ['ssh', 'ok']]);
    assert.match(r.lines[1]!.text, new RegExp(`^${id} running, g5\\.xlarge, at ${address!.replace(/\./g, '\\.')}`));
  });

  it('with autostop the running box node says "idle 12 min · stops in 18 min" (17 once a second has passed), from the host\'s own idle clock', async () => {
    // ORCH_AUTOSTOP_MINUTES=30; a run installs the check on the box (PRODUCT.md §7)
    await writeFile(envFile, `${process.env.ORCH_TEST_EC2_DOTENV!}ORCH_AUTOSTOP_MINUTES=30\n`);
    // A try may meet the engines being reopened for the changed .env ("the connection to the host
    // was lost") after its job started: the next try takes a new name, not that one's Replace question.
    let name = '';
    await waitFor('the run with autostop', async () => {
      name = uniqueName('it-box-autostop');
      return (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { command: 'true', name, confirmed: true })) !== undefined;
    }, 30_000);
    await waitFor('the job DONE', async () => {
      await a.refresh();
      return a.jobs().find((j) => j.name === name && j.state === 'DONE');
    }, 60_000);
    // The box has been idle for 12 minutes by its own clock (the check keeps it in .orch/idle-since).
    const clock = path.join(process.env.ORCH_TEST_EC2_LOG_ROOT!, '.orch', 'idle-since');
    await writeFile(clock, `${Math.floor(Date.now() / 1000) - 12 * 60}\n`);
    const row = await waitFor('the idle box node', async () => {
      await a.refresh();
      const r = boxNode(a, id);
      return r && /idle 12 min/.test(String(r.item.description)) ? r : undefined;
    }, 30_000);
    // 30 minutes less 12 and the seconds since the clock was set: 18 minutes, 17 when a second has gone
    console.log(`      (${String(row.item.description)})`);
    assert.match(String(row.item.description), /^running · g5\.xlarge · idle 12 min · stops in 1[78] min$/);
    assert.equal(row.item.contextValue, 'host.box.running');
    const summary = (await a.box(id))?.summary;
    assert.ok(summary && summary.idleSeconds! >= 720 && summary.busy === null && summary.autostopAt !== null, JSON.stringify(summary));
  });
});
