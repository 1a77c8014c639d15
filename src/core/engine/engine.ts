/**
 * The job engine for one target host (api.ts). It keeps no state of its own: every call is one
 * script on the host (hostScripts.ts) with its data on stdin, and every answer is read back from
 * the log root, so any laptop or CLI call sees the same jobs.
 */
import type { OrchConfig } from '../config/types';
import { UserError, usageError } from '../errors';
import { isActive, type Job, type RunRequest } from '../jobs/model';
import type { Engine, FollowOptions, LogReadOptions } from './api';
import { followLog } from './follow';
import { HOST_LIB, HOST_LIB_NAME } from './hostLib';
import { HostExit, LIST_SCRIPT, READ_LOG_SCRIPT, RUN_SCRIPT, STOP_SCRIPT } from './hostScripts';
import { jobsOf, parseReport } from './state';
import type { ExecResult, ShellTarget } from './target';

export interface EngineOptions {
  /** Clock for createdAt (tests). */
  now?: () => Date;
  /** How long a follow keeps trying to reconnect before giving up. Default 60 s. */
  reconnectWindowMs?: number;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$/;

export function createEngine(config: OrchConfig, target: ShellTarget, options: EngineOptions = {}): Engine {
  return new HostEngine(config, target, options);
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

/** stdin for a host script: NUL-terminated fields, then an optional rest. */
export function encodeFields(fields: string[], rest?: string): Buffer {
  for (const f of fields) {
    if (f.includes('\0')) throw usageError('A value sent to the host contains a NUL character, which a shell cannot carry.');
  }
  return Buffer.from(fields.map((f) => `${f}\0`).join('') + (rest ?? ''), 'utf8');
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

  private checkName(name: string): void {
    if (!NAME_PATTERN.test(name)) {
      throw usageError(
        `Invalid job name "${name}": use letters, digits, "-" and "_", start with a letter or digit, at most 80 characters.`,
      );
    }
  }

  private notFound(name: string): UserError {
    return new UserError(`There is no job named ${name} on ${this.host}.`, { exitCode: 1 });
  }

  private hostFailure(what: string, res: ExecResult): UserError {
    const detail = lastLine(res.stderr);
    return new UserError(`Could not ${what} on ${this.host} (exit ${res.code})${detail ? `: ${detail}` : ''}.`);
  }

  private workdir(request: RunRequest): string {
    return (request.workdir ?? this.config.remoteWorkdir).replace('<project>', this.config.project);
  }

  async run(request: RunRequest): Promise<Job> {
    this.checkName(request.name);
    if (request.command.trim() === '') throw usageError('The command to run is empty.');
    if (request.command.includes('\0')) throw usageError('The command contains a NUL character, which bash cannot run.');
    const maxHours = request.maxHours;
    if (maxHours !== undefined && !(Number.isFinite(maxHours) && maxHours > 0)) {
      throw usageError(`--max-hours must be a positive number of hours, not ${maxHours}.`);
    }
    const retries = request.retries ?? this.config.retries ?? 0;
    if (!(Number.isInteger(retries) && retries >= 0)) throw usageError(`--retries must be a whole number, not ${retries}.`);
    const workdir = this.workdir(request);
    const meta = JSON.stringify({
      name: request.name,
      command: request.command,
      workdir,
      createdAt: (this.options.now?.() ?? new Date()).toISOString(),
      outputDir: request.outputDir ?? null,
      maxHours: maxHours ?? null,
      route: request.route ?? null,
      attempt: 1,
      host: this.host,
    });
    const stdin = encodeFields(
      [
        this.config.logRoot,
        request.name,
        workdir,
        request.force ? '1' : '0',
        meta,
        maxHours === undefined ? '' : Math.max(0.001, maxHours * 3600).toFixed(3),
        this.config.maxParallel === undefined ? '' : String(this.config.maxParallel),
        retries === 0 ? '' : String(retries),
        this.config.slackWebhookUrl ?? '',
        String(this.config.logRetentionDays),
        HOST_LIB_NAME,
        HOST_LIB,
      ],
      request.command,
    );
    const res = await this.target.exec(RUN_SCRIPT, { stdin });
    const host = this.host;
    switch (res.code) {
      case 0:
        break;
      case HostExit.noTmux:
        throw new UserError(
          `tmux is not installed on ${host}; install it with "sudo apt-get install -y tmux" (Debian/Ubuntu) or "sudo dnf install -y tmux" (Amazon Linux).`,
        );
      case HostExit.running:
        throw usageError(`A job named ${request.name} is already running on ${host}; pick another name or stop it first.`);
      case HostExit.logExists:
        throw usageError(
          `A log for ${request.name} already exists on ${host} (${res.stderr.trim()}); use --force to keep it renamed and start anew.`,
        );
      case HostExit.writeFailed:
        throw new UserError(
          `Could not write the job files of ${request.name} on ${host} (is the disk full?): ${lastLine(res.stderr)}; nothing was started.`,
        );
      case HostExit.tmuxFailed:
        throw this.hostFailure(`start the tmux session ${request.name}; nothing was started`, res);
      case HostExit.badName:
        throw usageError(`The host refused the job name ${request.name}.`);
      default:
        throw this.hostFailure(`start ${request.name}`, res);
    }
    const job = jobsOf(parseReport(res.stdout), host)[0];
    if (!job) throw this.hostFailure(`read back the job ${request.name}`, res);
    return job;
  }

  private async report(only: string): Promise<Job[]> {
    const res = await this.target.exec(LIST_SCRIPT, { stdin: encodeFields([this.config.logRoot, only]) });
    if (res.code !== 0) throw this.hostFailure('list the jobs', res);
    return jobsOf(parseReport(res.stdout), this.host);
  }

  list(): Promise<Job[]> {
    return this.report('');
  }

  async status(): Promise<Job[]> {
    return (await this.report('')).filter((j) => isActive(j.state));
  }

  async get(name: string): Promise<Job | undefined> {
    this.checkName(name);
    return (await this.report(name))[0];
  }

  async readLog(name: string, options: LogReadOptions = {}): Promise<Buffer> {
    this.checkName(name);
    const lines = options.tailLines;
    if (lines !== undefined && !(Number.isInteger(lines) && lines >= 0)) {
      throw usageError(`The number of lines must be a whole number, not ${lines}.`);
    }
    const stdin = encodeFields([this.config.logRoot, name, lines === undefined ? '' : String(lines)]);
    const res = await this.target.exec(READ_LOG_SCRIPT, { stdin });
    if (res.code === HostExit.notFound) throw this.notFound(name);
    if (res.code !== 0) throw this.hostFailure(`read the log of ${name}`, res);
    return res.stdout;
  }

  async follow(name: string, options: FollowOptions): Promise<Job> {
    this.checkName(name);
    const from = options.fromByte ?? 0;
    if (!(Number.isInteger(from) && from >= 0)) throw usageError(`The byte offset must be a whole number, not ${from}.`);
    return followLog({
      target: this.target,
      name,
      fromByte: from,
      stdinFor: (offset) => encodeFields([this.config.logRoot, name, String(offset)]),
      get: () => this.get(name),
      notFound: () => this.notFound(name),
      options,
      reconnectWindowMs: this.options.reconnectWindowMs ?? 60_000,
    });
  }

  async stop(name: string): Promise<Job> {
    this.checkName(name);
    const stdin = encodeFields([this.config.logRoot, name, HOST_LIB_NAME, HOST_LIB, 'stopped with orch stop']);
    const res = await this.target.exec(STOP_SCRIPT, { stdin });
    if (res.code === HostExit.notFound) throw this.notFound(name);
    if (res.code !== 0) throw this.hostFailure(`stop ${name}`, res);
    const job = jobsOf(parseReport(res.stdout), this.host)[0];
    if (!job) throw this.notFound(name);
    return job;
  }

  async stopAll(): Promise<Job[]> {
    const active = await this.status();
    return Promise.all(active.map((j) => this.stop(j.name)));
  }

  close(): Promise<void> {
    return this.target.close();
  }
}
