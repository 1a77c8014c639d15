/**
 * An emulated wide-area link for the benchmark: a TCP proxy on loopback that delays every byte
 * by a one-way latency and paces each direction to a bandwidth, order kept. The kernel here has
 * no `netem` qdisc (only `tbf`, which paces but does not delay), so this is done in userspace.
 *
 * Each direction is a queue: a chunk read at `now` leaves the "wire" at
 * `busyUntil = max(now, busyUntil) + bytes / rate` and is written `oneWayMs` later. When more
 * than a bandwidth-delay product of bytes is queued the sender is paused (TCP backpressure), as a
 * real bottleneck would make its sender wait, so memory stays bounded whatever the sender does.
 */
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface LinkOptions {
  /** Where the proxy forwards to (the sshd). */
  targetHost: string;
  targetPort: number;
  /** Added to each direction (a round trip gains twice this). */
  oneWayMs: number;
  /** Pacing per direction, in Mbit/s (10^6 bits). */
  mbitPerSec: number;
  /** Where the proxy listens; default 127.0.0.1 and a free port. */
  listenHost?: string;
}

export interface LinkStats {
  connections: number;
  /** Client → target bytes, and target → client bytes, delivered so far. */
  bytesUp: number;
  bytesDown: number;
}

export interface LinkProxy {
  readonly host: string;
  readonly port: number;
  readonly options: LinkOptions;
  readonly stats: LinkStats;
  close(): Promise<void>;
}

/** Bytes a paused sender may have queued beyond one bandwidth-delay product. */
const MIN_QUEUE_BYTES = 256 * 1024;

class Direction {
  private busyUntil = 0;
  private readonly queue: { at: number; data: Buffer }[] = [];
  private queued = 0;
  private timer: NodeJS.Timeout | undefined;
  private ended = false;
  private readonly bytesPerMs: number;
  private readonly limit: number;

  constructor(
    private readonly from: Socket,
    private readonly to: Socket,
    private readonly oneWayMs: number,
    mbitPerSec: number,
    private readonly count: (n: number) => void,
  ) {
    this.bytesPerMs = (mbitPerSec * 1e6) / 8 / 1000;
    this.limit = Math.max(MIN_QUEUE_BYTES, Math.ceil(this.bytesPerMs * oneWayMs * 2));
    from.on('data', (d: Buffer) => this.push(d));
    from.once('end', () => {
      this.ended = true;
      this.pump();
    });
  }

  private push(data: Buffer): void {
    const now = performance.now();
    this.busyUntil = Math.max(now, this.busyUntil) + data.length / this.bytesPerMs;
    this.queue.push({ at: this.busyUntil + this.oneWayMs, data });
    this.queued += data.length;
    if (this.queued > this.limit) this.from.pause();
    this.pump();
  }

  /** Writes every chunk whose time has come, then sleeps until the next one. */
  private pump(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const now = performance.now();
    while (this.queue.length > 0 && this.queue[0]!.at <= now) {
      const { data } = this.queue.shift()!;
      this.queued -= data.length;
      this.count(data.length);
      if (!this.to.destroyed) this.to.write(data);
    }
    if (this.queued <= this.limit && this.from.isPaused() && !this.from.destroyed) this.from.resume();
    if (this.queue.length > 0) this.timer = setTimeout(() => this.pump(), Math.max(0, this.queue[0]!.at - now));
    else if (this.ended && !this.to.destroyed) this.to.end();
  }

  stop(): void {
    clearTimeout(this.timer);
    this.queue.length = 0;
  }
}

export function startLinkProxy(options: LinkOptions): Promise<LinkProxy> {
  const stats: LinkStats = { connections: 0, bytesUp: 0, bytesDown: 0 };
  const sockets = new Set<Socket>();
  // Half-open: an end from one side must not cut the other direction's bytes still in flight.
  const server: Server = createServer({ allowHalfOpen: true }, (client) => {
    stats.connections++;
    const upstream = createConnection({ host: options.targetHost, port: options.targetPort, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.once('close', () => sockets.delete(s));
    }
    const up = new Direction(client, upstream, options.oneWayMs, options.mbitPerSec, (n) => (stats.bytesUp += n));
    const down = new Direction(upstream, client, options.oneWayMs, options.mbitPerSec, (n) => (stats.bytesDown += n));
    const teardown = (): void => {
      up.stop();
      down.stop();
      client.destroy();
      upstream.destroy();
    };
    client.once('error', teardown);
    upstream.once('error', teardown);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, options.listenHost ?? '127.0.0.1', () => {
      const addr = server.address() as AddressInfo;
      resolve({
        host: addr.address,
        port: addr.port,
        options,
        stats,
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** `20 ms each way, 100 Mbit/s`: how tables name the link. */
export function describeLink(o: Pick<LinkOptions, 'oneWayMs' | 'mbitPerSec'>): string {
  return `emulated link, ${o.oneWayMs} ms each way, ${o.mbitPerSec} Mbit/s`;
}
