/**
 * Slurm hosts (PRODUCT.md §8) against a real single-node Slurm (slurmctld, slurmd, munged from
 * Debian) reached over a real sshd as its test user: submit with sbatch, states from squeue,
 * scancel, the runner's tmux session inside the allocation, attach through srun --overlap --pty.
 * The daemons start once for the whole file; the time-limit job runs beside the others.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile, spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { createEngine } from '../../../src/core/engine/engine';
import type { Engine } from '../../../src/core/engine/api';
import type { Job } from '../../../src/core/jobs/model';
import { attachRemoteCommand } from '../../../src/core/jobs/attachCommand';
import { createSshTarget, execPty } from '../../../src/core/ssh/sshTarget';
import type { ExecOptions, ExecResult, ShellTarget } from '../../../src/host/target';
import { startSshd, type TestSshd } from '../harness/sshd';
import { startSlurm, type TestSlurm } from '../harness/slurm';
import { baseEnv, cli, makeWorkspace } from '../cli/cliHarness';
import { runDoctor } from '../../../src/core/doctor/runDoctor';

const repo = join(__dirname, '../../..');

/** `orch attach NAME` of the built CLI on a real pty (util-linux script); Ctrl-b d once `marker` shows. */
function attachOnPty(name: string, cwd: string, marker: string): Promise<{ code: number | null; screen: string }> {
  return new Promise((resolve, reject) => {
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(join(repo, 'bin/orch'))} attach ${name}`;
    const child = spawn('/usr/bin/script', ['-qfec', cmd, '/dev/null'], { cwd, env: { ...baseEnv(), TERM: 'xterm', SHELL: '/bin/bash' } });
    let screen = '';
    let quiet: NodeJS.Timeout | undefined;
    let detached = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      screen += d.toString();
      if (detached || !screen.includes(marker)) return;
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        detached = true;
        child.stdin.write('\x02');
        setTimeout(() => child.stdin.write('d'), 100);
      }, 500);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(quiet);
      resolve({ code, screen });
    });
  });
}

const unique = (base: string) => `${base}-${Math.random().toString(36).slice(2, 7)}`;

/** Counts the execs (round trips) of a target. */
function counting(target: ShellTarget): ShellTarget & { execs: number } {
  const t = {
    execs: 0,
    host: target.host,
    exec(script: string, options?: ExecOptions): Promise<ExecResult> {
      t.execs++;
      return target.exec(script, options);
    },
    close: () => target.close(),
  };
  return t as unknown as ShellTarget & { execs: number };
}

describe('Slurm hosts: a real slurmctld + slurmd over SSH', function () {
  this.timeout(180_000);
  let slurm: TestSlurm;
  let sshd: TestSshd;
  let engine: Engine;
  /** The time-limited job's own log root, so stop --all below does not stop it. */
  let limitEngine: Engine;
  let target: ReturnType<typeof counting>;
  let ssh: ReturnType<typeof createSshTarget>;
  const limited = unique('slurm-limit');
  let limitedStart = 0;

  const user = (cmd: string) => sshd.runAsUser(`export SLURM_CONF=${slurm.conf}; ${cmd}`);
  const until = async (name: string, ok: (j: Job) => boolean, timeoutMs = 30_000, e = engine): Promise<Job> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const j = await e.get(name);
      if (j && ok(j)) return j;
      if (Date.now() > deadline) throw new Error(`${name}: still ${j?.state ?? 'missing'} after ${timeoutMs} ms\n${await slurm.log()}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  };
  const ended = (name: string, timeoutMs?: number, e = engine) => until(name, (j) => !['QUEUED', 'STARTING', 'RUNNING'].includes(j.state), timeoutMs, e);

  before(async () => {
    const t0 = Date.now();
    slurm = await startSlurm();
    sshd = await startSshd({ extraConfig: slurm.sshdConfigLines() });
    const config = sshd.config({ hostKind: 'slurm' });
    ssh = createSshTarget(config, { connection: { keepaliveIntervalMs: 1000, reconnectWindowMs: 20_000 } });
    target = counting(ssh);
    engine = createEngine(config, target);
    limitEngine = createEngine({ ...config, logRoot: `${config.logRoot}-limit` }, ssh);
    console.log(`      (Slurm and sshd up in ${Date.now() - t0} ms)`);
    // The one-minute time limit takes a minute and Slurm's check: it runs beside the others.
    limitedStart = Date.now();
    await limitEngine.run({ name: limited, command: 'echo limited-start; sleep 600', maxHours: 1 / 60 });
  });

  after(async () => {
    await engine?.close();
    await sshd?.stop();
    await slurm?.stop();
  });

  it('a job that succeeds: a batch job of its name and workdir, the same files as a tmux job, slurmJobId', async () => {
    const name = unique('slurm-ok');
    const started = await engine.run({ name, command: 'echo "hello from $SLURM_JOB_ID on $(hostname)"' });
    assert.match(started.slurmJobId ?? '', /^\d+$/);
    assert.ok(['QUEUED', 'STARTING', 'RUNNING', 'DONE'].includes(started.state), started.state);
    const job = await ended(name);
    assert.equal(job.state, 'DONE', job.reason ?? '');
    assert.equal(job.exitCode, 0);
    assert.equal(job.slurmJobId, started.slurmJobId);
    const log = (await engine.readLog(name)).toString();
    assert.match(log, new RegExp(`^hello from ${started.slurmJobId} on `));
    assert.match(log, /\[EXIT: 0\]\n$/);
    const dir = `${job.logPath.replace(/\/run\.log$/, '')}`;
    const files = (await user(`ls ${dir}`)).stdout.split('\n');
    for (const f of ['run.log', 'meta.json', 'exit', 'started', 'ended', 'runner.pid', 'attempts', 'slurm-job-id']) assert.ok(files.includes(f), `${f} in ${files.join(' ')}`);
    const shown = (await user(`scontrol show job ${started.slurmJobId} -o`)).stdout;
    assert.match(shown, new RegExp(`JobName=${name} `));
    assert.match(shown, new RegExp(`WorkDir=${job.workdir} `));
  });

  it('doctor on the Slurm host: a slurm line with the sbatch and squeue it found, every check passing', async () => {
    const c = sshd.config({ hostKind: 'slurm' });
    const report = await runDoctor({ target: ssh, logRoot: c.logRoot, logMode: c.logMode, reach: `${c.user}@${c.host}:${c.port}`, slurm: true });
    assert.ok(report.ok, JSON.stringify(report.lines));
    const line = report.lines.find((l) => l.check === 'slurm');
    assert.match(line?.text ?? '', /^sbatch \(\/\S+\/sbatch\), squeue \(\/\S+\/squeue\)$/);
  });

  it('a job that exits 3 is FAILED with exit code 3', async () => {
    const name = unique('slurm-fail');
    await engine.run({ name, command: 'echo failing; exit 3' });
    const job = await ended(name);
    assert.equal(job.state, 'FAILED');
    assert.equal(job.exitCode, 3);
    assert.match((await engine.readLog(name)).toString(), /failing\n\[EXIT: 3\]\n$/);
  });

  it('retries (L2) are the runner\'s own, inside the same allocation', async () => {
    const name = unique('slurm-retry');
    await engine.run({ name, command: 'echo "try in $SLURM_JOB_ID"; exit 1', retries: 1, guardrails: { retryBackoffSeconds: 0.2 } });
    const job = await ended(name);
    assert.equal(job.state, 'FAILED');
    assert.equal(job.attempt, 2);
    const log = (await engine.readLog(name)).toString();
    assert.match(log, /\[RETRY: exit 1; attempt 2 of 2\]/);
    assert.equal(new Set(log.match(/try in \d+/g)).size, 1, log);
  });

  it('orch stop cancels a running job with scancel: STOPPED, [EXIT: 143], CANCELLED in Slurm', async () => {
    const name = unique('slurm-stop');
    await engine.run({ name, command: 'echo sleeping; sleep 300' });
    const running = await until(name, (j) => j.state === 'RUNNING');
    const t0 = Date.now();
    const stopped = await engine.stop(name);
    console.log(`      (stop took ${Date.now() - t0} ms)`);
    assert.equal(stopped.state, 'STOPPED');
    assert.equal(stopped.reason, 'stopped with orch stop');
    assert.match((await engine.readLog(name)).toString(), /\[EXIT: 143\]\n$/);
    // Slurm lists it COMPLETING for a moment after its batch script has ended.
    const deadline = Date.now() + 20_000;
    let slurmState = '';
    while (slurmState !== 'CANCELLED' && Date.now() < deadline) {
      slurmState = (await user(`squeue -h -t all -j ${running.slurmJobId} -o %T`)).stdout.trim();
      if (slurmState !== 'CANCELLED') await new Promise((r) => setTimeout(r, 300));
    }
    assert.equal(slurmState, 'CANCELLED');
    assert.equal((await engine.get(name))?.state, 'STOPPED');
  });

  it('a job waiting for CPUs is QUEUED (PENDING); status and list are one round trip each; a stopped PENDING job leaves no Slurm job', async () => {
    const holder = unique('slurm-hold');
    const name = unique('slurm-wait');
    await engine.run({ name: holder, command: 'sleep 300' });
    await until(holder, (j) => j.state === 'RUNNING');
    // The node has two CPUs and the holder has one.
    const job = await engine.run({ name, command: 'echo never', slurm: { cpus: 2 } });
    assert.equal((await until(name, (j) => j.state === 'QUEUED')).slurmJobId, job.slurmJobId);
    const before = target.execs;
    const active = await engine.status();
    assert.equal(target.execs - before, 1);
    assert.deepEqual(active.map((j) => [j.name, j.state]).sort(), [[holder, 'RUNNING'], [name, 'QUEUED']].sort());
    const all = await engine.list();
    assert.equal(target.execs - before, 2);
    assert.ok(all.length >= 5 && all.every((j) => /^\d+$/.test(j.slurmJobId ?? '')), JSON.stringify(all));
    const stopped = await engine.stop(name);
    assert.equal(stopped.state, 'STOPPED');
    assert.match((await engine.readLog(name)).toString(), /^\[EXIT: 143\]\n$/);
    assert.doesNotMatch((await user(`squeue -h -j ${job.slurmJobId} -o %T`)).stdout, /PENDING|RUNNING/);
    await engine.stop(holder);
  });

  it('bad input submits nothing: an unknown partition is one sentence and leaves no job dir', async () => {
    const name = unique('slurm-bad');
    await assert.rejects(engine.run({ name, command: 'true', slurm: { partition: 'nosuch' } }), /^UserError: Slurm on .* refused slurm-bad-\w+: .*[Ii]nvalid partition.*; nothing was started\.$/m);
    assert.equal(await engine.get(name), undefined);
    assert.equal((await user(`squeue -h -n ${name} -t all -o %i`)).stdout, '');
    await assert.rejects(engine.run({ name, command: 'true', slurm: { sbatchArgs: ['oops'] } }), /--sbatch-arg takes one sbatch option/);
    // This node has no GPUs: sbatch --gpus is refused by Slurm itself, and nothing is left.
    await assert.rejects(engine.run({ name, command: 'true', gpus: 1 }), /^UserError: Slurm on .* refused .*; nothing was started\.$/m);
    assert.equal(await engine.get(name), undefined);
    assert.equal((await user(`squeue -h -n ${name} -t all -o %i`)).stdout, '');
  });

  it('follow streams the log until [EXIT: N], as on a tmux host', async () => {
    const name = unique('slurm-follow');
    await engine.run({ name, command: 'for i in 1 2 3; do echo line-$i; sleep 0.5; done' });
    let text = '';
    const job = await engine.follow(name, { onData: (c) => (text += c.toString()) });
    assert.equal(job.state, 'DONE');
    assert.equal(text, 'line-1\nline-2\nline-3\n[EXIT: 0]\n');
  });

  it('a follow across a dropped connection (sshd restarted) delivers every line exactly once', async () => {
    const name = unique('slurm-drop');
    await engine.run({ name, command: 'for i in $(seq 1 200); do echo "line $i"; sleep 0.02; done' });
    const chunks: Buffer[] = [];
    let received = 0;
    let restarted: Promise<void> | undefined;
    const reconnects: number[] = [];
    const job = await engine.follow(name, {
      onData: (c) => {
        chunks.push(c);
        received += c.length;
        if (!restarted && received > 300) restarted = sshd.restart();
      },
      onReconnect: (info) => reconnects.push(info.fromByte),
    });
    await restarted;
    assert.equal(job.state, 'DONE');
    assert.ok(reconnects.length >= 1, 'the follow reconnected');
    const lines = Buffer.concat(chunks as unknown as Uint8Array[]).toString().split('\n');
    assert.deepEqual(lines, [...Array.from({ length: 200 }, (_, i) => `line ${i + 1}`), '[EXIT: 0]', '']);
  });

  it('attach reaches the live tmux session inside the allocation (srun --overlap --pty); Ctrl-b d detaches', async () => {
    const name = unique('slurm-attach');
    await engine.run({ name, command: 'echo attach-screen-ok; sleep 300' });
    const job = await until(name, (j) => j.state === 'RUNNING');
    await until(name, () => true);
    const stdin = new PassThrough();
    let screen = '';
    let quiet: NodeJS.Timeout | undefined;
    const stdout = new Writable({
      write(chunk: Buffer, _e, cb) {
        screen += chunk.toString();
        if (screen.includes('attach-screen-ok')) {
          clearTimeout(quiet);
          quiet = setTimeout(() => {
            stdin.write('\x02');
            setTimeout(() => stdin.write('d'), 100);
          }, 500);
        }
        cb();
      },
    });
    const code = await execPty(ssh, attachRemoteCommand(job), { stdin, stdout, columns: 100, rows: 30 });
    clearTimeout(quiet);
    assert.equal(code, 0, screen.slice(-500));
    assert.match(screen, /\[detached/);
    assert.equal((await engine.get(name))?.state, 'RUNNING');
    // Where no step can be made in the job (here: it has ended), the message says what to do.
    await engine.stop(name);
    let out = '';
    const failed = await execPty(ssh, attachRemoteCommand(job), {
      stdin: new PassThrough(),
      stdout: new Writable({ write: (c: Buffer, _e, cb) => ((out += c.toString()), cb()) }),
      columns: 100,
      rows: 30,
    });
    assert.notEqual(failed, 0);
    assert.match(out, new RegExp(`could not attach inside Slurm job ${job.slurmJobId} .*orch logs -f ${name}`, 's'));
  });

  it('stop --all cancels this log root\'s jobs only, never the user\'s other Slurm jobs', async () => {
    const name = unique('slurm-all');
    await engine.run({ name, command: 'sleep 300' });
    const other = (await user(`sbatch --parsable --output=/dev/null --wrap 'sleep 300'`)).stdout.trim();
    assert.match(other, /^\d+$/);
    const stopped = await engine.stopAll();
    assert.deepEqual(stopped.map((j) => j.state), stopped.map(() => 'STOPPED'));
    assert.ok(stopped.some((j) => j.name === name));
    assert.match((await user(`squeue -h -j ${other} -o %T`)).stdout, /PENDING|RUNNING/);
    await user(`scancel ${other}`);
    assert.equal((await limitEngine.get(limited))?.state, 'RUNNING');
  });

  it('the CLI: kind: slurm in hosts.yaml; run passes --partition, --cpus, --mem, --sbatch-arg to sbatch; --json has slurmJobId; --sync and pull through the shared workdir; orch attach on a real terminal; Slurm options on a tmux host are refused', async () => {
    const c = sshd.config();
    const entry = (name: string, extra: string[]) => [`  ${name}:`, `    host: ${c.host}`, `    port: ${c.port}`, `    user: ${c.user}`,
      `    identity_file: ${c.identityFile}`, `    known_hosts: ${c.knownHosts}`, `    remote_workdir: ${c.remoteWorkdir}`, ...extra.map((l) => `    ${l}`)].join('\n');
    const ws = makeWorkspace('orch-slurm-ws-');
    try {
      mkdirSync(join(ws, 'scripts/cloud'), { recursive: true });
      writeFileSync(join(ws, 'scripts/cloud/hosts.yaml'), `hosts:\n${entry('cluster', ['kind: slurm', `log_root: ${c.logRoot}-cli`])}\n${entry('box', [`log_root: ${c.logRoot}-box`])}\ndefault: cluster\n`);
      const orch = (...argv: string[]) => cli(argv, { env: baseEnv(), cwd: ws });
      const name = unique('slurm-cli');
      const run = await orch('run', '--partition', slurm.partition, '--cpus', '1', '--mem', '0.5', '--sbatch-arg', '--comment=orch-cli-test', '--wait', name, 'echo', 'from-cli');
      assert.equal(run.code, 0, run.stderr);
      const [job] = JSON.parse((await orch('list', '--json', '--host', 'cluster')).stdout) as { name: string; state: string; slurmJobId: string; host: string }[];
      assert.deepEqual([job!.name, job!.state, job!.host], [name, 'DONE', 'cluster']);
      const shown = (await user(`scontrol show job ${job!.slurmJobId} -o`)).stdout;
      assert.match(shown, /Partition=debug /);
      assert.match(shown, /Comment=orch-cli-test /);
      assert.match(shown, /MinMemoryNode=512M /);
      assert.match(shown, /NumCPUs=1 /);
      // --sync to the cluster's workdir, the job reads it on its node, orch pull brings its output back.
      writeFileSync(join(ws, 'input.txt'), 'synced-input\n');
      const synced = unique('slurm-sync');
      const r2 = await orch('run', '--sync', '--wait', '--output-dir', 'results/s1', synced, 'mkdir -p results/s1 && cp input.txt results/s1/out.txt && echo "$SLURM_JOB_ID" > results/s1/id');
      assert.equal(r2.code, 0, r2.stderr);
      assert.match(r2.stderr, /sync: \d+ uploaded/);
      const pulled = await orch('pull', synced);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.equal(readFileSync(join(ws, 'results/s1/out.txt'), 'utf8'), 'synced-input\n');
      assert.match(readFileSync(join(ws, 'results/s1/id'), 'utf8'), /^\d+\n$/);
      // orch attach (OpenSSH, a real terminal) reaches the session inside the allocation.
      await new Promise<void>((res, rej) => execFile(process.execPath, ['esbuild.mjs'], { cwd: repo }, (err, _o, e) => (err ? rej(new Error(e || String(err))) : res())));
      const live = unique('slurm-cli-attach');
      assert.equal((await orch('run', live, 'echo cli-attach-ok; sleep 300')).code, 0);
      await until(live, (j) => j.state === 'RUNNING', 30_000, createEngine({ ...sshd.config({ hostKind: 'slurm' }), logRoot: `${c.logRoot}-cli` }, ssh));
      const r = await attachOnPty(live, ws, 'cli-attach-ok');
      assert.equal(r.code, 0, r.screen.slice(-500));
      assert.match(r.screen, /\[detached/);
      assert.equal((await orch('stop', live)).code, 0);
      const refused = await orch('run', '--host', 'box', '--partition', 'debug', unique('tmux'), 'true');
      assert.equal(refused.code, 2);
      assert.equal(refused.stderr, 'orch: --partition is for Slurm hosts; box is a tmux host (kind: slurm in hosts.yaml makes a Slurm host).\n');
    } finally {
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('a job past its one-minute --max-hours (--time) is STOPPED with a reason naming the time limit', async () => {
    const job = await ended(limited, 150_000, limitEngine);
    console.log(`      (time limit reached after ${Math.round((Date.now() - limitedStart) / 1000)} s)`);
    assert.equal(job.state, 'STOPPED');
    assert.match(job.reason ?? '', /Slurm time limit .*TIMEOUT/);
    assert.match((await limitEngine.readLog(limited)).toString(), /^limited-start\n\[EXIT: 143\]\n$/);
  });
});
