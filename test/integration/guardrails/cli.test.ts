/**
 * The guardrails through `orch` (in-process main, real local tmux; one case over a real sshd):
 * L1 lines on `run --wait` / `logs -f`, --stop-on-match, --retries with attempt logs, rollback
 * with its confirmation rules, stop --all with its notice.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import type { CliIO } from '../../../src/cli/command';
import { main } from '../../../src/cli/main';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName, waitFor } from '../cli/cliHarness';
import { psSampler, slackStandIn } from './guardSuite';

const TRACEBACK = [
  'echo "epoch 1"',
  'echo "Traceback (most recent call last):"',
  'echo "  File \\"train.py\\", line 3"',
  'echo "ValueError: bad shape"',
  'echo "During handling of the above exception, another exception occurred:"',
  'echo "Traceback (most recent call last):"',
  'echo "KeyError: x"',
  'exit 1',
].join('; ');

class Sink extends Writable {
  text = '';
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** `orch` with a stdin that is a terminal (as `isTTY` says) holding `typed`. */
async function orchOnTerminal(argv: string[], env: NodeJS.ProcessEnv, cwd: string, typed: string) {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  stdin.write(typed);
  const stdout = new Sink();
  const stderr = new Sink();
  const io: CliIO = { stdout, stderr, stdin, env, cwd, isTTY: true, signal: new AbortController().signal };
  const code = await main(argv, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

function commitAll(ws: string): string {
  execFileSync('git', ['add', '-A'], { cwd: ws });
  execFileSync('git', ['-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'x'], { cwd: ws });
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ws }).toString().trim();
}

describe('guardrails through the orch CLI (local tmux)', function () {
  this.timeout(60_000);
  let ws: string;
  let logRoot: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });

  before(() => {
    ws = makeWorkspace('orch-guard-cli-');
    logRoot = mkdtempSync(join(tmpdir(), 'orch-guard-logs-'));
    env = baseEnv({ ORCH_LOG_ROOT: logRoot });
  });
  after(async () => {
    await orch('stop', '--all');
    rmSync(ws, { recursive: true, force: true });
    rmSync(logRoot, { recursive: true, force: true });
  });

  it('run --wait prints one L1 line for a traceback block, and logs -f the same', async () => {
    const name = uniqueName('tb');
    const r = await orch('run', '--wait', name, TRACEBACK);
    assert.equal(r.code, 1);
    const l1 = r.stderr.split('\n').filter((l) => l.includes('[L1]'));
    assert.deepEqual(l1, [`orch: [L1] job ${name}: "Traceback (most recent call last):" at line 2`]);
    const f = await orch('logs', '-f', name);
    assert.deepEqual(f.stderr.split('\n').filter((l) => l.includes('[L1]')), l1);
    const t = await orch('logs', '-f', '--tail', '3', name);
    assert.equal(t.stderr, '', 'lines printed by --tail are not watched again');
  });

  it('--stop-on-match stops the job on the host: STOPPED with the reason, exit 143', async () => {
    const name = uniqueName('som');
    const r = await orch('run', '--stop-on-match', '--wait', name, 'echo start; echo "RuntimeError: CUDA out of memory."; sleep 30');
    assert.equal(r.code, 143, r.stderr);
    assert.match(r.stderr, new RegExp(`orch: \\[L1\\] job ${name}: "CUDA out of memory" at line 2\n`));
    assert.match(r.stderr, new RegExp(`job ${name} STOPPED \\(exit 143\\) after \\d+s: stopped by guardrail L1: "CUDA out of memory" at line 2\n$`));
  });

  it('--retries with a tiny backoff: fails twice, then DONE, each attempt readable with logs --attempt; a bad flag is exit 2 before anything starts', async () => {
    const name = uniqueName('retry');
    const counter = join(ws, `${name}.count`);
    const r = await orch('run', '--retries', '3', '--retry-backoff', '0.1', '--wait', name,
      `k=$(cat ${counter} 2>/dev/null || echo 0); k=$((k+1)); echo $k > ${counter}; echo "try $k"; [ $k -ge 3 ]`);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\ntry 1\n[RETRY: exit 1; attempt 2 of 4]\ntry 2\n[RETRY: exit 1; attempt 3 of 4]\ntry 3\n[EXIT: 0]\n`);
    for (const k of [1, 2, 3]) assert.equal((await orch('logs', '--attempt', String(k), name)).stdout, `try ${k}\n`);
    assert.match((await orch('logs', '--attempt', '4', name)).stderr, /has no attempt 4/);
    const listed = (JSON.parse((await orch('list', '--json')).stdout) as { name: string; attempt: number }[]).find((j) => j.name === name);
    assert.equal(listed?.attempt, 3);

    const syntax = uniqueName('syntax');
    const s = await orch('run', '--retries', '3', '--retry-backoff', '0', '--wait', syntax, 'echo "SyntaxError: invalid syntax"; exit 1');
    assert.equal(s.code, 1);
    assert.match(s.stderr, /FAILED \(exit 1\) after \d+s: not retried: the log shows "SyntaxError", which a retry would not fix\n$/);
    const custom = uniqueName('custom');
    const c = await orch('run', '--retries', '2', '--retry-backoff', '0', '--no-retry-on', 'quota exceeded', '--wait', custom, 'echo "API quota exceeded"; exit 1');
    assert.match(c.stderr, /not retried: the log shows "quota exceeded"/);

    const bad = uniqueName('bad');
    for (const flags of [['--retry-on-exit', '0'], ['--no-retry-on', '(?=x)'], ['--retry-backoff', '-1']]) {
      const b = await orch('run', ...flags, bad, 'touch started');
      assert.equal(b.code, 2, `${flags.join(' ')}: ${b.stderr}`);
    }
    assert.equal(existsSync(join(logRoot, bad)), false);
    assert.equal(existsSync(join(ws, 'started')), false);
  });

  it('rollback: refused without a terminal or --yes (2), while running (1), without a commit (1); asks on a terminal; --yes resets tracked files only', async () => {
    const repo = makeWorkspace('orch-guard-rb-');
    const outside = `${repo}-outside.txt`;
    try {
      writeFileSync(join(repo, 'model.py'), 'v1\n');
      const commit = commitAll(repo);
      writeFileSync(outside, 'keep\n');
      const repoEnv = env;
      const inRepo = (...argv: string[]) => cli(argv, { env: repoEnv, cwd: repo });
      const job = uniqueName('rb');
      assert.equal((await inRepo('run', '--wait', job, `echo v2 > model.py; echo new > notes.txt; echo x >> ${outside}`)).code, 0);

      const noTty = await inRepo('rollback', job);
      assert.equal(noTty.code, 2);
      assert.equal(noTty.stderr, `orch: Rolling back ${job} would reset local:${repo} to ${commit.slice(0, 12)}, discarding changes to tracked files; there is no terminal to confirm on, so pass --yes.\n`);
      assert.equal(readFileSync(join(repo, 'model.py'), 'utf8'), 'v2\n');

      const declined = await orchOnTerminal(['rollback', job], repoEnv, repo, 'n\n');
      assert.equal(declined.code, 1);
      assert.match(declined.stderr, new RegExp(`^Reset local:${repo} to ${commit.slice(0, 12)} \\(discarding changes to tracked files\\)\\? \\[y/N\\] orch: Rollback cancelled; nothing was changed\\.\n$`));
      assert.equal(readFileSync(join(repo, 'model.py'), 'utf8'), 'v2\n');

      const yes = await orchOnTerminal(['rollback', job], repoEnv, repo, 'y\n');
      assert.equal(yes.code, 0, yes.stderr);
      assert.equal(yes.stdout, `reset local:${repo} to ${commit.slice(0, 12)} (the commit before job ${job}); untracked files were left alone\n`);
      assert.equal(readFileSync(join(repo, 'model.py'), 'utf8'), 'v1\n');
      assert.equal(readFileSync(join(repo, 'notes.txt'), 'utf8'), 'new\n');
      assert.equal(readFileSync(outside, 'utf8'), 'keep\nx\n');

      writeFileSync(join(repo, 'model.py'), 'v3\n');
      assert.equal((await inRepo('rollback', '--yes', job)).code, 0);
      assert.equal(readFileSync(join(repo, 'model.py'), 'utf8'), 'v1\n');

      const running = uniqueName('rbrun');
      assert.equal((await inRepo('run', running, 'sleep 30')).code, 0);
      const r = await inRepo('rollback', '--yes', running);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^orch: Cannot roll back ${running}: it is still running \\(stop it first with orch stop ${running}\\)\\.\n$`));
      await inRepo('stop', running);

      const plain = uniqueName('plain');
      const plainDir = mkdtempSync(join(tmpdir(), 'orch-guard-plain-'));
      assert.equal((await cli(['run', '--wait', plain, 'true'], { env, cwd: plainDir })).code, 0);
      const p = await cli(['rollback', '--yes', plain], { env, cwd: plainDir });
      assert.equal(p.code, 1);
      assert.match(p.stderr, /no commit was recorded before it \(its workdir local:.* was not a git repository when it started\)\.\n$/);
      rmSync(plainDir, { recursive: true, force: true });
      assert.equal((await inRepo('rollback', '--yes', uniqueName('nosuch'))).code, 1);
    } finally {
      rmSync(repo, { recursive: true, force: true });
      rmSync(outside, { force: true });
    }
  });

  it('stop --all stops running and queued jobs and says what it stopped', async () => {
    const queueEnv = { ...env, ORCH_MAX_PARALLEL: '1' };
    const [a, b, c] = ['all-a', 'all-b', 'all-c'].map(uniqueName);
    for (const n of [a, b, c]) assert.equal((await cli(['run', n!, 'sleep 30'], { env: queueEnv, cwd: ws })).code, 0);
    const status = JSON.parse((await orch('status', '--json')).stdout) as { name: string; state: string }[];
    assert.deepEqual([a, b, c].map((n) => status.find((j) => j.name === n)?.state), ['RUNNING', 'QUEUED', 'QUEUED']);
    const r = await orch('stop', '--all');
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 3).sort(), [a, b, c].map((n) => `stopped ${n}`).sort());
    assert.equal(lines[3], '[L4] stopped 3 jobs on local');
    assert.equal((await orch('status', '--json')).stdout.trim(), '[]');
    assert.equal((await orch('stop', '--all')).stdout, 'no running or queued jobs on local\n');
  });
});

describe('guardrails through the orch CLI over SSH (real sshd)', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });

  before(async () => {
    sshd = await startSshd();
    ws = makeWorkspace('orch-guard-ssh-');
  });
  after(async () => {
    if (env) await orch('stop', '--all');
    await sshd?.stop();
    rmSync(ws, { recursive: true, force: true });
  });

  it('run --wait prints the L1 line; stop --all posts the summary from the host; the webhook URL is in no argv, output or log', async () => {
    const slack = await slackStandIn();
    const ps = psSampler(slack.secret);
    try {
      env = baseEnv({ ...sshEnv(sshd), ORCH_SLACK_WEBHOOK_URL: slack.url });
      const name = uniqueName('sshtb');
      const r = await orch('run', '--wait', name, TRACEBACK);
      assert.equal(r.code, 1);
      assert.deepEqual(r.stderr.split('\n').filter((l) => l.includes('[L1]')), [`orch: [L1] job ${name}: "Traceback (most recent call last):" at line 2`]);
      await waitFor('the completion notice', async () => slack.texts.some((t) => t.startsWith(`Job ${name} FAILED (exit 1) on `)), 15_000);
      const notice = slack.texts.find((t) => t.startsWith(`Job ${name} `))!;
      assert.match(notice, /after \dm\ds\n```\n(.|\n)*KeyError: x\n\[EXIT: 1\]\n```$/);

      const [a, b] = ['sa', 'sb'].map(uniqueName);
      for (const n of [a, b]) assert.equal((await orch('run', n!, 'sleep 30')).code, 0);
      const all = await orch('stop', '--all');
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, /\[L4\] stopped 2 jobs on 127\.0\.0\.1 \(summary sent to Slack from the host\)\n$/);
      await waitFor('the summary', async () => slack.texts.some((t) => t.startsWith('Stopped 2 jobs on ')), 15_000);
      const { leaks, samples } = await ps.stop();
      assert.deepEqual(leaks, []);
      assert.ok(samples > 3);
      for (const out of [r.stdout, r.stderr, all.stdout, all.stderr]) assert.ok(!out.includes(slack.secret));
      const hits = await sshd.runAsUser(`grep -rlF '${slack.secret}' ${sshd.config().logRoot} | grep -v '/.orch/slack-webhook$'; exit 0`);
      assert.equal(hits.stdout, '');
    } finally {
      await ps.stop();
      slack.server.close();
    }
  });
});
