import type { Engine, FollowOptions, GuardedRunRequest } from '../engine/api';
import type { ShellTarget } from '../../host/target';
import { errorMessage } from '../errors';
import { Emitter, type Disposable } from '../events';
import type { Job } from './model';
import { isActive } from './model';
import { watchLogRoot } from '../../host/watchLogRoot';
import type { HostName } from './where';

/** An engine with the target it runs on (the same connection serves sync, pull and the change watch). */
export interface OpenedEngine {
  engine: Engine;
  target: ShellTarget;
  logRoot: string;
  /**
   * How many GPUs the host has (hosts.yaml `gpus:`, else `nvidia-smi -L` there); undefined when
   * it cannot be told (a Slurm cluster hands out GPUs itself). Asked once per engine.
   */
  gpuInventory?: () => Promise<number | undefined>;
}

/** Opens an engine on first need (the SSH connection is made by its first call, not here). */
export type EngineOpener = (host: HostName) => Promise<OpenedEngine>;

export interface JobsLog {
  info(message: string): void;
  warn(message: string): void;
}

export interface JobsSnapshot {
  jobs: readonly Job[];
  /** Hosts listed (one engine each), in order. */
  hosts: readonly string[];
  /** Per-host error from the last refresh (e.g. the host is unreachable). */
  errors: ReadonlyMap<string, string>;
  /** Hosts whose jobs are the last ones known: their latest listing failed. */
  stale: ReadonlySet<string>;
  /** False until the first refresh finished. */
  loaded: boolean;
  /** Each host's GPU inventory, where it has GPUs and it is known (the tree shows the free ones). */
  gpus: ReadonlyMap<string, number>;
}

/** The longest one watch exec waits on the host before it is renewed. */
export const WATCH_LIMIT_SECONDS = 300;
/** Pause after a failed watch (host unreachable), growing to the maximum. */
export const WATCH_RETRY_MS = [2_000, 5_000, 10_000, 30_000];

const key = (j: Pick<Job, 'name' | 'host'>): string => `${j.host}\0${j.name}`;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

/**
 * Holds one Engine per target, created lazily, and the last job list read from them. Every
 * change (own action or refresh) is announced through `onDidChange`; views draw from `snapshot`.
 * A host that cannot be read keeps its last known jobs (marked stale) beside its error. While an
 * engine is open, one long-lived exec on its connection waits for the log root to change (see
 * src/host/ops/watch-log-root.sh), so jobs started elsewhere appear without polling.
 */
export class JobsService implements Disposable {
  private readonly engines = new Map<HostName, Promise<OpenedEngine>>();
  private readonly watches = new Map<HostName, AbortController>();
  private readonly changed = new Emitter<JobsSnapshot>();
  readonly onDidChange = this.changed.event;
  private readonly listedEvent = new Emitter<JobsSnapshot>();
  /** After every listing, changed or not (what rides along with a listing, e.g. an EC2 box's idle clock). */
  readonly onDidList = this.listedEvent.event;
  private current: JobsSnapshot = { jobs: [], hosts: [], errors: new Map(), stale: new Set(), loaded: false, gpus: new Map() };
  /** Each engine's GPU inventory once read (a failed read is asked again at the next refresh). */
  private readonly inventories = new Map<HostName, number | undefined>();
  private inFlight: Promise<void> | undefined;
  private again = false;
  private generation = 0;

  constructor(
    private readonly open: EngineOpener,
    /** Which targets the tree lists (called at every refresh; depends on configuration). */
    private readonly listedHosts: () => Promise<HostName[]>,
    private readonly log: JobsLog,
    private readonly options: { watch?: boolean } = {},
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

  private opened(host: HostName): Promise<OpenedEngine> {
    let e = this.engines.get(host);
    if (!e) {
      const p = this.open(host);
      e = p;
      this.engines.set(host, p);
      p.then(
        (o) => this.engines.get(host) === p && this.startWatch(host, o),
        () => this.engines.get(host) === p && this.engines.delete(host),
      );
    }
    return e;
  }

  async engine(host: HostName): Promise<Engine> {
    return (await this.opened(host)).engine;
  }

  /** The shell target of an engine (its connection), for uploads and downloads. */
  async target(host: HostName): Promise<ShellTarget> {
    return (await this.opened(host)).target;
  }

  private async openedOf(job: Pick<Job, 'host'>): Promise<OpenedEngine> {
    for (const [, p] of this.engines) {
      const o = await p.catch(() => undefined);
      if (o && o.engine.host === job.host) return o;
    }
    return this.opened(job.host);
  }

  /** The engine that owns a job listed in the tree. */
  async engineOf(job: Pick<Job, 'host'>): Promise<Engine> {
    return (await this.openedOf(job)).engine;
  }

  async targetOf(job: Pick<Job, 'host'>): Promise<ShellTarget> {
    return (await this.openedOf(job)).target;
  }

  /** Re-reads every listed target (one `list` round trip each); concurrent calls coalesce. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.again = true;
      return this.inFlight;
    }
    // The loop's last check and the clearing happen in one step: a request made after `finally`
    // was scheduled but before it ran would otherwise be dropped (seen with the change watch).
    this.inFlight = (async () => {
      try {
        do {
          this.again = false;
          await this.readAll();
        } while (this.again);
      } finally {
        this.inFlight = undefined;
      }
    })();
    return this.inFlight;
  }

  private async readAll(): Promise<void> {
    const gen = this.generation;
    const names = new Set<HostName>(await this.listedHosts());
    for (const k of this.engines.keys()) names.add(k);
    const results = await Promise.all(
      [...names].map(async (name) => {
        let host: string = name;
        try {
          const o = await this.opened(name);
          host = o.engine.host;
          const [jobs, gpus] = await Promise.all([o.engine.list(), this.inventory(name, o)]);
          return { host, jobs, gpus };
        } catch (e) {
          this.log.warn(`listing jobs on ${host} failed: ${errorMessage(e)}`);
          return { host, jobs: undefined, error: errorMessage(e) };
        }
      }),
    );
    if (gen !== this.generation) return; // configuration changed meanwhile: that refresh wins
    const errors = new Map<string, string>();
    const stale = new Set<string>();
    const jobs: Job[] = [];
    const gpus = new Map<string, number>();
    for (const r of results) {
      const inventory = 'gpus' in r ? r.gpus : this.current.gpus.get(r.host);
      if (inventory) gpus.set(r.host, inventory);
      if (r.jobs) {
        jobs.push(...r.jobs);
        continue;
      }
      errors.set(r.host, r.error ?? 'unknown error');
      // A failed listing says nothing about the jobs: keep the last known ones, marked stale.
      const last = this.current.jobs.filter((j) => j.host === r.host);
      if (last.length) stale.add(r.host);
      jobs.push(...last);
    }
    this.set({ jobs, hosts: results.map((r) => r.host), errors, stale, loaded: true, gpus });
    this.listedEvent.fire(this.current);
  }

  /** The host's GPU count, read beside its first listing; a failure leaves it unknown, asked again next time. */
  private async inventory(name: HostName, o: OpenedEngine): Promise<number | undefined> {
    if (this.inventories.has(name) || !o.gpuInventory) return this.inventories.get(name);
    try {
      const n = await o.gpuInventory();
      this.inventories.set(name, n);
      return n;
    } catch (e) {
      this.log.warn(`reading the GPUs of ${o.engine.host} failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private set(s: JobsSnapshot): void {
    // A listing that changed nothing sends no event: every event redraws the tree, and VS Code
    // hands an inline action clicked during a redraw no row (microsoft/vscode#144250), so Stop
    // asked "Job to stop" instead of stopping the row clicked.
    const same = sameSnapshot(this.current, s);
    this.current = s;
    if (!same) this.changed.fire(s);
  }

  /** Puts a job the engine just returned into the snapshot at once (no round trip). */
  upsert(job: Job): void {
    this.upsertAll([job]);
  }

  /** Puts jobs the engine just returned into the snapshot, in one change. */
  upsertAll(changed: readonly Job[]): void {
    if (changed.length === 0) return;
    const fresh = new Map(changed.map((j) => [key(j), j]));
    const jobs = this.current.jobs.map((j) => fresh.get(key(j)) ?? j);
    const known = new Set(this.current.jobs.map(key));
    const added = changed.filter((j) => !known.has(key(j)));
    const hosts = [...this.current.hosts, ...new Set(added.map((j) => j.host).filter((h) => !this.current.hosts.includes(h)))];
    this.set({ ...this.current, hosts, jobs: [...added, ...jobs] });
  }

  async run(host: HostName, request: GuardedRunRequest): Promise<Job> {
    const job = await (await this.engine(host)).run(request);
    this.upsert(job);
    void this.refresh();
    return job;
  }

  /** `reason`: what the job's record says stopped it (the engine's default names orch stop). */
  async stop(job: Pick<Job, 'name' | 'host'>, reason?: string): Promise<Job> {
    const stopped = await (await this.engineOf(job)).stop(job.name, reason);
    this.upsert(stopped);
    void this.refresh();
    return stopped;
  }

  async stopAll(reason?: string): Promise<Job[]> {
    const stopped: Job[] = [];
    for (const [, p] of this.engines) {
      const o = await p.catch(() => undefined);
      if (o) stopped.push(...(await o.engine.stopAll(reason)));
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

  /** Re-reads one job from its host and puts it into the snapshot (undefined: it is gone). */
  async reread(job: Pick<Job, 'name' | 'host'>): Promise<Job | undefined> {
    const fresh = await (await this.engineOf(job)).get(job.name);
    if (fresh) this.upsert(fresh);
    return fresh;
  }

  /**
   * Waits on the host for the log root to change and refreshes when it does. A failure (host
   * unreachable) is retried after a growing pause; the first watch that works again refreshes,
   * which clears the stale marks without anyone pressing Retry.
   */
  private startWatch(host: HostName, o: OpenedEngine): void {
    if (this.options.watch === false || this.watches.has(host)) return;
    const abort = new AbortController();
    this.watches.set(host, abort);
    void (async () => {
      let seen = '';
      let failures = 0;
      while (!abort.signal.aborted) {
        try {
          const next = await watchLogRoot(o.target, o.logRoot, seen, WATCH_LIMIT_SECONDS, abort.signal);
          if (next === null) break;
          // The first answer is the baseline (the refresh that opened the engine read the jobs),
          // unless a failure came before it: then the tree has catching up to do.
          if ((seen !== '' && next !== seen) || failures > 0) void this.refresh();
          if (failures > 0) this.log.info(`watching ${o.engine.host} again`);
          failures = 0;
          seen = next;
        } catch (e) {
          if (abort.signal.aborted) break;
          if (failures === 0) this.log.warn(`watching ${o.engine.host} for new jobs failed: ${errorMessage(e)}`);
          const pause = WATCH_RETRY_MS[Math.min(failures, WATCH_RETRY_MS.length - 1)];
          failures++;
          seen = '';
          await sleep(pause, abort.signal);
        }
      }
    })();
  }

  /** Configuration changed: close every engine; the next call opens new ones. */
  async reset(refreshAfter = true): Promise<void> {
    this.generation++;
    for (const w of this.watches.values()) w.abort();
    this.watches.clear();
    const old = [...this.engines.values()];
    this.engines.clear();
    this.inventories.clear();
    this.set({ jobs: [], hosts: [], errors: new Map(), stale: new Set(), loaded: false, gpus: new Map() });
    await Promise.all(old.map(async (p) => (await p.catch(() => undefined))?.engine.close().catch(() => undefined)));
    if (refreshAfter) void this.refresh();
  }

  dispose(): void {
    void this.reset(false);
    this.changed.dispose();
    this.listedEvent.dispose();
  }
}

function sameSnapshot(a: JobsSnapshot, b: JobsSnapshot): boolean {
  const entries = (m: ReadonlyMap<string, unknown>): string => JSON.stringify([...m].sort());
  return (
    a.loaded === b.loaded &&
    JSON.stringify(a.hosts) === JSON.stringify(b.hosts) &&
    entries(a.errors) === entries(b.errors) &&
    JSON.stringify([...a.stale].sort()) === JSON.stringify([...b.stale].sort()) &&
    entries(a.gpus) === entries(b.gpus) &&
    a.jobs.length === b.jobs.length &&
    JSON.stringify(a.jobs) === JSON.stringify(b.jobs)
  );
}
