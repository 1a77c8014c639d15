import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Job } from '../../../src/core/jobs/model';
import { clickNotification, freshNotifications, uiMark, waitForNotification } from './ui';
import { api, orchCli, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;
const HOST = '127.0.0.1';

/** Completion notices the extension showed since `mark` (an index into its list) that match. */
function noticesSince(a: Api, mark: number, match: string): { message: string; actions: string[] }[] {
  return a.completionNotices().slice(mark).filter((n) => n.message.includes(match));
}

/**
 * Refreshes (as the poll would) until the extension showed a completion notice matching
 * `match`, then waits for it in the workbench's notifications and returns what a user sees.
 */
async function noticeFor(a: Api, marks: Marks, match: string, timeoutMs = 30_000) {
  await waitFor(`a notice "${match}"`, async () => {
    await a.refresh();
    return noticesSince(a, marks.api, match)[0];
  }, timeoutMs).catch((e: Error) => {
    const seen = a.completionNotices().slice(marks.api).map((n) => n.message);
    const jobs = a.jobs().map((j) => `${j.name}=${j.state}`);
    throw new Error(`${e.message}; notices since: ${JSON.stringify(seen)}; jobs: ${jobs.join(' ')}`);
  });
  return waitForNotification(marks.ui, match, 10_000);
}

interface Marks {
  api: number;
  ui: number;
}
const marks = (a: Api): Marks => ({ api: a.completionNotices().length, ui: uiMark() });

async function cliRun(name: string, command: string, ...flags: string[]): Promise<void> {
  const r = await orchCli(['run', ...flags, name, command]);
  assert.equal(r.code, 0, r.stderr);
}

describe('completion notices', function () {
  this.timeout(90_000);
  let a: Api;

  before(async () => {
    a = await api();
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
  });

  beforeEach(() => freshNotifications());

  after(async () => {
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', undefined, vscode.ConfigurationTarget.Global);
  });

  it('a job seen running that ends gets one notice; its Show Logs opens the log channel', async () => {
    const name = uniqueName('it-notice');
    const mark = marks(a);
    const job = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo hello notices; sleep 2' })) as Job;
    assert.equal(job.state === 'RUNNING' || job.state === 'QUEUED', true);
    const notice = await noticeFor(a, mark, `${name} finished`);
    assert.match(notice.text, new RegExp(`^${name} finished on 127\\.0\\.0\\.1: exit 0 after \\d+s\\.$`));
    // Run on EC2 records the default output dir (cloudJobs.outputDir: results), so it can be pulled
    assert.deepEqual(notice.buttons, ['Show Logs', 'Pull Results']);
    assert.equal(notice.severity, 'info');
    await clickNotification('Show Logs', `${name} finished`);
    await waitFor('the log channel opened by the notice', () => a.logText({ name, host: HOST })?.includes('[EXIT: 0]'));
    assert.equal(a.logText({ name, host: HOST }), 'hello notices\n[EXIT: 0]\n');
    // later refreshes and the follow's end do not repeat it
    await a.refresh();
    await a.refresh();
    assert.equal(noticesSince(a, mark.api, name).length, 1);
  });

  it('jobs started and ended outside VS Code: DONE with Pull Results, FAILED, STOPPED, and one that ended before any listing saw it run', async () => {
    const sfx = uniqueName('');
    const [ok, bad, stopped, early] = ['it-n-ok', 'it-n-bad', 'it-n-stop', 'it-n-early'].map((p) => `${p}${sfx}`);
    const outDir = `out${sfx}`;
    const local = path.join(workspaceFolder().uri.fsPath, outDir);
    const mark = marks(a);
    await cliRun(early, 'echo quick');
    await waitFor('the early job DONE on the host', async () => (JSON.parse((await orchCli(['list', '--json'])).stdout) as Job[]).some((j) => j.name === early && j.state === 'DONE'));
    await a.refresh(); // first seen already DONE, on a host listed before: it started and ended in between
    // its notice waits out the notice window: an end seen within it (the stop below, a few CLI
    // calls later) would share a summary with it
    await noticeFor(a, mark, `${early} finished`);
    // Each job ends when the test touches its flag, one notice after another: sleeps timed for
    // one machine ended within one notice window on another (one summary, no own notices). The
    // flag is in /tmp itself: the extension host's TMPDIR is private, the job runs as the host's user.
    const flag = (n: string) => `/tmp/orch-flag-${n}`;
    const waitFlag = (n: string) => `until [ -e ${flag(n)} ]; do sleep 0.2; done`;
    await cliRun(ok, `mkdir -p ${outDir} && echo 42 > ${outDir}/answer.txt && ${waitFlag(ok)}`, '--output-dir', outDir);
    await cliRun(bad, `${waitFlag(bad)}; exit 5`);
    await cliRun(stopped, 'sleep 300');
    await a.refresh(); // seen running
    assert.deepEqual([ok, bad, stopped].map((n) => a.jobs().find((j) => j.name === n)?.state), ['RUNNING', 'RUNNING', 'RUNNING']);
    assert.equal((await orchCli(['stop', stopped])).code, 0);

    try {
      const stoppedNotice = await noticeFor(a, mark, `${stopped} was stopped`);
      assert.equal(stoppedNotice.severity, 'warning');
      assert.deepEqual(stoppedNotice.buttons, ['Show Logs']);
      await writeFile(flag(bad), '');
      const failed = await noticeFor(a, mark, `${bad} failed`);
      assert.match(failed.text, /failed on 127\.0\.0\.1: exit 5 after \d+s/);
      assert.equal(failed.severity, 'error');
      await writeFile(flag(ok), '');
      const done = await noticeFor(a, mark, `${ok} finished`);
      assert.deepEqual(done.buttons, ['Show Logs', 'Pull Results']);
    } finally {
      await Promise.all([ok, bad].map((n) => writeFile(flag(n), '')));
    }
    await Promise.all([ok, bad].map((n) => rm(flag(n), { force: true })));

    await rm(local, { recursive: true, force: true });
    await clickNotification('Pull Results', `${ok} finished`);
    await waitFor('the pulled output dir', () => existsSync(path.join(local, 'answer.txt')), 30_000);
    assert.equal(await readFile(path.join(local, 'answer.txt'), 'utf8'), '42\n');
    await rm(local, { recursive: true, force: true });
    const earlyNotices = noticesSince(a, mark.api, early).map((n) => n.message);
    assert.equal(earlyNotices.length, 1, 'a job that ended before it was first seen is announced too');
    assert.match(earlyNotices[0], new RegExp(`^${early} finished on 127\\.0\\.0\\.1: exit 0`));
    assert.equal(noticesSince(a, mark.api, sfx).length, 4, 'one notice each');
  });

  it('a stop made here is confirmed by Stop itself, not by a second notice', async () => {
    const name = uniqueName('it-n-own');
    const mark = marks(a);
    await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'sleep 300' });
    await vscode.commands.executeCommand('cloudJobs.stop', { name, confirmed: true });
    await waitForNotification(mark.ui, `Stopped ${name}.`);
    await a.refresh();
    assert.equal(a.jobs().find((j) => j.name === name)?.state, 'STOPPED');
    assert.equal(a.jobs().find((j) => j.name === name)?.reason, 'stopped from VS Code', 'its tooltip does not say orch stop');
    assert.deepEqual(noticesSince(a, mark.api, name), []);
  });

  it('Stop clicked while Run on EC2 still checks the start says only "Stopped X." (no "was stopped… Last lines")', async () => {
    const name = uniqueName('it-n-early-stop');
    const mark = marks(a);
    const running = vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo early; sleep 300' }) as Thenable<Job | undefined>;
    // the settle watches the start for 1.5 s: stop as soon as the tree lists the job
    await waitFor(`${name} listed`, async () => {
      await a.refresh();
      return a.jobs().find((j) => j.name === name && j.state === 'RUNNING');
    }, 20_000);
    await vscode.commands.executeCommand('cloudJobs.stop', { name, confirmed: true });
    const started = await running;
    assert.equal(started?.state, 'STOPPED', 'the stop landed inside the settle window');
    await waitForNotification(mark.ui, `Stopped ${name}.`);
    await new Promise((r) => setTimeout(r, 2_500)); // a notice window and a listing later
    await a.refresh();
    assert.deepEqual(noticesSince(a, mark.api, name).map((n) => n.message), []);
  });

  it('many jobs ending at once make one summary notice, not a storm', async () => {
    const sfx = uniqueName('');
    const names = [1, 2, 3, 4].map((i) => `it-n-many${i}${sfx}`);
    for (const n of names) await cliRun(n, 'sleep 300');
    await a.refresh();
    assert.equal(names.every((n) => a.jobs().find((j) => j.name === n)?.state === 'RUNNING'), true);
    const mark = marks(a);
    assert.equal((await orchCli(['stop', '--all'])).code, 0);
    const summary = await noticeFor(a, mark, 'jobs ended');
    assert.match(summary.text, /^\d+ jobs ended: (\d+ \w+, )*\d+ stopped\.$/);
    assert.deepEqual(summary.buttons, ['Show Jobs']);
    for (const n of names) assert.deepEqual(noticesSince(a, mark.api, n), [], `no separate notice for ${n}`);
    assert.equal(noticesSince(a, mark.api, 'jobs ended').length, 1);
  });
});
