import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RollbackResult } from '../../../src/core/guardrails';
import type { Job } from '../../../src/core/jobs/model';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { freshNotifications, settledNotificationsSince, uiMark, waitForNotification } from './ui';
import { api, orchCli, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;
const HOST = '127.0.0.1';

function row(a: Api, name: string): vscode.TreeItem | undefined {
  const rows = a.treeItems().flatMap((t) => (t.node.kind === 'host' ? a.treeItems(t.node) : [t]));
  return rows.find((t) => t.node.kind === 'job' && (t.node as Extract<JobsNode, { kind: 'job' }>).job.name === name && t.node.job.host === HOST)?.item;
}

async function cli(args: string[]): Promise<string> {
  const r = await orchCli(args);
  assert.equal(r.code, 0, `orch ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function waitDone(a: Api, name: string, state: Job['state'] = 'DONE'): Promise<Job> {
  return waitFor(`${name} ${state}`, async () => {
    await a.refresh();
    const j = a.jobs().find((x) => x.name === name && x.host === HOST);
    return j?.state === state && j;
  });
}

describe('guardrails in the tree (L1 log watch, L2 attempts, L3 rollback, L4 stop all)', function () {
  this.timeout(120_000);
  let a: Api;

  before(async () => {
    a = await api();
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', undefined, vscode.ConfigurationTarget.Global);
  });

  beforeEach(() => freshNotifications());

  it('L1: a watched pattern in a followed log marks the row and notifies once, with Show Logs', async () => {
    const name = uniqueName('it-l1');
    const mark = uiMark();
    await vscode.commands.executeCommand('cloudJobs.runOnEc2', {
      name,
      command: 'echo "epoch 1"; sleep 1; echo "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB"; echo "CUDA out of memory (again)"; exit 1',
    });
    await vscode.commands.executeCommand('cloudJobs.showLogs', name);
    const item = await waitFor('the L1 mark on the row', () => row(a, name)?.description?.toString().startsWith('⚠ L1: CUDA out of memory') && row(a, name));
    assert.match((item.tooltip as vscode.MarkdownString).value, /Log watch \(L1\):\*\* `CUDA out of memory` \(cuda-oom\) at line 2/);
    const notice = await waitForNotification(mark, `L1: ${name} printed`);
    assert.equal(notice.text, `L1: ${name} printed "CUDA out of memory" (line 2, cuda-oom).`);
    assert.deepEqual(notice.buttons, ['Show Logs']);
    assert.equal(notice.severity, 'warning');
    await waitDone(a, name, 'FAILED');
    assert.match(String(row(a, name)?.description), /^⚠ L1: CUDA out of memory · exit 1 · /);
    assert.equal((await settledNotificationsSince(mark, `L1: ${name}`)).length, 1, 'one notification per job');
  });

  it('L2: the row shows the attempt while a failing command is retried, and keeps it once DONE', async () => {
    const name = uniqueName('it-l2');
    const counter = `.count-${name}`;
    const command = `n=$(cat ${counter} 2>/dev/null || echo 0); n=$((n+1)); echo $n > ${counter}; echo "try $n"; if [ $n -lt 3 ]; then exit 1; fi; sleep 2; echo ok`;
    await cli(['run', '--retries', '2', '--retry-backoff', '0.2', name, command]);
    await a.refresh();
    await vscode.commands.executeCommand('cloudJobs.showLogs', { name, host: HOST });
    await waitFor('attempt 3/3 while running', async () => {
      await a.refresh();
      return /^running .* · attempt 3\/3$/.test(String(row(a, name)?.description));
    }, 30_000);
    await waitDone(a, name);
    assert.match(String(row(a, name)?.description), /^exit 0 · \d+s · attempt 3\/3$/);
    const text = await waitFor('the whole log', () => a.logText({ name, host: HOST })?.endsWith('[EXIT: 0]\n') && a.logText({ name, host: HOST }));
    assert.equal(text, 'try 1\n[RETRY: exit 1; attempt 2 of 3]\ntry 2\n[RETRY: exit 1; attempt 3 of 3]\ntry 3\nok\n[EXIT: 0]\n');
  });

  it('L3: Rollback on an ended job resets its git workdir to the commit recorded before it, leaving untracked files', async () => {
    const env = await readFile(path.join(workspaceFolder().uri.fsPath, 'scripts/cloud/.env'), 'utf8');
    const workdir = `${/^ORCH_REMOTE_WORKDIR=(.*)$/m.exec(env)![1]}/rollback-${uniqueName('')}`;
    const setup = uniqueName('it-l3-setup');
    const change = uniqueName('it-l3-change');
    const check = uniqueName('it-l3-check');
    await cli(['run', '--workdir', workdir, setup, 'git init -q . && git config user.email t@example.com && git config user.name t && echo v1 > tracked.txt && git add tracked.txt && git commit -qm v1 && git rev-parse HEAD']);
    await waitDone(a, setup);
    const v1 = (await cli(['logs', setup])).split('\n')[0]!.trim();
    assert.match(v1, /^[0-9a-f]{40}$/);
    await cli(['run', '--workdir', workdir, change, 'echo v2 > tracked.txt && git commit -qam v2 && echo dirty >> tracked.txt && echo keep > untracked.txt']);
    await waitDone(a, change);
    assert.match(row(a, change)?.contextValue ?? '', /\.rollbackable\b/, 'the row offers Rollback');

    const r = (await vscode.commands.executeCommand('cloudJobs.rollback', { name: change, host: HOST, confirmed: true })) as RollbackResult | undefined;
    assert.ok(r, 'the rollback returned its result');
    assert.equal(r.commit, v1);
    assert.equal(r.reset, true);
    await cli(['run', '--workdir', workdir, check, 'cat tracked.txt untracked.txt; git log --format=%s']);
    await waitDone(a, check);
    assert.equal(await cli(['logs', check]), 'v1\nkeep\nv1\n[EXIT: 0]\n');

    // a job with no recorded commit is refused before anything is asked or changed
    const mark = uiMark();
    assert.equal(await vscode.commands.executeCommand('cloudJobs.rollback', { name: setup, host: HOST }), undefined);
    const refusal = await waitForNotification(mark, /commit/);
    assert.equal(refusal.severity, 'error');
  });

  it('L4: Stop All stops running and queued jobs at once and says so', async () => {
    const sfx = uniqueName('');
    const names = [1, 2, 3].map((i) => `it-l4-${i}${sfx}`);
    for (const n of names) await cli(['run', '--max-parallel', '1', n, 'sleep 300']);
    await a.refresh();
    const states = names.map((n) => a.jobs().find((j) => j.name === n)?.state);
    assert.deepEqual([...states].sort(), ['QUEUED', 'QUEUED', 'RUNNING']);
    const mark = uiMark();
    const stopped = (await vscode.commands.executeCommand('cloudJobs.stopAll', { confirmed: true })) as Job[];
    assert.deepEqual(names.map((n) => stopped.find((j) => j.name === n)?.state), ['STOPPED', 'STOPPED', 'STOPPED']);
    const notice = await waitForNotification(mark, 'Stop All (L4)');
    assert.match(notice.text, /^Stop All \(L4\): stopped \d+ jobs, 2 of them queued, on 127\.0\.0\.1\.$/);
    await a.refresh();
    assert.deepEqual(names.map((n) => a.jobs().find((j) => j.name === n)?.state), ['STOPPED', 'STOPPED', 'STOPPED']);
    assert.deepEqual(a.completionNotices().filter((c) => names.some((n) => c.message.includes(n))), [], 'no separate completion notices');
  });
});
