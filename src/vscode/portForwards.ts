import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import type { Job } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { announcedPorts } from '../core/ports/serverAnnounce';
import type { PortForward } from '../core/ssh/portForward';
import type { SshTarget } from '../core/ssh/sshTarget';
import type { ConfigService } from './config';
import type { JobsService } from '../core/jobs/jobsService';
import { passphraseAsker } from './secrets';

type JobRef = Pick<Job, 'name' | 'host'>;
const keyOf = (j: JobRef): string => `${j.host}\0${j.name}`;

/**
 * The extension's port forwards (PRODUCT.md §9): a local port per job port, over an SSH
 * connection of their own per host (a forward holds channels as long as it lives), ended when
 * the job ends. Also offers a forward, once per job and port, when a job's log announces a server.
 */
export class PortForwards implements vscode.Disposable {
  private readonly forwards = new Map<string, Map<number, PortForward>>();
  private readonly targets = new Map<string, Promise<SshTarget>>();
  private readonly offered = new Set<string>();
  /** Ports a job's log announced (beside its --publish ports). */
  private readonly announced = new Map<string, Set<number>>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly sub: vscode.Disposable;

  constructor(
    jobs: JobsService,
    private readonly config: ConfigService,
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.sub = jobs.onDidChange((s) => {
      for (const key of [...this.forwards.keys()]) {
        const job = s.jobs.find((j) => keyOf(j) === key);
        // Ended (or gone from the list of a host that answered): its forwards end too.
        if (job ? !isActive(job.state) : s.loaded && !s.errors.size) void this.closeJob(key);
      }
    });
  }

  /** `6006 → http://127.0.0.1:6006` for each forward of the job. */
  describe(job: JobRef): string[] {
    return [...(this.forwards.get(keyOf(job))?.values() ?? [])].map((f) => `${f.remotePort} → ${f.url}`);
  }

  /** The job's --publish ports and those its log announced. */
  portsOf(job: Job): number[] {
    return [...new Set([...(job.ports ?? []).map((p) => p.port), ...(this.announced.get(keyOf(job)) ?? [])])];
  }

  /** The forward of a job port, made on first need (a local job's port is local already). */
  async forward(job: Job, port: number): Promise<{ url: string }> {
    if (job.host === 'local') return { url: `http://127.0.0.1:${port}` };
    const key = keyOf(job);
    const existing = this.forwards.get(key)?.get(port);
    if (existing) return existing;
    const target = await this.target(job.host);
    const { forwardPort } = await import('../core/ssh/portForward.js');
    const local = job.ports?.find((p) => p.port === port)?.local;
    const f = await forwardPort({
      client: () => target.connection.getClient(),
      remotePort: port,
      localPort: local ?? port,
      fallbackToFree: local === undefined,
      onError: (line) => this.log.warn(`forward of ${job.name}: ${line}`),
    });
    const map = this.forwards.get(key) ?? new Map<number, PortForward>();
    map.set(port, f);
    this.forwards.set(key, map);
    this.log.info(`forwarding ${f.url} to 127.0.0.1:${port} on ${job.host} for ${job.name}`);
    this.changed.fire();
    return f;
  }

  /** Opens the job's port in the browser, through asExternalUri so a remote or web workbench reaches it too. */
  async openInBrowser(job: Job, port: number): Promise<void> {
    const { url } = await this.forward(job, port);
    const external = await vscode.env.asExternalUri(vscode.Uri.parse(url));
    await vscode.env.openExternal(external);
  }

  /** Log text of a running job: a server it announces is offered once for forwarding. */
  noticeLog(job: Job | undefined, text: string): void {
    if (!job || !isActive(job.state)) return;
    for (const port of announcedPorts(text)) {
      const key = `${keyOf(job)}\0${port}`;
      const set = this.announced.get(keyOf(job)) ?? new Set<number>();
      set.add(port);
      this.announced.set(keyOf(job), set);
      if (this.offered.has(key) || this.forwards.get(keyOf(job))?.has(port)) continue;
      this.offered.add(key);
      void vscode.window.showInformationMessage(`${job.name} serves port ${port} on ${job.host}.`, 'Open in Browser', 'Forward Port').then(async (pick) => {
        try {
          if (pick === 'Open in Browser') await this.openInBrowser(job, port);
          else if (pick === 'Forward Port') {
            const f = await this.forward(job, port);
            void vscode.window.showInformationMessage(`Port ${port} of ${job.name} is at ${f.url} until the job ends.`);
          }
        } catch (e) {
          void vscode.window.showErrorMessage(errorMessage(e));
        }
      });
    }
  }

  private target(host: string): Promise<SshTarget> {
    let t = this.targets.get(host);
    if (!t) {
      t = (async () => {
        const { createSshTarget } = await import('../core/ssh/sshTarget.js');
        return createSshTarget(await this.config.hostConfig(host), {
          name: host,
          askPassphrase: passphraseAsker(this.secrets),
          log: (line: string) => this.log.debug(`ssh ${host} (forwards): ${line}`),
        });
      })();
      t.catch(() => this.targets.delete(host));
      this.targets.set(host, t);
    }
    return t;
  }

  private async closeJob(key: string): Promise<void> {
    const map = this.forwards.get(key);
    if (!map) return;
    this.forwards.delete(key);
    await Promise.all([...map.values()].map((f) => f.close()));
    this.log.info(`forwards of ${key.split('\0')[1]} ended with the job`);
    this.changed.fire();
  }

  dispose(): void {
    this.sub.dispose();
    for (const key of [...this.forwards.keys()]) void this.closeJob(key);
    for (const t of this.targets.values()) void t.then((x) => x.close()).catch(() => undefined);
    this.changed.dispose();
  }
}
