import * as assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Job } from '../../../src/core/jobs/model';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { freshNotifications, settledNotificationsSince, uiMark, waitForNotification } from './ui';
import { api, orchCli, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;
type Row = { node: JobsNode; item: vscode.TreeItem };
const HOST = '127.0.0.1';

/** Every row of the tree, depth first (hosts, state groups, jobs, placeholders). */
function allRows(a: Api, parent?: JobsNode): Row[] {
  return a.treeItems(parent).flatMap((r) => [r, ...(r.node.kind === 'host' || r.node.kind === 'group' ? allRows(a, r.node) : [])]);
}

function jobRow(a: Api, name: string): Row | undefined {
  return allRows(a).find((r) => r.node.kind === 'job' && r.node.job.name === name);
}

function shownNames(a: Api, names: readonly string[]): string[] {
  return names.filter((n) => jobRow(a, n));
}

/** The rows drawn for `host`: under its host node when there are several hosts, else at the root. */
function rowsOf(a: Api, host: string): Row[] {
  const hostRow = a.treeItems().find((r) => r.node.kind === 'host' && r.node.host === host);
  return a.treeItems(hostRow?.node);
}

function groupsOf(a: Api, host: string): Row[] {
  return rowsOf(a, host).filter((r) => r.node.kind === 'group');
}

async function cliRun(name: string, command: string, ...flags: string[]): Promise<void> {
  const r = await orchCli(['run', ...flags, name, command]);
  assert.equal(r.code, 0, r.stderr);
}

async function refreshUntil<T>(a: Api, what: string, probe: () => T | undefined | false, timeoutMs = 30_000): Promise<T> {
  return waitFor(what, async () => {
    await a.refresh();
    return probe();
  }, timeoutMs);
}

/** The two test sshd the runner started (ORCH_TEST_HOSTS), as hosts.yaml entries would name them. */
function hostsYamlEntry(name: string, index: number, extra: string[] = []): string {
  const h = (JSON.parse(process.env.ORCH_TEST_HOSTS ?? '[]') as { host: string; port: number; user: string; identityFile: string; knownHosts: string; logRoot: string; remoteWorkdir: string }[])[index];
  if (!h) throw new Error('ORCH_TEST_HOSTS is not set: the runner must start two sshd');
  return [`  ${name}:`, `    host: ${h.host}`, `    port: ${h.port}`, `    user: ${h.user}`, `    identity_file: ${h.identityFile}`, `    known_hosts: ${h.knownHosts}`, `    log_root: ${h.logRoot}-sweep`, `    remote_workdir: ${h.remoteWorkdir}`, ...extra.map((l) => `    ${l}`)].join('\n');
}

describe('Cloud Jobs tree at sweep scale: grouping, filter, age cut, multi-select Stop, summarised notices, free GPUs', function () {
  this.timeout(180_000);
  let a: Api;
  const settings = () => vscode.workspace.getConfiguration('cloudJobs');

  before(async () => {
    a = await api();
  });

  beforeEach(() => freshNotifications());

  afterEach(async () => {
    await vscode.commands.executeCommand('cloudJobs.clearFilter');
    await settings().update('groupBy', undefined, vscode.ConfigurationTarget.Global);
    await settings().update('hideFinishedAfterDays', undefined, vscode.ConfigurationTarget.Global);
  });

  it('Filter by Name keeps the matching rows, says so in the view, and Clear Filter brings every row back', async () => {
    const sfx = uniqueName('');
    const names = [`it-sw-lr1${sfx}`, `it-sw-lr2${sfx}`, `it-sw-other${sfx}`];
    for (const n of names) await cliRun(n, 'true');
    await refreshUntil(a, 'the three jobs in the tree', () => shownNames(a, names).length === 3);
    const total = a.jobs().length;
    const filter = `SW-LR`; // any case, a part of the name
    assert.equal(await vscode.commands.executeCommand('cloudJobs.filterJobs', `${filter}`), filter);
    await waitFor('the filter applied', () => !jobRow(a, names[2]!));
    const shown = a.jobs().filter((j) => j.name.toLowerCase().includes('sw-lr')).length;
    assert.deepEqual(shownNames(a, names), names.slice(0, 2));
    assert.ok(allRows(a).filter((r) => r.node.kind === 'job').every((r) => r.node.kind === 'job' && r.node.job.name.toLowerCase().includes('sw-lr')), 'only matching rows');
    assert.deepEqual(a.viewText(), { description: `filter: ${filter}`, message: `${shown} of ${total} jobs shown · name contains "${filter}"` });
    await vscode.commands.executeCommand('cloudJobs.clearFilter');
    await waitFor('every row back', () => shownNames(a, names).length === 3);
    assert.deepEqual(a.viewText(), { description: undefined, message: undefined });
    // nothing matches: the host says so (not the "no jobs yet" welcome); a click clears the filter
    await vscode.commands.executeCommand('cloudJobs.filterJobs', 'no-such-job-zz');
    const none = await waitFor('the no-match row', () => rowsOf(a, HOST).find((r) => r.node.kind === 'message'));
    assert.equal(none.item.label, 'No job name contains "no-such-job-zz"');
    assert.ok(!allRows(a).some((r) => r.node.kind === 'job'));
    await vscode.commands.executeCommand(none.item.command!.command, ...(none.item.command!.arguments ?? []));
    await waitFor('every row back after the click', () => shownNames(a, names).length === 3);
  });

  it('Group by State puts rows under Running / Queued / Finished (under each host when there are several); Group by Host goes back', async () => {
    const sfx = uniqueName('');
    const [run, done] = [`it-sw-run${sfx}`, `it-sw-done${sfx}`];
    await cliRun(done, 'true');
    await cliRun(run, 'sleep 120');
    await refreshUntil(a, 'both jobs listed, one running', () => jobRow(a, done)?.node.kind === 'job' && a.jobs().find((j) => j.name === run)?.state === 'RUNNING' && a.jobs().find((j) => j.name === done)?.state === 'DONE');
    await vscode.commands.executeCommand('cloudJobs.groupByState');
    assert.equal(settings().get('groupBy'), 'state', 'saved in the setting');
    const groups = await waitFor('state groups', () => groupsOf(a, HOST).length > 0 && groupsOf(a, HOST));
    const labels = groups.map((g) => g.item.label);
    assert.deepEqual(labels, ['Running', 'Queued', 'Finished'].filter((l) => labels.includes(l)), 'in this order, only the groups with jobs');
    const running = groups.find((g) => g.item.label === 'Running')!;
    const finished = groups.find((g) => g.item.label === 'Finished')!;
    const under = (g: Row) => a.treeItems(g.node).map((r) => (r.node.kind === 'job' ? r.node.job.name : ''));
    assert.ok(under(running).includes(run) && !under(running).includes(done));
    assert.ok(under(finished).includes(done));
    assert.equal(finished.item.description, String(under(finished).length), 'the count beside the group');
    assert.equal(running.item.collapsibleState, vscode.TreeItemCollapsibleState.Expanded);
    // the job that ends moves from Running to Finished
    await vscode.commands.executeCommand('cloudJobs.stop', { name: run, host: HOST, confirmed: true });
    await refreshUntil(a, 'the stopped job under Finished', () => {
      const f = groupsOf(a, HOST).find((g) => g.item.label === 'Finished');
      return f && under(f).includes(run);
    });
    await vscode.commands.executeCommand('cloudJobs.groupByHost');
    assert.equal(settings().get('groupBy'), 'host');
    await waitFor('no state groups', () => !allRows(a).some((r) => r.node.kind === 'group'));
    assert.ok(jobRow(a, run) && jobRow(a, done));
  });

  it('cloudJobs.hideFinishedAfterDays hides finished jobs that ended longer ago; active ones stay; 0 shows all', async () => {
    const sfx = uniqueName('');
    const [old, fresh, active] = [`it-sw-old${sfx}`, `it-sw-fresh${sfx}`, `it-sw-active${sfx}`];
    await cliRun(old, 'true');
    await cliRun(fresh, 'true');
    await cliRun(active, 'sleep 120');
    const oldJob = await refreshUntil(a, 'the old job DONE', () => a.jobs().find((j) => j.name === old && j.state === 'DONE'));
    // as if it had ended ten days ago (the host's record of its end)
    await writeFile(path.join(path.dirname(oldJob.logPath), 'ended'), `${new Date(Date.now() - 10 * 86_400_000).toISOString()}\n`);
    await refreshUntil(a, 'the fresh job DONE', () => a.jobs().find((j) => j.name === fresh && j.state === 'DONE'));
    await settings().update('hideFinishedAfterDays', 7, vscode.ConfigurationTarget.Global);
    await refreshUntil(a, 'the old job hidden', () => !jobRow(a, old));
    assert.ok(jobRow(a, fresh), 'a job that ended today stays');
    assert.ok(jobRow(a, active), 'a running job stays');
    assert.match(a.viewText().message ?? '', /^\d+ of \d+ jobs shown · \d+ finished more than 7 days ago hidden$/);
    await settings().update('hideFinishedAfterDays', 0, vscode.ConfigurationTarget.Global);
    await waitFor('the old job back', () => jobRow(a, old));
    assert.equal(a.viewText().message, undefined);
    await vscode.commands.executeCommand('cloudJobs.stop', { name: active, host: HOST, confirmed: true });
  });

  it('Stop with several rows selected stops them all, with one summary notice and no completion notices', async () => {
    const sfx = uniqueName('');
    const names = [1, 2, 3].map((i) => `it-sw-sel${i}${sfx}`);
    const idle = `it-sw-selidle${sfx}`;
    for (const n of names) await cliRun(n, 'sleep 300');
    await cliRun(idle, 'sleep 300');
    const rows = await refreshUntil(a, 'three running rows', () => {
      const r = names.map((n) => jobRow(a, n));
      return r.every((x) => x?.node.kind === 'job' && x.node.job.state === 'RUNNING') && (r as Row[]);
    });
    const notices = a.completionNotices().length;
    const mark = uiMark();
    // as VS Code calls a row's action with several rows selected: the clicked row, then the selection
    const stopped = (await vscode.commands.executeCommand('cloudJobs.stop', rows[1]!.node, rows.map((r) => r.node), { confirmed: true })) as Job[];
    assert.deepEqual(stopped.map((j) => `${j.name}:${j.state}`).sort(), names.map((n) => `${n}:STOPPED`).sort());
    await waitForNotification(mark, 'Stopped 3 jobs.');
    await refreshUntil(a, 'the three rows STOPPED', () => names.every((n) => a.jobs().find((j) => j.name === n)?.state === 'STOPPED'));
    assert.equal(a.jobs().find((j) => j.name === idle)?.state, 'RUNNING', 'a row not selected keeps running');
    await new Promise((r) => setTimeout(r, 2500)); // a notice window
    assert.deepEqual(a.completionNotices().slice(notices).filter((n) => n.message.includes(sfx) || n.message.includes('jobs ended')), [], 'the stop said it already');
    assert.equal((await settledNotificationsSince(mark, /Stopped \d+ jobs?/)).length, 1, 'one notice for the three');
    await vscode.commands.executeCommand('cloudJobs.stop', { name: idle, host: HOST, confirmed: true });
  });

  it('many jobs ending close together make one summary notice (succeeded, failed) with Show Jobs', async () => {
    const sfx = uniqueName('');
    const gate = `/tmp/orch-sweep-gate-${sfx}`;
    // five jobs that end together when the gate file appears: three succeed, two fail
    const names = [0, 1, 2, 3, 4].map((i) => `it-sw-end${i}${sfx}`);
    for (const [i, n] of names.entries()) await cliRun(n, `while [ ! -e ${gate} ]; do sleep 0.2; done; exit ${i < 3 ? 0 : 3}`);
    await refreshUntil(a, 'five running', () => names.every((n) => a.jobs().find((j) => j.name === n)?.state === 'RUNNING'));
    const before = a.completionNotices().length;
    const mark = uiMark();
    await writeFile(gate, '');
    try {
      await refreshUntil(a, 'a summary notice', () => a.completionNotices().slice(before).find((n) => n.message.startsWith('5 jobs ended')), 60_000);
      const seen = await waitForNotification(mark, '5 jobs ended');
      assert.equal(seen.text, '5 jobs ended: 3 succeeded, 2 failed.');
      assert.deepEqual(seen.buttons, ['Show Jobs']);
      assert.equal(seen.severity, 'error');
      await new Promise((r) => setTimeout(r, 2500)); // a notice window: nothing more follows
      await a.refresh();
      const after = a.completionNotices().slice(before).map((n) => n.message);
      assert.deepEqual(after.filter((m) => m.includes(sfx) || m.includes('jobs ended')), ['5 jobs ended: 3 succeeded, 2 failed.'], 'one notice whatever the count');
    } finally {
      await rm(gate, { force: true });
    }
  });

  it('a long name keeps its state and exit code in view: the label is shortened in the middle, the full name in the tooltip', async () => {
    const name = `${uniqueName('it-sw-long')}-resnet50-imagenet-lr0001-bs256-seed3`.slice(0, 80);
    await cliRun(name, 'exit 4');
    const row = await refreshUntil(a, 'the long job FAILED', () => {
      const r = jobRow(a, name);
      return r?.node.kind === 'job' && r.node.job.state === 'FAILED' && r;
    });
    const label = String(row.item.label);
    assert.ok(label.length <= 32, `a short label (${label})`);
    assert.ok(label.includes('…') && name.startsWith(label.split('…')[0]!) && name.endsWith(label.split('…')[1]!));
    assert.match(String(row.item.description), /^exit 4\b/);
    assert.ok((row.item.tooltip as vscode.MarkdownString).value.includes(name.replace(/[\\`*[\]<>|]/g, '\\$&')));
    assert.ok(row.item.accessibilityInformation?.label.startsWith(`${name}, failed`));
  });

  describe('with several hosts', () => {
    const file = () => path.join(workspaceFolder().uri.fsPath, 'scripts/cloud/hosts.yaml');
    const hostRow = (h: string) => a.treeItems().find((r) => r.node.kind === 'host' && r.node.host === h);

    after(async () => {
      await rm(file(), { force: true });
      await refreshUntil(a, 'the hosts of before', () => !hostRow('gpu-a'), 60_000);
    });

    it('a host node shows its free GPUs (hosts.yaml gpus:), and grouping by state groups under each host', async () => {
      await writeFile(file(), `hosts:\n${hostsYamlEntry('gpu-a', 0, ['gpus: 2'])}\n${hostsYamlEntry('cpu-b', 1)}\ndefault: gpu-a\n`);
      const free = await refreshUntil(a, 'both host nodes', () => hostRow('gpu-a') && hostRow('cpu-b') && hostRow('gpu-a'), 60_000);
      assert.match(String(free.item.description), /^\d+ jobs? · 2 of 2 GPUs free$/);
      assert.doesNotMatch(String(hostRow('cpu-b')!.item.description), /GPU/, 'no GPUs on that host: nothing said');
      const name = uniqueName('it-sw-gpu');
      await cliRun(name, 'sleep 120', '--host', 'gpu-a', '--gpus', '1');
      const held = await refreshUntil(a, 'one GPU held', () => {
        const r = hostRow('gpu-a');
        return r && /^1 running · \d+ jobs? · 1 of 2 GPUs free$/.test(String(r.item.description)) && r;
      });
      assert.match(String(held.item.tooltip), /\(GPU \d in use\)$/);
      await vscode.commands.executeCommand('cloudJobs.groupByState');
      const groups = await waitFor('state groups under gpu-a', () => {
        const g = a.treeItems(hostRow('gpu-a')!.node).filter((r) => r.node.kind === 'group');
        return g.length > 0 && g;
      });
      assert.equal(groups[0]!.item.label, 'Running');
      assert.ok(a.treeItems(groups[0]!.node).some((r) => r.node.kind === 'job' && r.node.job.name === name));
      assert.ok(!a.treeItems().some((r) => r.node.kind === 'group'), 'host nodes stay at the root');
      await vscode.commands.executeCommand('cloudJobs.stop', { name, host: 'gpu-a', confirmed: true });
      await refreshUntil(a, 'the GPU free again', () => /· 2 of 2 GPUs free$/.test(String(hostRow('gpu-a')?.item.description)));
    });
  });
});
