import * as vscode from 'vscode';
import { boxLabel, boxSummary, withAutostop, type BoxSummary, type Ec2Api } from '../core/ec2/box';
import type { AutostopStatus } from '../core/engine/autostop';
import type { Ec2BoxSpec } from '../core/ec2/spec';
import type { OrchConfig } from '../core/config/types';
import { errorMessage } from '../core/errors';
import type { ConfigService } from './config';
import { boxesShownKey } from './boxPresentation';

/** One EC2 box of the workspace as last read from EC2 (or why it could not be read). */
export interface BoxSnapshot {
  /** The host's name in the tree (the hosts.yaml key, else ORCH_HOST, else the instance id). */
  host: string;
  spec: Ec2BoxSpec;
  summary: BoxSummary | undefined;
  error: string | undefined;
}

/** A box with its EC2 calls and its host's configuration. */
export interface Box {
  host: string;
  spec: Ec2BoxSpec;
  config: OrchConfig;
  api: Ec2Api;
}

/** Reads are coalesced and at most this often unless forced (each is one DescribeInstances per box). */
const MIN_READ_MS = 4_000;

/**
 * The EC2 side of the workspace's hosts (PRODUCT.md §7), for the tree, the status bar and the
 * box commands. Nothing here runs for a host without `ec2:` / ORCH_EC2_INSTANCE_ID, and the AWS
 * bundle is required only on the first read of a box, never at activation.
 */
export class BoxService implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private current = new Map<string, BoxSnapshot>();
  private apis = new Map<string, Ec2Api>();
  private inFlight: Promise<ReadonlyMap<string, BoxSnapshot>> | undefined;
  private readAt = 0;
  private generation = 0;

  constructor(
    private readonly config: ConfigService,
    private readonly log: vscode.LogOutputChannel,
    /** The host's idle clock (its engine's autostop op), asked while a box with autostop_minutes runs. */
    private readonly idleClock?: (host: string) => Promise<AutostopStatus | undefined>,
  ) {}

  /** The box of host `name` as last read. */
  get(name: string): BoxSnapshot | undefined {
    return this.current.get(name);
  }

  get all(): readonly BoxSnapshot[] {
    return [...this.current.values()];
  }

  /** Every box of the workspace with its EC2 calls, in host order. */
  async boxes(): Promise<Box[]> {
    const set = await this.config.tryHosts();
    const out: Box[] = [];
    for (const h of set?.hosts ?? []) {
      const spec = h.config.ec2;
      if (!spec) continue;
      const key = JSON.stringify(spec);
      let api = this.apis.get(key);
      if (!api) {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { loadEc2Api } = require('../core/ec2/load') as typeof import('../core/ec2/load');
        api = loadEc2Api()(spec);
        this.apis.set(key, api);
      }
      out.push({ host: h.name, spec, config: h.config, api });
    }
    return out;
  }

  /** The box of host `name` (undefined: that host is not a box). */
  async box(name: string): Promise<Box | undefined> {
    return (await this.boxes()).find((b) => b.host === name);
  }

  /** Re-reads every box (coalesced; skipped when read less than 4 s ago unless `force`). */
  refresh(force = false): Promise<ReadonlyMap<string, BoxSnapshot>> {
    if (this.inFlight) return this.inFlight;
    if (!force && Date.now() - this.readAt < MIN_READ_MS) return Promise.resolve(this.current);
    const gen = this.generation;
    this.inFlight = this.read()
      .then((s) => {
        if (gen === this.generation) this.set(s);
        return this.current;
      })
      .finally(() => {
        this.readAt = Date.now();
        this.inFlight = undefined;
      });
    return this.inFlight;
  }

  private async read(): Promise<Map<string, BoxSnapshot>> {
    const boxes = await this.boxes();
    const read = await Promise.all(
      boxes.map(async (b): Promise<BoxSnapshot> => {
        try {
          const summary = boxSummary(b.host, await b.api.describe(), b.spec.address, Date.now());
          return { host: b.host, spec: b.spec, summary: withAutostop(summary, await this.idle(b, summary), Date.now()), error: undefined };
        } catch (e) {
          this.log.warn(`reading the EC2 box ${boxLabel(b.host, b.spec.instanceId)} failed: ${errorMessage(e)}`);
          return { host: b.host, spec: b.spec, summary: undefined, error: errorMessage(e) };
        }
      }),
    );
    return new Map(read.map((s) => [s.host, s]));
  }

  /** The idle clock of a running box with autostop; undefined (logged) when the host cannot say. */
  private async idle(b: Box, s: BoxSummary): Promise<AutostopStatus | undefined> {
    if (!this.idleClock || s.state !== 'running' || b.config.autostopMinutes === undefined) return undefined;
    try {
      return await this.idleClock(b.host);
    } catch (e) {
      this.log.debug(`reading the idle clock of ${b.host} failed: ${errorMessage(e)}`);
      return undefined;
    }
  }

  private set(s: Map<string, BoxSnapshot>): void {
    // redraw only when something a user would see in the tree changed
    const changed = boxesShownKey(s.values()) !== boxesShownKey(this.current.values());
    this.current = s;
    if (changed) this.changed.fire();
  }

  /** The configuration changed: forget the boxes; the next read is fresh. */
  reset(): void {
    this.generation++;
    this.apis.clear();
    this.readAt = 0;
    this.set(new Map());
    void this.refresh(true);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
