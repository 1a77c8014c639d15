/**
 * `orch experiment` end to end: the real CLI bundle, the fixture research kit (bash), this
 * project's real `cloud-run` against a real OpenSSH server on 127.0.0.1 running jobs in real tmux.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';

const REPO = path.resolve(__dirname, '../../..');
const FIXTURE_KIT = path.join(REPO, 'test/fixtures/research-kit/experiment.sh');
const CLOUD_RUN = path.join(REPO, 'bin/cloud-run');

interface Result { code: number | null; stdout: string; stderr: string }

function run(file: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; onStart?: (pid: number) => void }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    opts.onStart?.(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(file)} ${args.join(' ')} timed out\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The bin files run dist/orch.js: rebuild it when any source is newer (or it is missing). */
async function bundleIsStale(): Promise<boolean> {
  const built = await stat(path.join(REPO, 'dist/orch.js')).then((s) => s.mtimeMs, () => 0);
  const newest = async (dir: string): Promise<number> => {
    let t = 0;
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      t = Math.max(t, e.isDirectory() ? await newest(p) : (await stat(p)).mtimeMs);
    }
    return t;
  };
  return built === 0 || (await newest(path.join(REPO, 'src'))) > built;
}

/** Running, and not a zombie waiting for a parent that may never reap it (as in containers). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** One parsed line of the fixture kit's call log. */
type KitCall = Record<string, string>;

describe('orch experiment (real kit, real cloud-run, real sshd + tmux)', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  let ws: string;
  let callLog: string;
  let remoteWorkdir: string;
  let testNo = 0;

  before(async function () {
    this.timeout(180_000);
    if (await bundleIsStale()) {
      const build = await run(process.execPath, ['esbuild.mjs'], { cwd: REPO, env: process.env, timeoutMs: 120_000 });
      assert.equal(build.code, 0, `the CLI bundle must build:\n${build.stderr}`);
    }
    sshd = await startSshd();
  });
  after(async () => {
    await sshd?.stop();
  });

  beforeEach(async () => {
    ws = await mkdtemp(path.join(tmpdir(), 'orch-exp-'));
    await copyFile(FIXTURE_KIT, path.join(ws, 'experiment.sh'));
    await mkdir(path.join(ws, 'specs'));
    callLog = path.join(ws, 'calls.log');
    remoteWorkdir = `${sshd.config().remoteWorkdir}/t${++testNo}`;
  });
  afterEach(() => rm(ws, { recursive: true, force: true }));

  /** The environment of a user whose host is configured (ORCH_*), plus the kit's call log. */
  function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    const c = sshd.config();
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      ORCH_CONNECTION_PERSIST: '0', // no helper left behind (tested in cli/connectionReuse.test.ts)
      ORCH_HOST: c.host,
      ORCH_PORT: String(c.port),
      ORCH_USER: c.user,
      ORCH_IDENTITY_FILE: c.identityFile,
      ORCH_KNOWN_HOSTS: c.knownHosts,
      ORCH_LOG_ROOT: c.logRoot,
      ORCH_REMOTE_WORKDIR: remoteWorkdir,
      ORCH_PROJECT: 'it',
      EXPERIMENT_LOG: callLog,
      ...extra,
    };
  }

  const orch = (args: string[], env = userEnv(), onStart?: (pid: number) => void) =>
    run(process.execPath, [path.join(REPO, 'bin/orch'), 'experiment', ...args], { cwd: ws, env, onStart });
  const kitEnv = (text: string) => writeFile(path.join(ws, '.orchestration-kit.env'), text);

  async function calls(): Promise<KitCall[]> {
    if (!existsSync(callLog)) return [];
    const text = await readFile(callLog, 'utf8');
    return text.trim().split('\n').map((l) => Object.fromEntries(l.split(' ').map((kv) => kv.split('=') as [string, string])));
  }

  /** Phase banners the CLI printed, in order (SYNC included: it is orch's own step). */
  const banners = (stdout: string) => [...stdout.matchAll(/^==> \[\d+\/\d+\] (\w+)/gm)].map((m) => m[1]);

  /** Job directories under the host's log root (what any remote call would leave). */
  async function hostJobs(): Promise<string[]> {
    const r = await sshd.runAsUser(`ls -1 ${sshd.config().logRoot} 2>/dev/null || true`);
    return r.stdout.split('\n').filter(Boolean);
  }

  it('cycle on ec2: FRAME RUN SYNC READ LOG, the run on the host, metrics.json local before READ', async () => {
    await kitEnv('# research kit\nCOMPUTE_TARGET=ec2\nMAX_GPU_HOURS=2\n');
    const before = await hostJobs();
    const r = await orch(['cycle', 'specs/alpha.md']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(banners(r.stdout), ['FRAME', 'RUN', 'SYNC', 'READ', 'LOG']);
    const c = await calls();
    assert.deepEqual(c.map((x) => x.phase), ['frame', 'run', 'read', 'log']);
    assert.deepEqual([c[1].target, c[1].directive, c[1].directive_file, c[1].cloud_run], ['ec2', 'yes', 'yes', 'yes']);
    assert.equal(c[0].directive, 'no', 'only RUN gets the directive');
    assert.equal(c[2].metrics, 'yes', 'metrics.json was local when READ started');
    // metrics.json came from the host: only the job there wrote it
    const metrics = JSON.parse(await readFile(path.join(ws, 'results/alpha/metrics.json'), 'utf8'));
    assert.deepEqual(metrics, { spec: 'alpha', accuracy: 0.93 });
    const runId = (await readFile(path.join(ws, 'results/alpha/.cloud-run-id'), 'utf8')).trim();
    const jobs = await hostJobs();
    assert.ok(jobs.includes(runId) && !before.includes(runId), `the run ${runId} is a job on the host: ${jobs.join(', ')}`);
    const runLog = await sshd.runAsUser(`cat ${sshd.config().logRoot}/${runId}/run.log`);
    assert.match(runLog.stdout, /\[EXIT: 0\]\s*$/);
    const directive = await readFile(path.join(ws, 'results/alpha/.compute-directive.md'), 'utf8');
    assert.ok(directive.includes(`${CLOUD_RUN} run "python <your-script>"`), directive);
    assert.ok(directive.includes('--spec specs/alpha.md') && directive.includes('--output-dir results/alpha/') && directive.includes('--max-hours 2'));
    assert.match(r.stdout, /Results synced: results\/alpha\/metrics\.json exists/);
    assert.match(r.stdout, /Experiment cycle complete: specs\/alpha\.md\./);
  });

  it('cycle on local: the phases as before, no SYNC, no directive, nothing on the host', async () => {
    await kitEnv('COMPUTE_TARGET="${COMPUTE_TARGET:-local}"   # "local" or "ec2"\n');
    const before = await hostJobs();
    const r = await orch(['cycle', 'specs/beta.md']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(banners(r.stdout), ['FRAME', 'RUN', 'READ', 'LOG']);
    const c = await calls();
    assert.deepEqual(c.map((x) => x.phase), ['frame', 'run', 'read', 'log']);
    // The resolved COMPUTE_TARGET reaches every phase, local too (issue 17); no directive, no cloud-run.
    for (const x of c) assert.deepEqual([x.target, x.directive, x.directive_file, x.cloud_run], ['local', 'no', 'no', 'no']);
    assert.ok(!existsSync(path.join(ws, 'results/beta/.compute-directive.md')));
    assert.ok(!/Syncing results/.test(r.stdout));
    assert.deepEqual(await hostJobs(), before, 'no job reached the host');
  });

  it('full: SURVEY with the question first, then the cycle with SYNC', async () => {
    await kitEnv('COMPUTE_TARGET=ec2\n');
    const r = await orch(['full', 'does-dropout-help', 'specs/gamma.md']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(banners(r.stdout), ['SURVEY', 'FRAME', 'RUN', 'SYNC', 'READ', 'LOG']);
    const c = await calls();
    assert.deepEqual(c.map((x) => `${x.phase} ${x.arg}`), ['survey does-dropout-help', 'frame specs/gamma.md', 'run specs/gamma.md', 'read specs/gamma.md', 'log specs/gamma.md']);
    assert.equal(c[3].metrics, 'yes');
  });

  it('program: a failing spec stops only its own scope; summary; exit status 1', async () => {
    await kitEnv('COMPUTE_TARGET=ec2\n');
    const r = await orch(['program', 'specs/p1.md', 'specs/p2-fail-run.md', 'specs/p3.md']);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    const c = await calls();
    assert.deepEqual(c.map((x) => `${x.phase} ${x.arg}`), [
      'frame specs/p1.md', 'run specs/p1.md', 'read specs/p1.md',
      'frame specs/p2-fail-run.md', 'run specs/p2-fail-run.md',
      'frame specs/p3.md', 'run specs/p3.md', 'read specs/p3.md',
    ]);
    assert.deepEqual(c.filter((x) => x.phase === 'read').map((x) => x.metrics), ['yes', 'yes']);
    assert.match(r.stdout, /Program summary \(ec2\):\n {2}ok {6}specs\/p1\.md\s*\n {2}FAILED {2}specs\/p2-fail-run\.md +RUN failed for specs\/p2-fail-run\.md: experiment\.sh run exited with status 3\.\n {2}ok {6}specs\/p3\.md/);
    assert.match(r.stderr, /^orch: 1 of 3 specs failed\.$/m);
    assert.ok(existsSync(path.join(ws, 'results/p3/metrics.json')));
  });

  it('a missing metrics.json after SYNC is a clear warning and the cycle goes on', async () => {
    await kitEnv('COMPUTE_TARGET=ec2\n');
    const r = await orch(['cycle', 'specs/delta-no-metrics.md']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stderr, /^orch: warning: metrics\.json not found in results\/delta-no-metrics\/ after sync; READ runs without it\.$/m);
    const c = await calls();
    assert.deepEqual(c.map((x) => x.phase), ['frame', 'run', 'read', 'log']);
    assert.equal(c[2].metrics, 'no');
    // the pull did happen: the job's other output is here
    assert.ok(existsSync(path.join(ws, 'results/delta-no-metrics/notes.txt')));
    assert.match(r.stdout, /complete: specs\/delta-no-metrics\.md \(1 warning\)/);
  });

  it('an invalid COMPUTE_TARGET is a clear error with file:line, and nothing runs', async () => {
    await kitEnv('DATA_DIR=data\nCOMPUTE_TARGET=gpu\n');
    const r = await orch(['cycle', 'specs/alpha.md']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, `orch: ${path.join(ws, '.orchestration-kit.env')}:2: COMPUTE_TARGET must be "local" or "ec2", not "gpu".\n`);
    assert.equal(r.stdout, '');
    assert.deepEqual(await calls(), []);
  });

  it('the environment overrides the file\'s default, both ways', async () => {
    await kitEnv('COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n');
    const up = await orch(['cycle', 'specs/eps.md'], userEnv({ COMPUTE_TARGET: 'ec2' }));
    assert.equal(up.code, 0, up.stderr + up.stdout);
    assert.match(up.stdout, /^Experiment cycle on ec2 \(COMPUTE_TARGET: COMPUTE_TARGET in the environment \(through .*\.orchestration-kit\.env:1\)\)/);
    assert.deepEqual(banners(up.stdout), ['FRAME', 'RUN', 'SYNC', 'READ', 'LOG']);
    assert.equal((await calls())[2].metrics, 'yes');

    await rm(callLog);
    await kitEnv('COMPUTE_TARGET="${COMPUTE_TARGET:-ec2}"\n');
    const down = await orch(['cycle', 'specs/zeta.md'], userEnv({ COMPUTE_TARGET: 'local' }));
    assert.equal(down.code, 0, down.stderr + down.stdout);
    assert.deepEqual(banners(down.stdout), ['FRAME', 'RUN', 'READ', 'LOG']);
    assert.deepEqual((await calls()).map((x) => [x.target, x.directive]), Array(4).fill(['local', 'no']));
  });

  it('finds the kit under $ORCHESTRATION_KIT_ROOT, and names every place looked at when there is none', async () => {
    await rm(path.join(ws, 'experiment.sh'));
    const none = await orch(['cycle', 'specs/alpha.md'], userEnv({ ORCHESTRATION_KIT_ROOT: path.join(ws, 'okit') }));
    assert.equal(none.code, 2);
    assert.ok(none.stderr.includes(`looked for experiment.sh at ${path.join(ws, 'experiment.sh')}, ${path.join(ws, 'okit/research-kit/experiment.sh')}.`), none.stderr);
    await mkdir(path.join(ws, 'okit/research-kit'), { recursive: true });
    await copyFile(FIXTURE_KIT, path.join(ws, 'okit/research-kit/experiment.sh'));
    await kitEnv('COMPUTE_TARGET=local\n');
    const found = await orch(['cycle', 'specs/alpha.md'], userEnv({ ORCHESTRATION_KIT_ROOT: path.join(ws, 'okit') }));
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual((await calls()).map((x) => x.phase), ['frame', 'run', 'read', 'log']);
  });

  it('a failing phase stops the cycle and is named (exit status 1)', async () => {
    const r = await orch(['cycle', 'specs/eta-fail-read.md']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim().split('\n').pop(), 'orch: READ failed for specs/eta-fail-read.md: experiment.sh read exited with status 3.');
    assert.deepEqual((await calls()).map((x) => x.phase), ['frame', 'run', 'read']);
  });

  it('Ctrl-C cancels: the running phase (an explicit --kit) is stopped, nothing after it runs, exit 130', async () => {
    await rm(path.join(ws, 'experiment.sh'));
    let orchPid = 0;
    const pidFile = `${callLog}.slow-pid`;
    const done = orch(['cycle', '--kit', FIXTURE_KIT, 'specs/theta-slow-run.md'], userEnv(), (pid) => (orchPid = pid));
    const deadline = Date.now() + 20_000;
    while (!existsSync(pidFile) || (await readFile(pidFile, 'utf8')).trim() === '') {
      assert.ok(Date.now() < deadline, 'the slow RUN phase never started');
      await new Promise((r) => setTimeout(r, 50));
    }
    const kitPid = Number((await readFile(pidFile, 'utf8')).trim());
    process.kill(orchPid, 'SIGINT');
    const r = await done;
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /orch: experiment cancelled\./);
    assert.deepEqual((await calls()).map((x) => x.phase), ['frame', 'run']);
    assert.ok(!isAlive(kitPid), 'the kit phase was stopped');
  });
});
