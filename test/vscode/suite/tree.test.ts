import * as assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Job } from '../../../src/core/jobs/model';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { clickNotification, freshNotifications, settledNotificationsSince, uiMark, waitForNotification } from './ui';
import { api, orchCli, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;
const HOST = '127.0.0.1';

function jobNode(a: Api, name: string, parent?: JobsNode): { node: JobsNode; item: vscode.TreeItem } | undefined {
  return a.treeItems(parent).find((t) => t.node.kind === 'job' && t.node.job.name === name);
}

function hostNodes(a: Api): JobsNode[] {
  return a.treeItems().filter((t) => t.node.kind === 'host').map((t) => t.node);
}

/** Every job row, under its host group or at the root. */
function jobRows(a: Api): { node: JobsNode; item: vscode.TreeItem }[] {
  return a.treeItems().flatMap((t) => (t.node.kind === 'host' ? a.treeItems(t.node) : [t])).filter((t) => t.node.kind === 'job');
}

/** `…-#7-Cloud Jobs: name` → 7: output channels are numbered in creation order. */
function channelNo(d: vscode.TextDocument): number {
  return Number(/#(\d+)-/.exec(decodeURIComponent(d.uri.path))?.[1] ?? 0);
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

describe('Cloud Jobs tree: hosts, Pull Results, Open Full Log, an unreachable host', function () {
  this.timeout(120_000);
  let a: Api;
  const localRoots = new Set<string>();

  before(async () => {
    a = await api();
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', undefined, vscode.ConfigurationTarget.Global);
    // the local target's log roots and workdirs (the same ~-relative paths, in this user's home)
    for (const dir of localRoots) await rm(dir, { recursive: true, force: true });
  });

  beforeEach(() => freshNotifications());

  it('groups jobs by host once the local tmux target is used beside the host', async () => {
    const remote = uniqueName('it-host-remote');
    const local = uniqueName('it-host-local');
    await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: remote, command: 'echo on the host' });
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: local, command: 'echo "on the laptop in $PWD"', target: 'local' })) as Job;
    assert.equal(job.host, 'local');
    localRoots.add(path.dirname(path.dirname(job.logPath)));
    if (job.workdir?.startsWith('/')) localRoots.add(job.workdir);
    await waitFor('two host groups', async () => {
      await a.refresh();
      return hostNodes(a).length === 2;
    });
    const groups = a.treeItems().filter((t) => t.node.kind === 'host');
    assert.deepEqual(groups.map((g) => g.item.label).sort(), [HOST, 'local']);
    const localGroup = groups.find((g) => g.item.label === 'local')!;
    assert.equal((localGroup.item.iconPath as vscode.ThemeIcon).id, 'device-desktop');
    assert.equal(localGroup.item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    const remoteGroup = groups.find((g) => g.item.label === HOST)!;
    assert.ok(jobNode(a, local, localGroup.node), 'the local job is under "local"');
    assert.ok(jobNode(a, remote, remoteGroup.node), 'the host job is under 127.0.0.1');
    assert.equal(jobNode(a, local, remoteGroup.node), undefined);
    await vscode.commands.executeCommand('cloudJobs.showLogs', { name: local, host: 'local' });
    const text = await waitFor('the local job log', () => a.logText({ name: local, host: 'local' })?.includes('[EXIT: 0]') && a.logText({ name: local, host: 'local' }));
    assert.match(text, /^on the laptop in \/\S+\n\[EXIT: 0\]\n$/);
  });

  it('Pull Results on a job row copies its recorded output dir into the workspace', async () => {
    const name = uniqueName('it-pull');
    const outDir = `results-${name}`;
    const r = await orchCli(['run', '--output-dir', outDir, name, `mkdir -p ${outDir}/sub && echo 0.97 > ${outDir}/score.txt && printf 'é\\n' > ${outDir}/sub/ü.txt`]);
    assert.equal(r.code, 0, r.stderr);
    const row = await waitFor('a DONE row that can be pulled', async () => {
      await a.refresh();
      const n = jobRows(a).find((t) => t.node.kind === 'job' && t.node.job.name === name);
      return n?.item.contextValue?.startsWith('job.done') && n;
    });
    assert.match(row.item.contextValue!, /\.pullable\b/, 'the row offers Pull Results');
    const local = path.join(workspaceFolder().uri.fsPath, outDir);
    const pulled = (await vscode.commands.executeCommand('cloudJobs.pullResults', row.node)) as { localDir: string; files: number };
    assert.equal(pulled.localDir, local);
    assert.equal(pulled.files, 2);
    assert.equal(await readFile(path.join(local, 'score.txt'), 'utf8'), '0.97\n');
    assert.equal(await readFile(path.join(local, 'sub/ü.txt'), 'utf8'), 'é\n');
    await rm(local, { recursive: true, force: true });
  });

  it('a log above the 1 MB bound: the channel keeps the tail, Open Full Log shows all of it', async () => {
    const name = uniqueName('it-big');
    const mark = uiMark();
    // 20000 numbered lines of 90 bytes: 1.8 MB
    await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: `seq 1 20000 | awk '{ printf "%06d %s\\n", $1, "${'x'.repeat(82)}" }'` });
    await vscode.commands.executeCommand('cloudJobs.showLogs', name);
    const tail = await waitFor('the exit line in the bounded channel', () => a.logText({ name, host: HOST })?.endsWith('[EXIT: 0]\n') && a.logText({ name, host: HOST }), 60_000);
    assert.ok(tail.length <= 1024 * 1024, `the channel holds at most 1 MB (${tail.length})`);
    assert.match(tail, /^\d{6} x+\n/, 'the tail starts at a line start');
    assert.match(tail, /\n020000 x+\n\[EXIT: 0\]\n$/);
    assert.doesNotMatch(tail, /^000001 /m, 'the first lines are not in the channel');
    const notice = await waitForNotification(mark, `The log of ${name} is large`);
    assert.deepEqual(notice.buttons, ['Open Full Log']);
    await clickNotification('Open Full Log', name);
    const doc = await waitFor('the full log in an editor', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'cloudjobs-log' && d.getText().startsWith('000001 x')));
    assert.ok(doc.uri.path.endsWith(`/${name}.log`), 'titled with the job name');
    const full = doc.getText();
    assert.equal(full.length, 20000 * 90 + '[EXIT: 0]\n'.length);
    assert.ok(full.endsWith('020000 ' + 'x'.repeat(82) + '\n[EXIT: 0]\n'));
    assert.equal((await settledNotificationsSince(mark, `The log of ${name} is large`)).length, 1);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    // what the Output view holds for the channel settles at the bound too (shown again: a
    // channel's document exists while the Output view shows it)
    // the newest document of the channel (a cut starts a fresh channel of the same name)
    const channelDoc = (): vscode.TextDocument | undefined =>
      vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'output' && decodeURIComponent(d.uri.path).includes(name)).sort((x, y) => channelNo(y) - channelNo(x))[0];
    let tries = 0;
    await waitFor('the Output view bounded', async () => {
      if (tries++ % 10 === 0) await vscode.commands.executeCommand('cloudJobs.showLogs', name);
      const d = channelDoc();
      return d !== undefined && d.getText().length <= 1024 * 1024 + 200 && d.getText().endsWith('[EXIT: 0]\n');
    }, 15_000).catch((e) => {
      const t = channelDoc()?.getText() ?? '';
      const count = (x: string): number => t.split(x).length - 1;
      const outputs = vscode.workspace.textDocuments.filter((d) => d.uri.scheme === 'output').map((d) => `${decodeURIComponent(d.uri.path).slice(0, 90)}: ${d.getText().length}`);
      throw new Error(`${(e as Error).message}: the Output view holds ${t.length} characters, starting ${JSON.stringify(t.slice(0, 120))}, ending ${JSON.stringify(t.slice(-60))}, with "020000 " ${count('020000 ')} times, "[EXIT: 0]" ${count('[EXIT: 0]')} times, "earlier output" ${count('earlier output')} times; output documents: ${JSON.stringify(outputs)}`);
    });
  });

  it('an unreachable host is an error row in the tree, not a crash or a stream of notifications', async () => {
    const envFile = path.join(workspaceFolder().uri.fsPath, 'scripts/cloud/.env');
    const original = await readFile(envFile, 'utf8');
    const closed = await freePort();
    const mark = uiMark();
    try {
      await writeFile(envFile, original.replace(/^ORCH_PORT=.*$/m, `ORCH_PORT=${closed}`));
      const error = await waitFor('the error row', async () => {
        await a.refresh();
        return a.treeItems(hostNodes(a).find((h) => h.kind === 'host' && h.host === HOST)).find((t) => t.node.kind === 'message');
      }, 30_000);
      assert.equal(error.item.label, `Cannot reach ${HOST}`);
      assert.equal(error.item.contextValue, 'hostError', 'with Retry and Open Settings / .env');
      assert.match(String(error.item.description), /refused|ECONNREFUSED|connect/i);
      assert.equal((error.item.iconPath as vscode.ThemeIcon).id, 'warning');
      // the local target is still listed, and the commands keep working
      assert.ok(hostNodes(a).some((h) => h.kind === 'host' && h.host === 'local'));
      for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('cloudJobs.refresh');
      assert.deepEqual((await settledNotificationsSince(mark)).filter((n) => n.severity === 'error').map((n) => n.text), [], 'listing failures are not notifications');
    } finally {
      await writeFile(envFile, original);
    }
    await waitFor('the host listed again', async () => {
      await a.refresh();
      const hostNode = hostNodes(a).find((h) => h.kind === 'host' && h.host === HOST);
      return hostNode && !a.treeItems(hostNode).some((t) => t.node.kind === 'message') && a.treeItems(hostNode).length > 0;
    }, 30_000);
  });
});
