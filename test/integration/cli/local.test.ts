import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { baseEnv, cli, makeWorkspace, uniqueName, waitFor } from './cliHarness';

function tmuxHas(name: string): Promise<boolean> {
  return new Promise((resolve) => execFile('tmux', ['has-session', '-t', `=${name}`], (err) => resolve(!err)));
}

describe('orch CLI on the local tmux target (no host configured)', function () {
  this.timeout(30_000);
  let ws: string;
  let logRoot: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });

  before(() => {
    ws = makeWorkspace();
    logRoot = mkdtempSync(join(tmpdir(), 'orch-cli-logs-'));
    env = baseEnv({ ORCH_LOG_ROOT: logRoot });
  });
  after(async () => {
    await orch('stop', '--all');
    rmSync(ws, { recursive: true, force: true });
    rmSync(logRoot, { recursive: true, force: true });
  });

  it('starts a job, prints its name alone, and notes that it runs locally', async () => {
    const name = uniqueName('hello');
    const r = await orch('run', name, 'echo', 'hello', 'world');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\n`);
    assert.match(r.stderr, /no cloud host configured .*using the local tmux target/);
    await waitFor('the exit line', async () => (await orch('logs', name)).stdout.includes('[EXIT: 0]'));
    assert.equal((await orch('logs', name)).stdout, 'hello world\n[EXIT: 0]\n');
  });

  it('refuses a bad name with exit 2 and starts nothing', async () => {
    const r = await orch('run', 'bad.name', 'touch', 'started');
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^orch: Invalid job name "bad\.name"/);
    assert.equal(await tmuxHas('bad.name'), false);
    assert.equal(await tmuxHas('bad_name'), false);
    assert.equal(existsSync(join(logRoot, 'bad.name')), false);
    assert.equal(existsSync(join(ws, 'started')), false);
  });

  it('--wait streams the log and exits with the job\'s own status', async () => {
    const name = uniqueName('waited');
    const r = await orch('run', '--wait', name, 'echo out; echo err >&2; exit 7');
    assert.equal(r.code, 7);
    assert.equal(r.stdout, `${name}\nout\nerr\n[EXIT: 7]\n`);
    assert.match(r.stderr, new RegExp(`job ${name} FAILED \\(exit 7\\) after \\d+s`));
  });

  it('gives --wait after the name to the command and does not wait', async () => {
    const name = uniqueName('flags');
    const r = await orch('run', name, 'printf', '"<%s>"', '--wait', '-f');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\n`);
    await waitFor('the exit line', async () => (await orch('logs', name)).stdout.includes('[EXIT:'));
    assert.match((await orch('logs', name)).stdout, /^<--wait><-f>\n?\[EXIT: 0\]\n$/);
  });

  it('refuses a name that is running (exit 2) and one whose log exists without --force', async () => {
    const name = uniqueName('dup');
    assert.equal((await orch('run', name, 'sleep', '30')).code, 0);
    const again = await orch('run', name, 'true');
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already (RUNNING|QUEUED|STARTING)/);
    assert.equal((await orch('stop', name)).code, 0);
    const afterStop = await orch('run', name, 'true');
    assert.equal(afterStop.code, 2);
    assert.match(afterStop.stderr, /--force/);
    assert.equal((await orch('run', '--force', '--wait', name, 'true')).code, 0);
  });

  it('status and list --json carry the contract fields; the table has the contract columns', async () => {
    const running = uniqueName('running');
    const done = uniqueName('done');
    assert.equal((await orch('run', running, 'sleep', '30')).code, 0);
    assert.equal((await orch('run', '--wait', done, 'exit 3')).code, 3);
    const status = JSON.parse((await orch('status', '--json')).stdout) as Record<string, unknown>[];
    const s = status.find((j) => j.name === running);
    assert.ok(s, 'running job in status');
    assert.equal(s.state, 'RUNNING');
    assert.equal(s.exitCode, null);
    assert.equal(s.host, 'local');
    assert.equal(s.logPath, join(logRoot, running, 'run.log'));
    assert.ok(!Number.isNaN(Date.parse(String(s.startedAt))));
    assert.equal(s.endedAt, null);
    assert.equal(status.find((j) => j.name === done), undefined);

    const list = JSON.parse((await orch('list', '--json')).stdout) as Record<string, unknown>[];
    const d = list.find((j) => j.name === done);
    assert.ok(d);
    assert.equal(d.state, 'FAILED');
    assert.equal(d.exitCode, 3);
    assert.ok(!Number.isNaN(Date.parse(String(d.endedAt))));

    const table = (await orch('list')).stdout.split('\n');
    assert.match(table[0], /^NAME\s+STATE\s+EXIT\s+STARTED\s+ELAPSED\s+HOST$/);
    assert.ok(table.some((l) => new RegExp(`^${done}\\s+FAILED\\s+3\\s+`).test(l)));
    assert.equal((await orch('stop', running)).code, 0);
  });

  it('stop keeps the log (exit 0), an unknown name is exit 1, stop --all stops every running job', async () => {
    const a = uniqueName('stop-a');
    const b = uniqueName('stop-b');
    assert.equal((await orch('run', a, 'echo started; sleep 30')).code, 0);
    assert.equal((await orch('run', b, 'sleep 30')).code, 0);
    await waitFor('a to log', async () => (await orch('logs', a)).stdout.includes('started'));
    const stopped = await orch('stop', a);
    assert.equal(stopped.code, 0, stopped.stderr);
    assert.equal(await tmuxHas(a), false);
    assert.match((await orch('logs', a)).stdout, /^started\n/);
    const again = await orch('stop', a);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`^${a} had already ended \\(STOPPED, exit 143\\); log at `), 'a second stop does not say "stopped" again');

    const missing = await orch('stop', uniqueName('nope'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^orch: .*no job named/i);

    const all = await orch('stop', '--all');
    assert.equal(all.code, 0);
    assert.match(all.stdout, new RegExp(`stopped ${b}`));
    assert.equal(await tmuxHas(b), false);
    const list = JSON.parse((await orch('list', '--json')).stdout) as { name: string; state: string }[];
    assert.equal(list.find((j) => j.name === b)?.state, 'STOPPED');
    assert.equal((await orch('status', '--json')).stdout.trim(), '[]');
  });

  it('pulls the recorded output dir (0), and says there is nothing to pull (1)', async () => {
    const name = uniqueName('outputs');
    const r = await orch('run', '--output-dir', 'results/x', '--wait', name, 'mkdir -p results/x && echo 0.93 > results/x/metrics.json');
    assert.equal(r.code, 0, r.stderr);
    const dest = mkdtempSync(join(tmpdir(), 'orch-cli-pull-'));
    const pulled = await orch('pull', '--output-dir', dest, name);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(readFileSync(join(dest, 'metrics.json'), 'utf8'), '0.93\n');
    rmSync(dest, { recursive: true, force: true });

    const none = uniqueName('nooutput');
    assert.equal((await orch('run', '--wait', none, 'true')).code, 0);
    const nothing = await orch('pull', none);
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /Nothing to pull/);
  });

  it('refuses an --output-dir outside the workdir (.., absolute) as ORCH_OUTPUT_DIR is refused: exit 2, nothing started', async () => {
    for (const dir of ['../up', 'results/../../up', '/tmp/abs']) {
      const name = uniqueName('outside');
      const r = await orch('run', '--output-dir', dir, name, 'touch', 'started');
      assert.equal(r.code, 2, `${dir}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').pop(), `orch: --output-dir must be a relative directory (under the remote workdir) without "..", got "${dir}".`);
      assert.equal(existsSync(join(logRoot, name)), false, `${dir}: no log`);
      assert.equal(await tmuxHas(name), false);
    }
    assert.equal(existsSync(join(ws, 'started')), false);
  });

  it('--cloud without a host is exit 2 naming scripts/cloud/.env and ORCH_HOST, nothing started', async () => {
    const name = uniqueName('cloudless');
    const r = await orch('run', '--cloud', name, 'true');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ORCH_HOST/);
    assert.match(r.stderr, /scripts\/cloud\/\.env/);
    assert.equal(await tmuxHas(name), false);
    assert.equal(existsSync(join(logRoot, name)), false);
  });

  it('cloud-run prints the run id alone on the first line, waits, and pull finds the results in place', async () => {
    const r = await cli(['run', 'mkdir -p results/exp && echo 1 > results/exp/metrics.json', '--spec', 'specs/exp-7.md', '--output-dir', 'results/exp'], { env, cwd: ws, bin: 'cloud-run' });
    assert.equal(r.code, 0, r.stderr);
    const runId = r.stdout.split('\n')[0];
    assert.match(runId, /^orch-cli-ws-[a-z0-9]+-exp-7-\d{8}-\d{4}$/);
    assert.equal(readFileSync(join(ws, 'results/exp/metrics.json'), 'utf8'), '1\n');
    const pull = await cli(['pull', runId, '--output-dir', 'results/exp'], { env, cwd: ws, bin: 'cloud-run' });
    assert.equal(pull.code, 0, pull.stderr);

    const detached = await cli(['run', 'sleep 0.2; exit 5', '--detach'], { env, cwd: ws, bin: 'cloud-run' });
    assert.equal(detached.code, 0);
    const id = detached.stdout.trim();
    assert.match(id, /-run-\d{8}-\d{4}$/);
    assert.equal(detached.stdout, `${id}\n`);
    await waitFor('the detached run to end', async () => (await orch('logs', id)).stdout.includes('[EXIT: 5]'));
  });
  it("cloud-run reads scripts/cloud/guardrails.yaml as orch run does: its patterns, stop on match; a broken file starts nothing", async () => {
    const kit = makeWorkspace('orch-cli-kit-');
    try {
      mkdirSync(join(kit, 'scripts/cloud'), { recursive: true });
      const file = join(kit, 'scripts/cloud/guardrails.yaml');
      writeFileSync(file, "watch:\n  use_defaults: false\n  patterns:\n    - { name: nan-loss, regex: 'loss[=:] ?nan' }\n  stop_on_match: true\n");
      const r = await cli(['run', 'echo step 1; echo loss=nan; sleep 30; echo never'], { env, cwd: kit, bin: 'cloud-run' });
      const id = r.stdout.split('\n')[0]!;
      assert.equal(r.code, 143, r.stderr);
      assert.match(r.stderr, new RegExp(`cloud-run: \\[L1\\] job ${id}: "loss=nan" at line 2\n`));
      assert.match(r.stderr, /STOPPED \(exit 143\).*guardrail L1/);
      assert.doesNotMatch(r.stdout, /never/);

      writeFileSync(file, 'watch:\n  window_lines: many\n');
      const jobs = async () => (JSON.parse((await orch('list', '--json')).stdout) as unknown[]).length;
      const before = await jobs();
      const bad = await cli(['run', 'true', '--detach'], { env, cwd: kit, bin: 'cloud-run' });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /guardrails\.yaml:2/);
      assert.equal(bad.stdout, '');
      assert.equal(await jobs(), before);
    } finally {
      rmSync(kit, { recursive: true, force: true });
    }
  });
});
