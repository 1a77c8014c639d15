import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName, waitFor } from './cliHarness';

describe('orch CLI against a real sshd', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  let workdir: string;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });
  const onHost = async (cmd: string) => (await sshd.runAsUser(cmd)).stdout;

  before(async () => {
    sshd = await startSshd();
    ws = makeWorkspace();
    env = baseEnv(sshEnv(sshd));
    workdir = join(sshd.home, sshd.config().remoteWorkdir.slice(2));
  });
  after(async () => {
    if (env) await orch('stop', '--all');
    await sshd?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('--sync uploads the workspace, --data-dirs the data; the job sees both; a second sync sends nothing', async () => {
    mkdirSync(join(ws, 'data'));
    writeFileSync(join(ws, 'data/input.csv'), 'a,b\n1,2\n');
    writeFileSync(join(ws, 'train.sh'), 'wc -l < data/input.csv; echo "args: $*"\n');
    const name = uniqueName('train');
    const r = await orch('run', '--sync', '--data-dirs', 'data', '--wait', name, 'bash', 'train.sh', '--epochs', '3');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\n2\nargs: --epochs 3\n[EXIT: 0]\n`);
    assert.match(r.stderr, /sync: 2 uploaded/); // .gitignore and train.sh; data/ is ignored by git
    assert.match(r.stderr, /data dirs: 1 uploaded/);

    const again = await orch('run', '--sync', '--data-dirs', 'data', '--', uniqueName('again'), 'true');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /sync: 0 uploaded \(0 B\), 0 deleted, 2 unchanged/);
    assert.match(again.stderr, /data dirs: 0 uploaded/);

    rmSync(join(ws, 'train.sh'));
    const third = await orch('run', '--sync', '--wait', uniqueName('gone'), 'test', '!', '-e', 'train.sh');
    assert.equal(third.code, 0, third.stderr);
    assert.match(third.stderr, /sync: 0 uploaded .*1 deleted/);
  });

  it('ORCH_SYNC=1 makes --sync the default (--no-sync opts out); ORCH_OUTPUT_DIR is the default --output-dir', async () => {
    writeFileSync(join(ws, 'first.py'), 'print("first run")\n');
    const withEnv = (...argv: string[]) => cli(argv, { env: { ...env, ORCH_SYNC: '1', ORCH_OUTPUT_DIR: 'results' }, cwd: ws });
    const skipped = await withEnv('run', '--no-sync', '--wait', uniqueName('nosync'), 'test -e first.py');
    assert.equal(skipped.code, 1, 'with --no-sync the new file is not on the host');
    assert.doesNotMatch(skipped.stderr, /sync:/);
    const name = uniqueName('synced');
    const r = await withEnv('run', '--wait', name, 'python3 first.py && mkdir -p results/' + name + ' && echo ok > results/' + name + '/m.txt');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /sync: \d+ uploaded/);
    assert.match(r.stdout, /first run/);
    const job = (JSON.parse((await orch('list', '--json')).stdout) as { name: string; outputDir?: string }[]).find((j) => j.name === name);
    assert.equal(job?.outputDir, 'results');
    const pulled = await orch('pull', name);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(readFileSync(join(ws, 'results', name, 'm.txt'), 'utf8'), 'ok\n');
    const bad = await cli(['run', uniqueName('bad'), 'true'], { env: { ...env, ORCH_SYNC: 'maybe' }, cwd: ws });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /ORCH_SYNC \(environment\) must be 1 or 0/);
  });

  it('runs on the host by default, reports it in status --json, and pulls the output dir back', async () => {
    const name = uniqueName('remote');
    const r = await orch('run', '--output-dir', 'results/r1', name, 'mkdir -p results/r1/sub && echo 0.9 > results/r1/metrics.json && echo x > results/r1/sub/f && sleep 30');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${name}\n`);
    assert.doesNotMatch(r.stderr, /local tmux target/);
    const status = JSON.parse((await orch('status', '--json')).stdout) as { name: string; host: string; state: string; logPath: string }[];
    const job = status.find((j) => j.name === name);
    assert.ok(job, 'job in status');
    assert.equal(job.host, '127.0.0.1');
    assert.equal(job.state, 'RUNNING');
    assert.ok(job.logPath.endsWith(`/${name}/run.log`));
    await waitFor('the results', async () => (await onHost(`cat ${workdir}/results/r1/metrics.json 2>/dev/null`)) !== '');
    assert.equal((await orch('stop', name)).code, 0);
    assert.equal(await onHost(`tmux has-session -t =${name} 2>/dev/null && echo yes`), '');

    const pulled = await orch('pull', name);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.equal(readFileSync(join(ws, 'results/r1/metrics.json'), 'utf8'), '0.9\n');
    assert.equal(readFileSync(join(ws, 'results/r1/sub/f'), 'utf8'), 'x\n');
    assert.equal((await orch('pull', uniqueName('missing'))).code, 1);
  });

  it('--wait returns the job\'s exit status over SSH; logs --tail gives the last lines', async () => {
    const name = uniqueName('seq');
    const r = await orch('run', '--wait', name, 'seq 1 5; exit 42');
    assert.equal(r.code, 42);
    assert.equal((await orch('logs', '--tail', '2', name)).stdout, '5\n[EXIT: 42]\n');
    const f = await orch('logs', '-f', name);
    assert.equal(f.code, 0);
    assert.equal(f.stdout, '1\n2\n3\n4\n5\n[EXIT: 42]\n');
  });

  it('logs streams a big log byte for byte, and an unknown job is exit 1', async () => {
    const name = uniqueName('big');
    // ~12 MB of numbered lines and a few invalid UTF-8 bytes, which must come through untouched.
    const r = await orch('run', '--wait', name, "seq -f 'line %06g of the big log' 1 500000; printf '\\377\\376 raw\\n'");
    assert.equal(r.code, 0, r.stderr.slice(-300));
    const onDisk = (await sshd.runAsUser(`cat ${sshd.config().logRoot.replace('~', sshd.home)}/${name}/run.log | md5sum`)).stdout;
    const out = await orch('logs', name);
    assert.equal(out.code, 0, out.stderr);
    const { createHash } = await import('node:crypto');
    assert.ok(out.stdoutBytes.length > 12_000_000, `got ${out.stdoutBytes.length} bytes`);
    assert.equal(`${createHash('md5').update(out.stdoutBytes).digest('hex')}  -\n`, onDisk);
    const missing = await orch('logs', uniqueName('nope'));
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^orch: .*no job named/i);
  });

  it('--auto asks the routing policy: a training run goes to the host, and the job keeps the reasons', async () => {
    const name = uniqueName('auto');
    const r = await orch('run', '--auto', '--wait', name, 'python3', '-c', '"print(1)"', '#', 'train.py', 'torch');
    assert.equal(r.code, 0, r.stderr);
    const job = (JSON.parse((await orch('list', '--json')).stdout) as { name: string; host: string; route: string | null }[]).find((j) => j.name === name);
    assert.equal(job?.host, '127.0.0.1');
    assert.match(job?.route ?? '', /^cloud: /);
  });

  it('--max-hours stops the job on the host; --wait then reports STOPPED', async () => {
    const name = uniqueName('maxh');
    const r = await orch('run', '--max-hours', '0.0003', '--wait', name, 'sleep', '30');
    assert.equal(r.code, 143);
    assert.match(r.stderr, new RegExp(`job ${name} STOPPED`));
  });

  it('cloud-run runs on the host, prints the run id first, and brings --output-dir back when it ends', async () => {
    const r = await cli(
      ['run', 'mkdir -p results/spec1 && echo \'{"acc":1}\' > results/spec1/metrics.json && echo done', '--spec', 'spec1.md', '--output-dir', 'results/spec1/', '--max-hours', '1'],
      { env, cwd: ws, bin: 'cloud-run' },
    );
    assert.equal(r.code, 0, r.stderr);
    const [runId, ...rest] = r.stdout.split('\n');
    assert.match(runId, /-spec1-\d{8}-\d{4}$/);
    assert.equal(rest.join('\n'), 'done\n[EXIT: 0]\n');
    assert.equal(readFileSync(join(ws, 'results/spec1/metrics.json'), 'utf8'), '{"acc":1}\n');
    rmSync(join(ws, 'results/spec1'), { recursive: true });
    const pull = await cli(['pull', runId, '--output-dir', 'results/spec1/'], { env, cwd: ws, bin: 'cloud-run' });
    assert.equal(pull.code, 0, pull.stderr);
    assert.ok(existsSync(join(ws, 'results/spec1/metrics.json')));
  });
});

describe('the built orch bundle', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  const root = join(__dirname, '../../..');

  before(async () => {
    await new Promise<void>((resolve, reject) =>
      execFile(process.execPath, ['esbuild.mjs'], { cwd: root }, (err, _o, stderr) => (err ? reject(new Error(stderr || String(err))) : resolve())),
    );
    sshd = await startSshd();
  });
  after(async () => sshd?.stop());

  it('runs a job over SSH with ssh2 in pure JS (node bin/orch run --wait, then list --json)', async () => {
    const ws = makeWorkspace();
    const env = baseEnv(sshEnv(sshd));
    const spawnOrch = (...argv: string[]) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(process.execPath, [join(root, 'bin/orch'), ...argv], { cwd: ws, env }, (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
        );
      });
    const name = uniqueName('bundle');
    const r = await spawnOrch('run', '--wait', name, 'echo', 'from the bundle; exit 4');
    assert.equal(r.code, 4, r.stderr);
    assert.equal(r.stdout, `${name}\nfrom the bundle\n[EXIT: 4]\n`);
    const list = JSON.parse((await spawnOrch('list', '--json')).stdout) as { name: string; exitCode: number }[];
    assert.equal(list.find((j) => j.name === name)?.exitCode, 4);
    const bad = await spawnOrch('run', 'no/slash', 'true');
    assert.equal(bad.code, 2);
    assert.doesNotMatch(bad.stderr, /at .*\.js:\d+/); // one sentence, no stack
    rmSync(ws, { recursive: true, force: true });
  });
});
