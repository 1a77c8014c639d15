/**
 * One lazily opened SSH connection per host, shared by every call: channels are multiplexed
 * over it (at most `maxChannels` at once), ProxyJump hops are chained through `forwardOut`, and
 * after a drop the next call reconnects with exponential backoff for a bounded time.
 */
import type { Readable } from 'node:stream';
import type { Client, ParsedKey } from 'ssh2';
import type { OrchConfig } from '../config/types';
import { UserError } from '../errors';
import type { AskPassphrase } from './auth';
import { connectOnce, hasClosed, isConnectFailure, type HandshakeOptions } from './connectOnce';
import { Limiter } from './limiter';
import { resolveHost, type ResolvedHost } from './sshConfig';

export interface ConnectionOptions {
  askPassphrase?: AskPassphrase;
  log?: (line: string) => void;
  /** Bound on one connect (TCP + handshake + auth, not counting a passphrase prompt). Default 15 s. */
  readyTimeoutMs?: number;
  /** SSH keepalive; a dead link is noticed after interval × countMax. Defaults 2 s × 3. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** Concurrent channels on the connection (sshd's MaxSessions is 10). Default 8. */
  maxChannels?: number;
  /** How long a call keeps retrying to reconnect after a drop. Default: readyTimeoutMs. */
  reconnectWindowMs?: number;
  /** Host resolution (default: `ssh -G`, else ~/.ssh/config). */
  resolve?: (settings: Pick<OrchConfig, 'host' | 'user' | 'port' | 'identityFile'>) => Promise<ResolvedHost>;
  /**
   * Where the target is now, applied to the resolved target only (not to jump hops): an EC2
   * box is started if need be and reached at its current address (src/core/ec2/locate.ts).
   */
  locate?: (resolved: ResolvedHost) => Promise<ResolvedHost>;
}

const BACKOFF_START_MS = 200;
const BACKOFF_CAP_MS = 3000;

export class SshConnection {
  private client: Client | undefined;
  private connecting: Promise<Client> | undefined;
  private resolving: Promise<ResolvedHost> | undefined;
  private readonly hops: Client[] = [];
  private readonly keyCache = new Map<string, ParsedKey>();
  private readonly live = new WeakSet<Client>();
  private readonly limiter: Limiter;
  private everConnected = false;
  private closed = false;

  constructor(
    private readonly config: OrchConfig,
    private readonly options: ConnectionOptions = {},
  ) {
    this.limiter = new Limiter(options.maxChannels ?? 8);
  }

  get host(): string {
    return this.config.host ?? '';
  }

  /** ssh config resolution for the configured host, done once. */
  resolved(): Promise<ResolvedHost> {
    const locate = this.options.locate;
    const resolve = (): Promise<ResolvedHost> => (this.options.resolve ?? resolveHost)(this.config);
    this.resolving ??= (locate ? resolve().then(locate) : resolve()).catch((e: unknown) => {
      this.resolving = undefined;
      throw e;
    });
    return this.resolving;
  }

  /** True while `client` is the connected, usable connection. */
  isAlive(client: Client): boolean {
    return this.live.has(client) && this.client === client;
  }

  /** Runs `fn` holding one of the connection's channel slots. */
  async withSlot<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.limiter.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** The connected client, connecting (or reconnecting with backoff) if needed. */
  getClient(): Promise<Client> {
    if (this.closed) return Promise.reject(new Error('the SSH connection was closed'));
    if (this.client && this.live.has(this.client)) return Promise.resolve(this.client);
    this.connecting ??= this.connectWithRetry().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.limiter.rejectAll(new Error('the SSH connection was closed'));
    const clients = [this.client, ...this.hops.splice(0)].filter((c): c is Client => c !== undefined);
    this.client = undefined;
    await Promise.all(clients.map((c) => endClient(c)));
  }

  private async connectWithRetry(): Promise<Client> {
    const target = await this.resolved();
    const window = this.options.reconnectWindowMs ?? this.options.readyTimeoutMs ?? 15_000;
    const started = Date.now();
    for (let attempt = 0; ; attempt++) {
      try {
        const client = await this.connectChain(target);
        if (this.closed) {
          await endClient(client);
          throw new Error('the SSH connection was closed');
        }
        this.adopt(client);
        return client;
      } catch (e) {
        if (!isConnectFailure(e)) throw e;
        const wait = Math.min(BACKOFF_START_MS * 2 ** attempt, BACKOFF_CAP_MS);
        // Only a connection that worked before is retried: a first failure is reported at once.
        if (!this.everConnected || !e.transient || Date.now() - started + wait > window || this.closed) throw e.error;
        this.log(`reconnect to ${target.hostname}:${target.port} failed (${e.error.message}); retrying in ${wait} ms`);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private adopt(client: Client): void {
    this.client = client;
    this.live.add(client);
    this.everConnected = true;
    const dropped = (): void => {
      if (!this.live.has(client)) return;
      this.live.delete(client);
      if (this.client === client) this.client = undefined;
      if (!this.closed) this.log(`connection to ${this.host} lost; the next call reconnects`);
      for (const hop of this.hops.splice(0)) void endClient(hop);
    };
    client.on('end', dropped);
    client.on('close', dropped);
  }

  /** Connects through each ProxyJump hop in turn, then to the target. */
  private async connectChain(target: ResolvedHost): Promise<Client> {
    const t0 = Date.now();
    const base = this.handshakeOptions();
    if (!target.proxyJump) {
      const c = await connectOnce(target, base);
      this.log(`connected to ${target.user}@${target.hostname}:${target.port} in ${Date.now() - t0} ms`);
      return c;
    }
    const hops: Client[] = [];
    try {
      let sock: Readable | undefined;
      const jumps = await Promise.all(target.proxyJump.split(',').map((j) => resolveJump(j.trim(), this.options.resolve ?? resolveHost)));
      for (const [i, next] of [...jumps, target].entries()) {
        if (i > 0) sock = await forward(hops[i - 1]!, next.hostname, next.port);
        const c = await connectOnce(next, { ...base, sock });
        hops.push(c);
      }
      const client = hops.pop()!;
      this.hops.push(...hops);
      this.log(`connected to ${target.user}@${target.hostname}:${target.port} via ${target.proxyJump} in ${Date.now() - t0} ms`);
      return client;
    } catch (e) {
      for (const h of hops) void endClient(h);
      throw e;
    }
  }

  private handshakeOptions(): HandshakeOptions {
    return {
      knownHostsFile: this.config.knownHosts,
      strict: this.config.strictHostKeyChecking,
      timeoutMs: this.options.readyTimeoutMs ?? 15_000,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 2000,
      keepaliveCountMax: this.options.keepaliveCountMax ?? 3,
      askPassphrase: this.options.askPassphrase,
      keyCache: this.keyCache,
      log: this.options.log,
      hostOrigin: this.config.origin.ORCH_HOST,
    };
  }

  private log(line: string): void {
    this.options.log?.(`ssh: ${line}`);
  }
}

/** `[user@]host[:port]` or `ssh://[user@]host[:port]`, resolved through the ssh config. */
async function resolveJump(spec: string, resolve: NonNullable<ConnectionOptions['resolve']>): Promise<ResolvedHost> {
  const m = /^(?:ssh:\/\/)?(?:([^@]+)@)?(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  if (!m) throw new UserError(`The ProxyJump "${spec}" in your ssh config is not [user@]host[:port].`);
  return resolve({ host: m[2]!.replace(/^\[|\]$/g, ''), user: m[1], port: m[3] ? Number(m[3]) : undefined, identityFile: undefined });
}

function forward(via: Client, host: string, port: number): Promise<Readable> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
      if (err) reject({ error: new UserError(`The jump host could not open a tunnel to ${host}:${port}: ${err.message}.`), transient: false });
      else resolve(stream);
    });
  });
}

function endClient(c: Client): Promise<void> {
  if (hasClosed(c)) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      c.destroy();
      resolve();
    }, 1000);
    c.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    c.end();
  });
}
