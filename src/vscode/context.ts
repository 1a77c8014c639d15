import * as vscode from 'vscode';
import { CompletionNotices } from './completionNotices';
import { ConfigService } from './config';
import { DisposableStore } from './disposables';
import { engineOpener } from './engines';
import { JobMarks } from './guardrailMarks';
import { LogWatches } from './guardrails';
import { JobLogChannels } from './logChannels';
import { LOCAL_HOST, type HostName } from '../core/jobs/where';
import { JobsService } from '../core/jobs/jobsService';
import { TextChannel } from './textChannel';
import { BoxService } from './boxes';
import { PortForwards } from './portForwards';
import { LogCache, logCacheDir } from '../core/logCache/logCache';
import { setContext } from './setContext';

/** The same cache dir as the CLI's (so a log read by either shows offline in both); the size is the setting's. */
function logCacheOf(mb: number): LogCache {
  return new LogCache(logCacheDir(process.env), Math.floor(mb * 1024 * 1024));
}

const USE_LOCAL_KEY = 'cloudJobs.useLocalTarget';

/**
 * The extension's state, in one object that owns every disposable (extension lifetime).
 * Views, commands and providers receive it; nothing else holds state.
 */
export class CloudJobs implements vscode.Disposable {
  readonly store = new DisposableStore();
  readonly log: vscode.LogOutputChannel;
  readonly config: ConfigService;
  readonly jobs: JobsService;
  /** The workspace's EC2 box, when the host is one (ORCH_EC2_INSTANCE_ID). */
  readonly boxes: BoxService;
  readonly logs: JobLogChannels;
  /** Port forwards of jobs (Open in Browser), ended with their jobs. */
  readonly forwards: PortForwards;
  /** Notifications when jobs end. */
  readonly notices: CompletionNotices;
  /** What log follows learned about jobs (L1 matches, retry totals), drawn by the tree. */
  readonly marks = new JobMarks();
  /** The "Cloud Jobs: Experiment" channel (created on first write). */
  readonly experimentOutput = this.store.add(new TextChannel('Cloud Jobs: Experiment'));
  /** The "Cloud Jobs: Check Host" channel: every line of each Check Host (created on first write). */
  readonly hostChecks = this.store.add(new TextChannel('Cloud Jobs: Check Host'));
  /** Whether a cloud host is configured (known once the configuration was read). */
  private hostConfigured: boolean | undefined;
  /** The configuration the engines were opened with, to reset them only on a real change. */
  private engineConfig: string | undefined;

  constructor(readonly ext: vscode.ExtensionContext) {
    this.log = this.store.add(vscode.window.createOutputChannel('Cloud Jobs', { log: true }));
    this.config = this.store.add(new ConfigService(ext.secrets, this.log));
    this.jobs = this.store.add(new JobsService(engineOpener(this.config, ext.secrets, this.log), () => this.listedHosts(), this.log));
    this.boxes = this.store.add(new BoxService(this.config, this.log, async (host) => (await this.jobs.engine(host)).autostop?.()));
    // Every jobs refresh (view shown, window focused, polls, own actions) also re-reads the box,
    // at most every few seconds; a box that stopped or moved drops the connections to it.
    // every listing, changed or not: the box's idle clock moves while its jobs stay the same
    this.store.add(this.jobs.onDidList(() => void this.boxes.refresh()));
    const addresses = new Map<string, string | null>();
    this.store.add(
      this.boxes.onDidChange(() => {
        let moved = false;
        for (const b of this.boxes.all) {
          if (!b.summary) continue;
          const now = b.summary.state === 'running' ? b.summary.address : null;
          if (addresses.has(b.host) && addresses.get(b.host) !== now) moved = true;
          addresses.set(b.host, now);
        }
        if (moved) void this.jobs.reset();
        void setContext('cloudJobs.isBox', this.boxes.all.length > 0);
      }),
    );
    this.logs = this.store.add(new JobLogChannels(this.jobs, this.log, new LogWatches(this.marks, this.log), () => logCacheOf(this.config.logCacheMB())));
    this.notices = this.store.add(new CompletionNotices(this.jobs, this.log));
    this.forwards = this.store.add(new PortForwards(this.jobs, this.config, ext.secrets, this.log));
    this.store.add(this.logs.onDidAppend(({ job, text }) => this.forwards.noticeLog(this.jobs.find(job.name, job.host), text)));
    this.store.add(this.config.onDidChange(() => void this.onConfigChanged()));
  }

  /** Targets the tree lists: every host (hosts.yaml, else ORCH_HOST), and the local tmux server once chosen (or used). */
  private async listedHosts(): Promise<HostName[]> {
    const set = await this.config.tryHosts();
    const names: HostName[] = set?.hosts.map((h) => h.name) ?? [];
    if (this.usesLocal) names.push(LOCAL_HOST);
    return names;
  }

  private get usesLocal(): boolean {
    return this.ext.workspaceState.get<boolean>(USE_LOCAL_KEY) === true;
  }

  /** Reads the configuration once and sets the context keys the welcome view depends on. */
  async init(): Promise<void> {
    const set = await this.config.tryHosts();
    const c = set === undefined ? undefined : await this.config.tryGet();
    this.hostConfigured = (set?.hosts.length ?? 0) > 0;
    const plain = (x: object) => ({ ...x, origin: undefined });
    this.engineConfig = set === undefined || c === undefined ? undefined : JSON.stringify({ base: plain(c), default: set.defaultHost, hosts: set.hosts.map((h) => ({ name: h.name, ...plain(h.config) })) });
    await this.setContextKeys(set === undefined);
  }

  private async setContextKeys(configError: boolean): Promise<void> {
    await setContext('cloudJobs.hostConfigured', this.hostConfigured === true);
    await setContext('cloudJobs.useLocal', this.usesLocal);
    await setContext('cloudJobs.configError', configError);
  }

  private async onConfigChanged(): Promise<void> {
    const before = this.engineConfig;
    await this.init();
    if (this.engineConfig !== before) {
      this.boxes.reset();
      await this.jobs.reset();
    }
  }

  /** Where "Run on EC2" goes without asking: the default host, or the local tmux server when none is configured. */
  async runTarget(): Promise<HostName> {
    return (await this.config.defaultHost()) ?? LOCAL_HOST;
  }

  /** Lists the local tmux server's jobs too (beside the host's, grouped by host). */
  async useLocalTarget(): Promise<void> {
    if (this.usesLocal) return;
    await this.ext.workspaceState.update(USE_LOCAL_KEY, true);
    await this.setContextKeys(false);
    await this.jobs.refresh();
  }

  dispose(): void {
    this.store.dispose();
  }
}
