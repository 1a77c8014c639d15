import * as vscode from 'vscode';
import type { Engine, FollowOptions, GuardedRunRequest } from '../core/engine/api';
import { errorMessage } from '../core/errors';
import type { Job } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';

/** Which engine: `local` (the local tmux server), or a host by its name (hosts.yaml, else ORCH_HOST). */
export type TargetKind = string;

/** Opens an engine on first need (the SSH connection is made by its first call, not here). */
export type EngineOpener = (kind: TargetKind) => Promise<Engine>;

export interface JobsSnapshot {
  jobs: readonly Job[];
  /** Hosts listed (one engine each), in order. */
  hosts: readonly string[];
  /** Per-host error from the last refresh (e.g. the host is unreachable). */
  errors: ReadonlyMap<string, string>;
  /** False until the first refresh finished. */
  loaded: boolean;
}

/**
 * Holds one Engine per target, created lazily, and the last job list read from them. Every
 * change (own action or refresh) is announced through `onDidChange`; views draw from `snapshot`.
 */
export class JobsService implements vscode.Disposable {
  private readonly engines = new Map<TargetKind, Promise<Engine>>();
  private readonly changed = new vscode.EventEmitter<JobsSnapshot>();
  readonly onDidChange = this.changed.event;
  private current: JobsSnapshot = { jobs: [], hosts: [], errors: new Map(), loaded: false };
  private inFlight: Promise<void> | undefined;
  private again = false;
  private generation = 0;

  constructor(
    private readonly open: EngineOpener,
    /** Which targets the tree lists (called at every refresh; depends on configuration). */
    private readonly listedKinds: () => Promise<TargetKind[]>,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  get snapshot(): JobsSnapshot {
    return this.current;
  }

  get runningCount(): number {
    return this.current.jobs.filter((j) => j.state === 'RUNNING').length;
  }

  get anyActive(): boolean {
    return this.current.jobs.some((j) => isActive(j.state));
  }

  engine(kind: TargetKind): Promise<Engine> {
    let e = this.engines.get(kind);
    if (!e) {
      e = this.open(kind);
      this.engines.set(kind, e);
      e.catch(() => this.engines.delete(kind));
    }
    return e;
  }

  /** The engine that owns a job listed in the tree. */
  async engineOf(job: Pick<Job, 'host'>): Promise<Engine> {
    for (const [, p] of this.engines) {
      const e = await p.catch(() => undefined);
      if (e && e.host === job.host) return e;
    }
    return this.engine(job.host);
  }

  /** Re-reads every listed target (one `list` round trip each); concurrent calls coalesce. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    this.inFlight = (async () => {
      do {
        this.again = false;
        await this.readAll();
      } while (this.again);
    })().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async readAll(): Promise<void> {
    const gen = this.generation;
    const kinds = new Set<TargetKind>(await this.listedKinds());
    for (const k of this.engines.keys()) kinds.add(k);
    const results = await Promise.all(
      [...kinds].map(async (kind) => {
        let host: string = kind;
        try {
          const engine = await this.engine(kind);
          host = engine.host;
          return { host, jobs: await engine.list() };
        } catch (e) {
          this.log.warn(`listing jobs on ${host} failed: ${errorMessage(e)}`);
          // Jobs that had ended stay listed while their host is away (a stopped box): their
          // logs can still be shown from the local cache.
          const ended = this.current.jobs.filter((j) => j.host === host && !isActive(j.state));
          return { host, jobs: ended, error: errorMessage(e) };
        }
      }),
    );
    if (gen !== this.generation) return; // configuration changed meanwhile: that refresh wins
    const errors = new Map<string, string>();
    for (const r of results) if (r.error) errors.set(r.host, r.error);
    this.set({ jobs: results.flatMap((r) => r.jobs), hosts: results.map((r) => r.host), errors, loaded: true });
  }

  private set(s: JobsSnapshot): void {
    this.current = s;
    this.changed.fire(s);
  }

  /** Puts a job the engine just returned into the snapshot at once (no round trip). */
  upsert(job: Job): void {
    this.upsertAll([job]);
  }

  /** Puts jobs the engine just returned into the snapshot, in one change. */
  upsertAll(changed: readonly Job[]): void {
    if (changed.length === 0) return;
    const fresh = new Map(changed.map((j) => [`${j.host}\0${j.name}`, j]));
    const jobs = this.current.jobs.map((j) => fresh.get(`${j.host}\0${j.name}`) ?? j);
    const known = new Set(this.current.jobs.map((j) => `${j.host}\0${j.name}`));
    const added = changed.filter((j) => !known.has(`${j.host}\0${j.name}`));
    const hosts = [...this.current.hosts, ...new Set(added.map((j) => j.host).filter((h) => !this.current.hosts.includes(h)))];
    this.set({ ...this.current, hosts, jobs: [...added, ...jobs] });
  }

  async run(kind: TargetKind, request: GuardedRunRequest): Promise<Job> {
    const job = await (await this.engine(kind)).run(request);
    this.upsert(job);
    void this.refresh();
    return job;
  }

  async stop(job: Pick<Job, 'name' | 'host'>): Promise<Job> {
    const stopped = await (await this.engineOf(job)).stop(job.name);
    this.upsert(stopped);
    void this.refresh();
    return stopped;
  }

  async stopAll(): Promise<Job[]> {
    const stopped: Job[] = [];
    for (const [, p] of this.engines) {
      const engine = await p.catch(() => undefined);
      if (engine) stopped.push(...(await engine.stopAll()));
    }
    this.upsertAll(stopped);
    void this.refresh();
    return stopped;
  }

  async follow(job: Pick<Job, 'name' | 'host'>, options: FollowOptions): Promise<Job> {
    const final = await (await this.engineOf(job)).follow(job.name, options);
    this.upsert(final);
    return final;
  }

  find(name: string, host?: string): Job | undefined {
    return this.current.jobs.find((j) => j.name === name && (host === undefined || j.host === host));
  }

  /** Configuration changed: close every engine; the next call opens new ones. */
  async reset(refreshAfter = true): Promise<void> {
    this.generation++;
    const old = [...this.engines.values()];
    this.engines.clear();
    this.set({ jobs: [], hosts: [], errors: new Map(), loaded: false });
    await Promise.all(old.map(async (p) => (await p.catch(() => undefined))?.close().catch(() => undefined)));
    if (refreshAfter) void this.refresh();
  }

  dispose(): void {
    void this.reset(false);
    this.changed.dispose();
  }
}
