/**
 * A real single-node Slurm for integration tests (Debian's slurm-wlm and munge): munged,
 * slurmctld and slurmd in the foreground as children of the test process, each instance with
 * its own directory, munge socket and key, and free ports, so nothing is shared with the
 * machine's own /etc/slurm or another instance. Users reach it through SLURM_CONF (the test
 * sshd passes it to its sessions with SetEnv, see `sshdConfigLines`). Start it once per suite:
 * the daemons take about a second, the first job a few more.
 *
 * Needs root. A missing daemon or client is an error, never a skip (the recipe:
 * /work/shared/notes/ssh-on-loopback/README.md; scripts/setup-test-env.sh installs them).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { chmod, chown, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { delay, freePort } from './processes';
import { lookupUser, onPath } from './testUser';

export interface TestSlurm {
  /** The slurm.conf every client must be given (SLURM_CONF). */
  readonly conf: string;
  /** Its one partition (2 CPUs on node `localhost`). */
  readonly partition: string;
  /** The environment for Slurm commands run by the test itself. */
  readonly env: NodeJS.ProcessEnv;
  /** sshd_config lines that give every session SLURM_CONF. */
  sshdConfigLines(): string[];
  /** The last lines of the daemons' logs (for failure messages). */
  log(): Promise<string>;
  /** Cancels every job, stops the daemons and removes the files. Idempotent. */
  stop(): Promise<void>;
}

const TOOLS = ['munged', 'slurmctld', 'slurmd', 'sbatch', 'squeue', 'scancel', 'srun', 'sinfo'];
const live = new Set<ChildProcess>();
let exitHook = false;

export async function startSlurm(): Promise<TestSlurm> {
  if (process.getuid?.() !== 0) throw new Error('the Slurm test harness must run as root (munged and slurmd)');
  const missing = TOOLS.filter((t) => !onPath(t));
  if (missing.length) throw new Error(`Slurm tests need ${missing.join(', ')}: run scripts/setup-test-env.sh (apt-get install slurm-wlm munge)`);
  const munge = lookupUser('munge');
  if (!munge) throw new Error('the munge user is missing: apt-get install munge');
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
    });
  }

  const dir = await mkdtemp(join(tmpdir(), 'orch-slurm-'));
  await chmod(dir, 0o755);
  const mungeDir = join(dir, 'munge');
  for (const d of ['state', 'spool', 'log', 'munge']) await mkdir(join(dir, d));
  await chown(mungeDir, munge.uid, munge.gid);
  await chmod(mungeDir, 0o755);
  const key = join(mungeDir, 'key');
  await writeFile(key, randomBytes(1024), { mode: 0o600 });
  await chown(key, munge.uid, munge.gid);
  const socket = join(mungeDir, 'socket');
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const conf = join(dir, 'slurm.conf');
  await writeFile(conf, slurmConf(dir, socket, ctldPort, dPort), { mode: 0o644 });
  const env = { ...process.env, SLURM_CONF: conf };
  const children: ChildProcess[] = [];
  const start = (cmd: string, args: string[], opts: { uid?: number; gid?: number } = {}): ChildProcess => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], ...opts });
    child.stderr?.resume();
    live.add(child);
    child.on('exit', () => live.delete(child));
    children.push(child);
    return child;
  };

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    // Jobs first, so no slurmstepd (or a job's tmux server) outlives the daemons.
    spawnSync('scancel', ['--full', '--user', 'orchtest'], { env });
    for (let i = 0; i < 50 && squeueCount(env) > 0; i++) await delay(200);
    for (const c of children.reverse()) c.kill('SIGTERM');
    await delay(300);
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  const log = async (): Promise<string> => {
    const tail = async (f: string) => (await readFile(join(dir, 'log', f), 'utf8').catch(() => '')).split('\n').slice(-15).join('\n');
    return `slurmctld:\n${await tail('slurmctld.log')}\nslurmd:\n${await tail('slurmd.log')}`;
  };

  try {
    start('/usr/sbin/munged', ['-F', `--socket=${socket}`, `--key-file=${key}`, `--pid-file=${join(mungeDir, 'pid')}`,
      `--log-file=${join(mungeDir, 'log')}`, `--seed-file=${join(mungeDir, 'seed')}`], { uid: munge.uid, gid: munge.gid });
    await waitUntil('munged to listen', async () => onSocket(socket), 10_000);
    start('slurmctld', ['-D', '-f', conf]);
    start('slurmd', ['-D', '-f', conf, '-N', 'localhost']);
    await waitUntil('the Slurm node to be idle', async () => nodeIdle(env), 30_000);
  } catch (err) {
    const detail = await log();
    await stop();
    throw new Error(`${(err as Error).message}\n${detail}`);
  }
  return {
    conf,
    partition: 'debug',
    env,
    sshdConfigLines: () => [`SetEnv SLURM_CONF=${conf}`],
    log,
    stop,
  };
}

function slurmConf(dir: string, socket: string, ctldPort: number, dPort: number): string {
  return [
    'ClusterName=orchtest',
    'SlurmctldHost=localhost',
    'SlurmUser=root',
    'SlurmdUser=root',
    'AuthType=auth/munge',
    `AuthInfo=socket=${socket}`,
    `StateSaveLocation=${dir}/state`,
    `SlurmdSpoolDir=${dir}/spool`,
    `SlurmctldPidFile=${dir}/slurmctld.pid`,
    `SlurmdPidFile=${dir}/slurmd.pid`,
    `SlurmctldLogFile=${dir}/log/slurmctld.log`,
    `SlurmdLogFile=${dir}/log/slurmd.log`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${dPort}`,
    'ProctrackType=proctrack/linuxproc',
    'TaskPlugin=task/none',
    'JobAcctGatherType=jobacct_gather/none',
    'AccountingStorageType=accounting_storage/none',
    'JobCompType=jobcomp/none',
    'MpiDefault=none',
    'SchedulerType=sched/backfill',
    'SelectType=select/cons_tres',
    'SelectTypeParameters=CR_Core',
    'ReturnToService=2',
    // Ended jobs stay in squeue for 5 minutes (the default); a time-limit kill is prompt.
    'MinJobAge=300',
    'KillWait=10',
    'OverTimeLimit=0',
    'NodeName=localhost NodeAddr=127.0.0.1 CPUs=2 RealMemory=2000 State=UNKNOWN',
    'PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP',
    '',
  ].join('\n');
}

function onSocket(path: string): boolean {
  return spawnSync('test', ['-S', path]).status === 0;
}

function nodeIdle(env: NodeJS.ProcessEnv): boolean {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() === 'idle';
}

function squeueCount(env: NodeJS.ProcessEnv): number {
  const r = spawnSync('squeue', ['-h', '-o', '%i'], { env, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean).length : 0;
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(100);
  }
}
