import * as assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Job } from '../../../src/core/jobs/model';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { api, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;

/** The two test sshd the runner started (ORCH_TEST_HOSTS), as hosts.yaml entries would name them. */
interface TestHost {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHosts: string;
  logRoot: string;
  remoteWorkdir: string;
}

function testHosts(): TestHost[] {
  const raw = process.env.ORCH_TEST_HOSTS;
  if (!raw) throw new Error('ORCH_TEST_HOSTS is not set: the runner must start two sshd');
  return JSON.parse(raw) as TestHost[];
}

function entry(name: string, h: TestHost): string {
  return [`  ${name}:`, `    host: ${h.host}`, `    port: ${h.port}`, `    user: ${h.user}`, `    identity_file: ${h.identityFile}`, `    known_hosts: ${h.knownHosts}`, `    log_root: ${h.logRoot}`, `    remote_workdir: ${h.remoteWorkdir}`].join('\n');
}

function hostNode(a: Api, host: string): { node: JobsNode; item: vscode.TreeItem } | undefined {
  return a.treeItems().find((t) => t.node.kind === 'host' && t.node.host === host);
}

/**
 * Answers the quick pick `pending` opens as a user would with the keyboard: `down` times Down,
 * then Enter. The pick opens after the command's first awaits; under load that can take a while,
 * so a keystroke that found no pick yet is tried again until the command has its answer.
 */
async function answerQuickPick<T>(pending: Thenable<T>, down: number): Promise<T> {
  let settled = false;
  const result = Promise.resolve(pending).finally(() => (settled = true));
  for (let tries = 0; tries < 20 && !settled; tries++) {
    await new Promise((r) => setTimeout(r, 1000));
    if (settled) break;
    for (let i = 0; i < down; i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
  }
  return result;
}

describe('Cloud Jobs with several hosts (scripts/cloud/hosts.yaml)', function () {
  this.timeout(180_000);
  let a: Api;
  const file = () => path.join(workspaceFolder().uri.fsPath, 'scripts/cloud/hosts.yaml');
  const started: Job[] = [];

  before(async () => {
    a = await api();
  });

  after(async () => {
    for (const job of started) await vscode.commands.executeCommand('cloudJobs.stop', { name: job.name, host: job.host, confirmed: true }).then(undefined, () => undefined);
    await rm(file(), { force: true });
    await vscode.workspace.getConfiguration('cloudJobs').update('hosts', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('the single host again', async () => {
      await a.refresh();
      return !a.treeItems().some((t) => t.node.kind === 'host' && t.node.host === 'box-a');
    }, 60_000);
  });

  it('follows hosts.yaml: a node per host, reachable or not, an error placeholder under the failing one only', async () => {
    const [one, two] = testHosts();
    const closed = { ...one!, port: 1 };
    await writeFile(file(), `hosts:\n${entry('box-a', one!)}\n${entry('box-b', two!)}\n${entry('box-down', closed)}\ndefault: box-a\n`);
    await waitFor('three host nodes', async () => {
      await a.refresh();
      return ['box-a', 'box-b', 'box-down'].every((h) => hostNode(a, h)) && hostNode(a, 'box-down')!.item.description === 'unreachable';
    }, 60_000);
    const down = hostNode(a, 'box-down')!;
    assert.equal((down.item.iconPath as vscode.ThemeIcon).id, 'debug-disconnect');
    const placeholder = a.treeItems(down.node);
    assert.equal(placeholder.length, 1);
    assert.equal(placeholder[0]!.item.label, 'Cannot reach box-down');
    assert.equal(placeholder[0]!.item.contextValue, 'hostError', 'with Retry and Open Settings / .env');
    assert.match(String(placeholder[0]!.item.description), /refused|connect/i);
    for (const h of ['box-a', 'box-b']) {
      const n = hostNode(a, h)!;
      assert.match(String(n.item.description), /^(\d+ running · )?\d+ jobs?$/, `${h} is reachable`);
      assert.equal((n.item.iconPath as vscode.ThemeIcon).id, 'cloud');
      assert.ok(!a.treeItems(n.node).some((t) => t.node.kind === 'message'), `no error under ${h}`);
    }
  });

  it('Check Host on a host node: every check passes on a good host; an unreachable one fails on the ssh line', async () => {
    const [one, two] = testHosts();
    await writeFile(file(), `hosts:\n${entry('box-a', one!)}\n${entry('box-b', two!)}\n${entry('box-down', { ...one!, port: 1 })}\ndefault: box-a\n`);
    const node = await waitFor('the box-a node', async () => {
      await a.refresh();
      return hostNode(a, 'box-a');
    }, 60_000);
    type Report = { ok: boolean; host: string; text: string; lines: { check: string; status: string; text: string }[] };
    const good = (await vscode.commands.executeCommand('cloudJobs.checkHost', node.node)) as Report;
    assert.equal(good.host, 'box-a');
    assert.equal(good.ok, true, good.text);
    assert.deepEqual(good.lines.map((l) => l.check), ['ssh', 'bash', 'tmux', 'tools', 'cron', 'disk', 'log root', 'clock', 'lingering', 'compression']);
    assert.match(good.text, /^box-a \(.*\)\n {2}ok {4}ssh +\S+@127\.0\.0\.1:\d+ reached; host key verified\n[^]* {2}All 10 checks passed on box-a\.\n$/);
    const down = (await vscode.commands.executeCommand('cloudJobs.checkHost', 'box-down')) as Report;
    assert.equal(down.ok, false);
    assert.equal(down.lines.length, 1);
    assert.equal(down.lines[0]!.status, 'fail');
    assert.match(down.lines[0]!.text, /:1: .*(refused|connect)/i);
  });

  it('Run on EC2 asks for the host (the default first), remembers the last one, and the job lands under it', async () => {
    const first = uniqueName('it-hosts-pick');
    const pending = vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: first, command: 'echo picked; sleep 120', confirmed: true }) as Thenable<Job | undefined>;
    const job = await answerQuickPick(pending, 1); // box-a (the default) is first; one down is box-b
    assert.ok(job, 'a job was started');
    started.push(job);
    assert.equal(job.host, 'box-b');

    const second = uniqueName('it-hosts-again');
    const again = vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: second, command: 'sleep 120', confirmed: true }) as Thenable<Job | undefined>;
    const job2 = await answerQuickPick(again, 0); // the last host is now first
    assert.ok(job2);
    started.push(job2);
    assert.equal(job2.host, 'box-b');

    const b = await waitFor('both jobs running under box-b', async () => {
      await a.refresh();
      const n = hostNode(a, 'box-b');
      return n && /^2 running · \d+ jobs?$/.test(String(n.item.description)) && n;
    }, 60_000);
    const names = a.treeItems(b.node).filter((t) => t.node.kind === 'job').map((t) => (t.node as { job: Job }).job.name);
    assert.ok(names.includes(first) && names.includes(second));
    assert.ok(!a.treeItems(hostNode(a, 'box-a')!.node).some((t) => t.node.kind === 'job' && [first, second].includes(t.node.job.name)));
    // an explicit host needs no question
    const third = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: uniqueName('it-hosts-named'), command: 'true', confirmed: true, host: 'box-a' })) as Job;
    assert.equal(third.host, 'box-a');
    // auto: placement, as orch run --host auto (box-b runs two jobs, box-a none; box-down cannot be asked)
    const placed = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: uniqueName('it-hosts-auto'), command: 'sleep 60', confirmed: true, host: 'auto' })) as Job;
    started.push(placed);
    assert.equal(placed.host, 'box-a');
    const meta = JSON.parse(await readFile(path.join(path.dirname(placed.logPath), 'meta.json'), 'utf8')) as { placement: string };
    assert.match(meta.placement, /^box-a: fewest active jobs per slot, then lowest load per CPU: box-a has 0 active jobs .*box-b has 2 active jobs .*box-down unreachable \(/);
    // Stop on a row reaches that job's own host
    const stopped = (await vscode.commands.executeCommand('cloudJobs.stop', { name: second, host: 'box-b', confirmed: true })) as Job | undefined;
    assert.equal(stopped?.state, 'STOPPED');
  });

  it('a Slurm cluster (kind: slurm) is a host node; its job is a batch job, shown with its Slurm id', async () => {
    const [one, two] = testHosts();
    await writeFile(file(), `hosts:\n${entry('box-a', one!)}\n${entry('cluster', { ...two!, logRoot: `${two!.logRoot}-slurm` })}\n    kind: slurm\ndefault: box-a\n`);
    await waitFor('the cluster node', async () => {
      await a.refresh();
      return hostNode(a, 'cluster') && !hostNode(a, 'box-b');
    }, 60_000);
    const name = uniqueName('it-slurm');
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo "in Slurm job $SLURM_JOB_ID"', confirmed: true, host: 'cluster' })) as Job;
    assert.equal(job.host, 'cluster');
    assert.match(job.slurmJobId ?? '', /^\d+$/);
    const row = await waitFor('the job DONE under the cluster', async () => {
      await a.refresh();
      const n = hostNode(a, 'cluster');
      const r = n && a.treeItems(n.node).find((t) => t.node.kind === 'job' && t.node.job.name === name);
      return r && r.node.kind === 'job' && r.node.job.state === 'DONE' && r;
    }, 60_000);
    assert.match(String(row.item.description), new RegExp(`Slurm ${job.slurmJobId}`));
    assert.match(await readFile(job.logPath, 'utf8'), new RegExp(`^in Slurm job ${job.slurmJobId}\n\\[EXIT: 0\\]\n$`));
  });

  it('without hosts.yaml, the cloudJobs.hosts setting names the hosts the same way', async () => {
    const [one, two] = testHosts();
    await rm(file(), { force: true });
    const asEntry = (h: TestHost) => ({ host: h.host, port: h.port, user: h.user, identity_file: h.identityFile, known_hosts: h.knownHosts, log_root: h.logRoot, remote_workdir: h.remoteWorkdir });
    const section = vscode.workspace.getConfiguration('cloudJobs');
    try {
      await section.update('hosts', { 'set-a': asEntry(one!), 'set-b': asEntry(two!) }, vscode.ConfigurationTarget.Workspace);
      await waitFor('the hosts of the setting', async () => {
        await a.refresh();
        return hostNode(a, 'set-a') && hostNode(a, 'set-b') && !hostNode(a, 'box-a');
      }, 60_000);
      // the jobs started on box-b earlier are the same server's, now listed under its new name
      const b = hostNode(a, 'set-b')!;
      assert.ok(a.treeItems(b.node).some((t) => t.node.kind === 'job' && started.some((j) => t.node.kind === 'job' && j.name === t.node.job.name)));
      const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name: uniqueName('it-hosts-setting'), command: 'true', confirmed: true, host: 'set-a' })) as Job;
      assert.equal(job.host, 'set-a');
    } finally {
      await section.update('hosts', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
