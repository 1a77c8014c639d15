/**
 * The job engine for one target host (api.ts). It keeps no state of its own: every call is one
 * call of the host library (src/host) with its data on stdin, and every answer is read back from
 * the log root, so any laptop or CLI call sees the same jobs.
 */
import { cloudWatchField } from '../cloudwatch/shipping';
import type { Writable } from 'node:stream';
import type { OrchConfig } from '../config/types';
import { UserError, usageError } from '../errors';
import { checkConfigValue } from '../config/valueRules';
import { isActive, type Job, type RunRequest } from '../jobs/model';
import type { Engine, FollowOptions, GuardedRunRequest, LogReadOptions, RollbackOptions, RollbackResult } from './api';
import { hostGuardrails } from './guardFields';
import { followLog } from './follow';
import { callHost } from '../../host/call';
import { HostExit } from '../../host/protocol';
import { JOB_NAME_PATTERN } from '../jobs/names';
import { jobsOf, parseReport } from './state';
import { encodeJobEnv } from '../secrets/jobEnv';
import { refuseSlurmFlags, slurmFields } from './slurmFields';
import { probeHost, type HostProbe } from '../hosts/probe';
import type { ExecResult, ShellTarget } from '../../host/target';
import { autostopField, parseAutostop, type AutostopStatus } from './autostop';
import { PACK_CODECS } from '../../host/unpack';
import { readPacked } from './readPacked';

export interface EngineOptions {
  /** Clock for createdAt (tests). */
  now?: () => Date;
  /** How long a follow keeps trying to reconnect before giving up. Default 60 s. */
  reconnectWindowMs?: number;
  /**
   * The codecs logs travel in (src/host/unpack.ts), best first; '' for plain. Default: zstd, else
   * gzip, for a remote host; plain for the local target, where there is no link to save.
   */
  pack?: string;
}

export function createEngine(config: OrchConfig, target: ShellTarget, options: EngineOptions = {}): Engine {
  return new HostEngine(config, target, options);
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

/** NUL-separated key, value pairs a host script printed. */
function pairs(out: Buffer): Record<string, string> {
  const parts = out.toString('utf8').split('\0');
  const result: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) result[parts[i]!] = parts[i + 1]!;
  return result;
}

class HostEngine implements Engine {
  constructor(
    private readonly config: OrchConfig,
    private readonly target: ShellTarget,
    private readonly options: EngineOptions,
  ) {}

  get host(): string {
    return this.target.host;
  }

  private get pack(): string {
    return this.options.pack ?? (this.target.host === 'local' ? '' : PACK_CODECS);
  }

  /** A Slurm login node (PRODUCT.md §8): jobs are batch jobs, Slurm says which are alive. */
  private get slurm(): boolean {
    return this.config.hostKind === 'slurm';
  }

  private checkName(name: string): void {
    if (!JOB_NAME_PATTERN.test(name)) {
      throw usageError(
        `Invalid job name "${name}": use letters, digits, "-" and "_", start with a letter or digit, at most 80 characters.`,
      );
    }
  }

  private notFound(name: string): UserError {
    return new UserError(`There is no job named ${name} on ${this.host}.`, { exitCode: 1 });
  }

  private noSlurm(): UserError {
    return new UserError(`${this.host} is a Slurm host (kind: slurm), but sbatch is not on the PATH of a login shell there; is it the cluster's login node?`);
  }

  /** squeue or scancel could not reach Slurm: states cannot be told, so nothing is guessed. */
  private checkSlurm(res: ExecResult): void {
    if (res.code === HostExit.noSlurm) throw this.noSlurm();
    if (res.code === HostExit.slurmFailed) throw new UserError(`Slurm on ${this.host} did not answer (squeue: ${lastLine(res.stderr) || 'failed'}); job states cannot be told.`);
  }

  private hostFailure(what: string, res: ExecResult): UserError {
    const detail = lastLine(res.stderr);
    return new UserError(`Could not ${what} on ${this.host} (exit ${res.code})${detail ? `: ${detail}` : ''}.`);
  }

  private tooManyGpus(wanted: number, inventory: number): string {
    const has = inventory === 0 ? 'no GPU orch can hand out (no gpus: in hosts.yaml and no nvidia-smi -L)' : `${inventory} GPU${inventory === 1 ? '' : 's'}`;
    return `The job asks for ${wanted} GPU${wanted === 1 ? '' : 's'} but ${this.host} has ${has}; nothing was started.`;
  }

  private workdir(request: RunRequest): string {
    return (request.workdir ?? this.config.remoteWorkdir).replace('<project>', this.config.project);
  }

  async run(request: GuardedRunRequest): Promise<Job> {
    this.checkName(request.name);
    if (request.command.trim() === '') throw usageError('The command to run is empty.');
    if (request.command.includes('\0')) throw usageError('The command contains a NUL character, which bash cannot run.');
    const maxHours = request.maxHours;
    if (maxHours !== undefined && !(Number.isFinite(maxHours) && maxHours > 0)) {
      throw usageError(`--max-hours must be a positive number of hours, not ${maxHours}.`);
    }
    const retries = request.retries ?? this.config.retries ?? 0;
    if (!(Number.isInteger(retries) && retries >= 0)) throw usageError(`--retries must be a whole number, not ${retries}.`);
    if (request.outputDir !== undefined && /[\n\0]/.test(request.outputDir)) throw usageError('--output-dir must be a path on one line.');
    // pull lands the recorded dir under the workspace: `..` or an absolute path would write outside it
    if (request.outputDir !== undefined && !checkConfigValue('ORCH_OUTPUT_DIR', request.outputDir).ok) {
      throw usageError(`--output-dir must be a relative directory (under the remote workdir) without "..", got "${request.outputDir}".`);
    }
    refuseSlurmFlags(request.slurm, this.slurm, this.host);
    const sbatch = this.slurm ? slurmFields(request.slurm, maxHours) : undefined;
    const workdir = this.workdir(request);
    const gpus = request.gpus;
    if (gpus !== undefined) {
      if (!(Number.isInteger(gpus) && gpus >= 1)) throw usageError(`--gpus must be a whole number from 1, not ${gpus}.`);
      // A declared inventory is known here: refuse before anything is sent.
      if (!this.slurm && this.config.gpus !== undefined && gpus > this.config.gpus) throw usageError(this.tooManyGpus(gpus, this.config.gpus));
    }
    const guard = hostGuardrails(request.guardrails);
    const meta = JSON.stringify({
      name: request.name,
      command: request.command,
      workdir,
      createdAt: (this.options.now?.() ?? new Date()).toISOString(),
      outputDir: request.outputDir ?? null,
      maxHours: maxHours ?? null,
      route: request.route ?? null,
      placement: request.placement ?? null,
      gpus: gpus ?? null,
      attempt: 1,
      host: this.host,
      retries,
      guardrails: guard.meta,
      env: Object.keys(request.env ?? {}),
      ports: request.ports ?? [],
      ...(sbatch ? { slurm: request.slurm ?? {} } : {}),
    });
    const fields = {
      name: request.name,
      workdir,
      force: request.force ? '1' : '0',
      meta,
      // On Slurm the time limit (--time) and the scheduler replace the runner's watchdog and slots.
      maxsec: maxHours === undefined || sbatch ? '' : Math.max(0.001, maxHours * 3600).toFixed(3),
      maxpar: this.config.maxParallel === undefined || sbatch ? '' : String(this.config.maxParallel),
      retries: retries === 0 ? '' : String(retries),
      hook: this.config.slackWebhookUrl ?? '',
      days: String(this.config.logRetentionDays),
      backoff: guard.backoff,
      retryExit: guard.retryExit,
      noRetry: guard.noRetry,
      watch: guard.watch,
      stopOnMatch: guard.stopOnMatch ? '1' : '0',
      rollbackOnRetry: guard.rollbackOnRetry ? '1' : '0',
      logMode: this.config.logMode,
      env: encodeJobEnv(request.env ?? {}),
      gpus: gpus === undefined ? '' : String(gpus),
      gpuInventory: this.config.gpus === undefined || sbatch ? '' : String(this.config.gpus),
      outputDir: request.outputDir ?? '',
      // Autostop is a tmux host's (a Slurm login node is not ours to power off).
      idle: sbatch ? '' : autostopField(this.config),
      // CloudWatch (PRODUCT.md §7): an EC2 box ships to its own region; else the box's AWS config decides.
      cloudwatch: cloudWatchField(request.cloudwatch ?? this.config.cloudwatch, this.config.ec2?.region),
    };
    const root = this.config.logRoot;
    const rest = { rest: request.command };
    const res = sbatch
      ? await callHost(this.target, 'slurmRun', root, { ...fields, ...sbatch }, rest)
      : await callHost(this.target, 'run', root, fields, rest);
    const host = this.host;
    switch (res.code) {
      case 0:
        break;
      case HostExit.noAws:
        throw new UserError(
          `--cloudwatch ships the log from ${host} with its AWS CLI, but "aws" is not on the PATH ${host === 'local' ? 'of a shell here' : 'of an SSH session there'}; install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html, or "sudo apt-get install -y awscli") or run without --cloudwatch; nothing was started.`,
        );
      case HostExit.noTmux:
        throw new UserError(
          `tmux is not installed on ${host}; install it with "sudo apt-get install -y tmux" (Debian/Ubuntu) or "sudo dnf install -y tmux" (Amazon Linux).`,
        );
      case HostExit.running:
        throw usageError(`A job named ${request.name} is already running on ${host}; pick another name or stop it first.`);
      case HostExit.logExists:
        throw usageError(
          `A log for ${request.name} already exists on ${host} (${res.stderr.trim()}); use --force to keep it renamed and start anew.`,
          'log-exists',
        );
      case HostExit.writeFailed:
        throw new UserError(
          `Could not write the job files of ${request.name} on ${host} (is the disk full?): ${lastLine(res.stderr)}; nothing was started.`,
        );
      case HostExit.tmuxFailed:
        throw this.hostFailure(`start the tmux session ${request.name}; nothing was started`, res);
      case HostExit.tooManyGpus:
        throw usageError(this.tooManyGpus(gpus ?? 0, Number(res.stderr.trim()) || 0));
      case HostExit.badName:
        throw usageError(`The host refused the job name ${request.name}.`);
      case HostExit.outputOwned: {
        // PRODUCT.md §6: while a job runs its output dir is its own
        const [owner = '?', theirs = '', mine = ''] = res.stderr.trim().split('\n');
        const overlap = theirs === mine ? '' : ` (its output dir ${theirs} overlaps ${mine})`;
        throw usageError(`The output dir ${request.outputDir} on ${host} belongs to job ${owner}, which is still active${overlap}; pick another --output-dir, or stop ${owner} first.`);
      }
      case HostExit.noSlurm:
        throw this.noSlurm();
      case HostExit.submitFailed:
        throw usageError(`Slurm on ${host} refused ${request.name}: ${lastLine(res.stderr)}; nothing was started.`);
      default:
        throw this.hostFailure(`start ${request.name}`, res);
    }
    const job = jobsOf(parseReport(res.stdout), host)[0];
    if (!job) throw this.hostFailure(`read back the job ${request.name}`, res);
    return job;
  }

  /** `activeOnly`: the host skips jobs with an exit marker (they cannot be active). */
  private async report(only: string, activeOnly = false): Promise<Job[]> {
    const fields = { name: only, mode: activeOnly ? 'active' : '' };
    const res = await callHost(this.target, this.slurm ? 'slurmList' : 'list', this.config.logRoot, fields);
    if (this.slurm) this.checkSlurm(res);
    if (res.code !== 0) throw this.hostFailure('list the jobs', res);
    return jobsOf(parseReport(res.stdout), this.host);
  }

  list(): Promise<Job[]> {
    return this.report('');
  }

  async status(): Promise<Job[]> {
    // Jobs without an exit marker that are not active (a vanished session, a stop without an
    // exit line) still come back from the host; the state decides.
    return (await this.report('', true)).filter((j) => isActive(j.state));
  }

  async get(name: string): Promise<Job | undefined> {
    this.checkName(name);
    return (await this.report(name))[0];
  }

  async readLog(name: string, options: LogReadOptions = {}): Promise<Buffer> {
    return (await this.execReadLog(name, options)).stdout;
  }

  async writeLog(name: string, out: Writable, options: LogReadOptions = {}): Promise<void> {
    await this.execReadLog(name, options, out);
  }

  private async execReadLog(name: string, options: LogReadOptions, out?: Writable): Promise<ExecResult> {
    this.checkName(name);
    const lines = options.tailLines;
    if (lines !== undefined && !(Number.isInteger(lines) && lines >= 0)) {
      throw usageError(`The number of lines must be a whole number, not ${lines}.`);
    }
    const attempt = options.attempt;
    if (attempt !== undefined && !(Number.isInteger(attempt) && attempt >= 1)) {
      throw usageError(`The attempt must be a whole number from 1, not ${attempt}.`);
    }
    const fields = { name, lines: lines === undefined ? '' : String(lines), attempt: attempt === undefined ? '' : String(attempt), pack: this.pack };
    const res = await readPacked((stdout) => callHost(this.target, 'readLog', this.config.logRoot, fields, { stdout }), out);
    if (res.code === HostExit.notFound) throw this.notFound(name);
    if (res.code === HostExit.noAttempt) throw new UserError(`${name} on ${this.host} has no attempt ${attempt}.`, { exitCode: 1 });
    if (res.code !== 0) throw this.hostFailure(`read the log of ${name}`, res);
    return res;
  }

  async follow(name: string, options: FollowOptions): Promise<Job> {
    this.checkName(name);
    const from = options.fromByte ?? 0;
    if (!(Number.isInteger(from) && from >= 0)) throw usageError(`The byte offset must be a whole number, not ${from}.`);
    return followLog({
      target: this.target,
      name,
      fromByte: from,
      root: this.config.logRoot,
      pack: this.pack,
      get: () => this.get(name),
      notFound: () => this.notFound(name),
      options,
      reconnectWindowMs: this.options.reconnectWindowMs ?? 60_000,
    });
  }

  async stop(name: string, reason?: string): Promise<Job> {
    return (await this.stopJob(name, reason)).job;
  }

  async stopJob(name: string, reason = 'stopped with orch stop'): Promise<{ job: Job; hadEnded: boolean }> {
    this.checkName(name);
    const fields = { name, reason };
    const res = await callHost(this.target, this.slurm ? 'slurmStop' : 'stop', this.config.logRoot, fields);
    if (this.slurm) this.checkSlurm(res);
    if (res.code === HostExit.notFound) throw this.notFound(name);
    const hadEnded = res.code === HostExit.alreadyEnded;
    if (res.code !== 0 && !hadEnded) throw this.hostFailure(`stop ${name}`, res);
    const job = jobsOf(parseReport(res.stdout), this.host)[0];
    if (!job) throw this.notFound(name);
    return { job, hadEnded };
  }

  async stopAll(reason = 'stopped with orch stop --all (guardrail L4)'): Promise<Job[]> {
    const fields = { reason, hook: this.config.slackWebhookUrl ?? '' };
    const res = await callHost(this.target, this.slurm ? 'slurmStopAll' : 'stopAll', this.config.logRoot, fields);
    if (this.slurm) this.checkSlurm(res);
    if (res.code !== 0) throw this.hostFailure('stop the jobs', res);
    return jobsOf(parseReport(res.stdout), this.host);
  }

  async rollback(name: string, options: RollbackOptions = {}): Promise<RollbackResult> {
    this.checkName(name);
    const res = await callHost(this.target, 'rollback', this.config.logRoot, {
      name,
      mode: options.dryRun ? 'check' : 'reset',
      want: options.expectCommit ?? '',
    });
    const fields = pairs(res.stdout);
    const workdir = fields.workdir?.trim() ?? '';
    const commit = fields.commit?.trim() ?? '';
    const where = `${this.host}:${workdir}`;
    const refuse = (why: string) => new UserError(`Cannot roll back ${name}: ${why}.`, { exitCode: 1 });
    switch (res.code) {
      case 0:
        return { job: name, host: this.host, workdir, commit, reset: !options.dryRun };
      case HostExit.notFound:
        throw this.notFound(name);
      case HostExit.active:
        throw refuse('it is still running (stop it first with orch stop ' + name + ')');
      case HostExit.noCommit:
        throw refuse(`no commit was recorded before it (its workdir ${where} was not a git repository when it started)`);
      case HostExit.notRepo:
        throw refuse(`its workdir ${where} is no longer a git repository`);
      case HostExit.notTop:
        throw refuse(`its workdir ${where} is inside a larger git repository, and a reset would change files outside it`);
      case HostExit.changedCommit:
        throw refuse(`its recorded commit is now ${commit.slice(0, 12)}, not ${options.expectCommit?.slice(0, 12)} (was it run again?); nothing was changed`);
      case HostExit.commitGone:
        throw refuse(`the recorded commit ${commit.slice(0, 12)} no longer exists in ${where}`);
      case HostExit.resetFailed:
        throw this.hostFailure(`reset ${where} to ${commit.slice(0, 12)}`, res);
      default:
        throw this.hostFailure(`roll back ${name}`, res);
    }
  }

  probe(): Promise<HostProbe> {
    return probeHost(this.target, this.config.logRoot);
  }

  async autostop(): Promise<AutostopStatus | undefined> {
    const res = await callHost(this.target, 'autostop', this.config.logRoot, {});
    if (res.code !== 0) throw this.hostFailure('read the idle clock', res);
    return parseAutostop(res.stdout);
  }

  close(): Promise<void> {
    return this.target.close();
  }
}
