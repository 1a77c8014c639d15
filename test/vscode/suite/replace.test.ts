import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import type { Job } from '../../../src/core/jobs/model';
import { freshNotifications, uiMark, waitForNotification } from './ui';
import { api, uniqueName, waitFor } from './util';

interface TestHost {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHosts: string;
  logRoot: string;
}

/** A command on the first test host, through the real OpenSSH client (to look where orch does not list). */
function onHost(script: string): Promise<string> {
  const h = (JSON.parse(process.env.ORCH_TEST_HOSTS ?? '[]') as TestHost[])[0];
  if (!h) throw new Error('ORCH_TEST_HOSTS is not set: the runner must start the sshd');
  const args = ['-i', h.identityFile, '-o', `UserKnownHostsFile=${h.knownHosts}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-p', String(h.port), `${h.user}@${h.host}`, script.replaceAll('LOGROOT', h.logRoot)];
  return new Promise((resolve, reject) => execFile('ssh', args, { timeout: 30_000 }, (e, out, err) => (e ? reject(new Error(`ssh: ${err || e.message}`)) : resolve(out))));
}

/** Issue 17 item 7: a reused name is replaced from the UI, the old log kept; no CLI advice. */
describe('Run on EC2 with a name already used', function () {
  this.timeout(120_000);
  let a: Awaited<ReturnType<typeof api>>;

  before(async () => {
    a = await api();
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
  });
  beforeEach(() => freshNotifications());
  after(() => vscode.workspace.getConfiguration('cloudJobs').update('autorun', undefined, vscode.ConfigurationTarget.Global));

  const ended = async (name: string, marker: string): Promise<Job> =>
    waitFor(`${name} (${marker}) done`, async () => {
      await a.refresh();
      return a.jobs().find((j) => j.name === name && j.state === 'DONE' && a.logText(j)?.includes(marker) === true);
    }, 30_000);

  it('Replace starts the job anew and keeps the old log beside it; its open channel goes on with the new log only', async () => {
    const name = uniqueName('reused');
    const first = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo first-attempt' })) as Job;
    await vscode.commands.executeCommand('cloudJobs.showLogs', { name, host: first.host });
    await ended(name, 'first-attempt');

    // the Replace question is a modal, which the workbench refuses under extension tests: like Cancel
    const cancelled = await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo second-attempt' });
    assert.equal(cancelled, undefined, 'nothing started without Replace');
    assert.equal((await onHost(`ls -d LOGROOT/${name}.prev-* 2>/dev/null | wc -l`)).trim(), '0', 'nothing renamed');
    assert.match(await onHost(`cat LOGROOT/${name}/run.log`), /first-attempt/);

    const replaced = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo second-attempt', replace: true })) as Job;
    assert.ok(replaced, 'started');
    // no Show Logs again: the channel the user had open follows the new log by itself
    const job = await ended(name, 'second-attempt');
    assert.doesNotMatch(a.logText(job) ?? '', /first-attempt/, 'the old channel went with the old log');
    const kept = (await onHost(`for d in LOGROOT/${name}.prev-*; do echo "$d"; cat "$d/run.log"; done`)).split('\n');
    assert.match(kept[0], new RegExp(`/${name}\\.prev-\\d{8}-\\d{6}$`), 'renamed to <job>.prev-<UTC time>');
    assert.ok(kept.includes('first-attempt'), `the old log is whole: ${JSON.stringify(kept)}`);
    assert.equal(a.jobs().filter((j) => j.name.startsWith(name)).length, 1, 'the kept log is not listed as a job');
  });

  it('a running job of that name is refused before anything is synced, in words for the UI', async () => {
    const name = uniqueName('busy-name');
    const running = (await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'sleep 30' })) as Job;
    await waitFor('listed running', async () => (await a.refresh(), a.jobs().some((j) => j.name === name && j.state === 'RUNNING')));
    await freshNotifications();
    const mark = uiMark();
    assert.equal(await vscode.commands.executeCommand('cloudJobs.runOnEc2', { name, command: 'echo again', replace: true }), undefined);
    const seen = await waitForNotification(mark, `A job named ${name} is already RUNNING`);
    assert.doesNotMatch(seen.text, /--force/);
    await vscode.commands.executeCommand('cloudJobs.stop', { name, host: running.host, confirmed: true });
  });
});
