import { DEFAULT_LOG_CACHE_MB } from '../core/logCache/logCache';
import * as vscode from 'vscode';
import { SETTINGS_KEYS } from '../core/config/settingsKeys';
import { configHosts, configHostsLookup, configResolve, configSchema } from './lazyCore';
import type { HostSet } from '../core/config/hosts';
import type { HostsFile } from '../core/config/hostsTypes';
import type { OrchConfig } from '../core/config/types';
import { errorMessage } from '../core/errors';
import type { AutorunMode } from './autorun';
import { DisposableStore } from './disposables';
import { SECRET_WEBHOOK } from './secrets';

export const SECTION = 'cloudJobs';

/** The first workspace folder on disk, if any (the extension works on one folder). */
export function workspaceRoot(): string | undefined {
  return vscode.workspace.workspaceFolders?.find((f) => f.uri.scheme === 'file')?.uri.fsPath;
}

/**
 * Settings → the core's `loadConfig` (which validates every value with the core's zod schema and
 * adds `scripts/cloud/.env` and the environment above them). Cached until a setting, the env
 * file, a secret or the workspace trust changes. In Restricted Mode no workspace file is read.
 */
export class ConfigService implements vscode.Disposable {
  private readonly store = new DisposableStore();
  private cached: Promise<OrchConfig> | undefined;
  private cachedHosts: Promise<HostSet> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private lastReported: string | undefined;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.store.add(this.changed);
    // Only settings the engine reads; the extension's own (autorun, experimentScript) are read when used.
    const engineSettings = [...Object.values(SETTINGS_KEYS), 'cloudJobs.hosts', 'cloudJobs.defaultHost'];
    this.store.add(vscode.workspace.onDidChangeConfiguration((e) => engineSettings.some((k) => e.affectsConfiguration(k)) && this.invalidate('settings')));
    const watcher = this.store.add(vscode.workspace.createFileSystemWatcher('**/scripts/cloud/.env'));
    for (const ev of [watcher.onDidChange, watcher.onDidCreate, watcher.onDidDelete]) this.store.add(ev(() => this.invalidate('scripts/cloud/.env')));
    const hostsWatcher = this.store.add(vscode.workspace.createFileSystemWatcher('**/scripts/cloud/hosts.yaml'));
    for (const ev of [hostsWatcher.onDidChange, hostsWatcher.onDidCreate, hostsWatcher.onDidDelete]) this.store.add(ev(() => this.invalidate('scripts/cloud/hosts.yaml')));
    this.store.add(vscode.workspace.onDidGrantWorkspaceTrust(() => this.invalidate('workspace trust')));
    this.store.add(vscode.workspace.onDidChangeWorkspaceFolders(() => this.invalidate('workspace folders')));
    this.store.add(secrets.onDidChange((e) => e.key === SECRET_WEBHOOK && this.invalidate('secret')));
  }

  private invalidate(why: string): void {
    this.log.info(`configuration changed (${why})`);
    this.cached = undefined;
    this.cachedHosts = undefined;
    this.changed.fire();
  }

  /** The resolved configuration; a UserError (naming the setting or file line) when invalid. */
  get(): Promise<OrchConfig> {
    this.cached ??= this.read();
    const p = this.cached;
    p.catch(() => {
      if (this.cached === p) this.cached = undefined;
    });
    return p;
  }

  /** Like `get`, but reports an invalid configuration with a way to fix it and returns undefined. */
  async tryGet(): Promise<OrchConfig | undefined> {
    try {
      const c = await this.get();
      this.lastReported = undefined;
      return c;
    } catch (e) {
      this.report(e);
      return undefined;
    }
  }

  /**
   * The hosts (PRODUCT.md §6): the entries of the workspace's scripts/cloud/hosts.yaml over this
   * configuration, else the single configured host. The file is not read in Restricted Mode.
   */
  hosts(): Promise<HostSet> {
    this.cachedHosts ??= (async () => {
      const base = await this.get();
      const root = workspaceRoot();
      const file = vscode.workspace.isTrusted && root !== undefined ? await configHostsLookup().resolveHostsFile({ cwd: root, env: process.env, workspaceRoot: root }) : undefined;
      return configHosts().resolveHostSet(base, file ?? this.hostsFromSettings(), process.env);
    })();
    const p = this.cachedHosts;
    p.catch(() => {
      if (this.cachedHosts === p) this.cachedHosts = undefined;
    });
    return p;
  }

  /** `cloudJobs.hosts` / `cloudJobs.defaultHost`: the same hosts as hosts.yaml, for when there is no such file. */
  private hostsFromSettings(): HostsFile | undefined {
    const section = vscode.workspace.getConfiguration(SECTION);
    const hosts = section.get<unknown>('hosts');
    if (hosts === undefined || hosts === null || (typeof hosts === 'object' && Object.keys(hosts).length === 0)) return undefined;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { hostsFromSettings } = require('../core/config/hostsFile') as typeof import('../core/config/hostsFile');
    return hostsFromSettings(hosts, section.get<unknown>('defaultHost'));
  }

  /** Like `hosts`, but reports an invalid file or configuration and returns undefined. */
  async tryHosts(): Promise<HostSet | undefined> {
    try {
      return await this.hosts();
    } catch (e) {
      this.report(e);
      return undefined;
    }
  }

  /** The configuration of one listed host (its hosts.yaml values over the ORCH_* ones). */
  async hostConfig(name: string): Promise<OrchConfig> {
    const set = await this.hosts();
    const known = set.hosts.find((h) => h.name === name);
    if (known) return known.config;
    return configHosts().hostByName(set, await this.get(), name, 'the job\'s host').config;
  }

  /** The host `Run on EC2` offers first: hosts.yaml's `default:` (or ORCH_HOST), else the first one. */
  async defaultHost(): Promise<string | undefined> {
    const set = await this.hosts();
    const d = set.defaultHost;
    return d === undefined || d === 'auto' ? set.hosts[0]?.name : d;
  }

  private async read(): Promise<OrchConfig> {
    // The secret first: awaiting it before the schema is loaded keeps a refresh started during
    // activation from evaluating the validation library inside activate().
    const webhook = await this.secrets.get(SECRET_WEBHOOK);
    const section = vscode.workspace.getConfiguration(SECTION);
    const settings = configSchema().settingsFromSection((name) => section.get(name));
    if (webhook) settings.ORCH_SLACK_WEBHOOK_URL = webhook;
    const root = workspaceRoot();
    return configResolve().loadConfig({
      cwd: root ?? process.cwd(),
      env: process.env,
      settings,
      workspaceRoot: root,
      readWorkspaceFiles: vscode.workspace.isTrusted && root !== undefined,
    });
  }

  /** Shows an invalid configuration once, with the action that fixes it. */
  report(e: unknown): void {
    const message = errorMessage(e);
    this.log.warn(`invalid configuration: ${message}`);
    if (message === this.lastReported) return;
    this.lastReported = message;
    const setting = /Setting (cloudJobs\.\w+)/.exec(message)?.[1];
    const file = /^(\/[^:\n]+):(\d+):/.exec(message);
    const action = file ? 'Open File' : 'Open Settings';
    void vscode.window.showErrorMessage(message, action).then((pick) => {
      if (!pick) return;
      if (file) {
        const line = Math.max(0, Number(file[2]) - 1);
        void vscode.window.showTextDocument(vscode.Uri.file(file[1]), { selection: new vscode.Range(line, 0, line, 0) });
      } else void vscode.commands.executeCommand('workbench.action.openSettings', setting ?? SECTION);
    });
  }

  /** The extension's own settings (not engine configuration). */
  autorun(): AutorunMode {
    const v = vscode.workspace.getConfiguration(SECTION).get<string>('autorun');
    return v === 'off' || v === 'full' ? v : 'confirm';
  }

  /** cloudJobs.logCacheMB: the local log cache's bound (0 keeps nothing). */
  logCacheMB(): number {
    const v = vscode.workspace.getConfiguration(SECTION).get<unknown>('logCacheMB');
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_LOG_CACHE_MB;
  }

  dispose(): void {
    this.store.dispose();
  }
}
