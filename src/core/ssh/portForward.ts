/**
 * A local port forwarded to a port on the host's 127.0.0.1 over the SSH connection (ssh2
 * `forwardOut`), for `orch forward` and the extension's Open in Browser (PRODUCT.md §9). Each
 * local connection gets its own channel, so many can be open at once; the connection is asked
 * for afresh each time, so after a drop the next connection reconnects (SshConnection's backoff)
 * and the forward lives on until it is closed.
 */
import * as net from 'node:net';
import type { Client } from 'ssh2';
import { UserError } from '../errors';

export interface PortForwardOptions {
  /** The connected client (reconnecting when the last one dropped). */
  client: () => Promise<Client>;
  /** The port on the host's 127.0.0.1. */
  remotePort: number;
  /** The local port; 0 = any free one. */
  localPort: number;
  /** The local port was not asked for: take a free one when it is busy. */
  fallbackToFree?: boolean;
  /** Told about connections that could not be forwarded (one line each, no stack). */
  onError?: (line: string) => void;
}

export interface PortForward {
  /** The local port listened on. */
  readonly localPort: number;
  readonly remotePort: number;
  readonly url: string;
  /** Connections forwarded so far. */
  readonly connections: number;
  close(): Promise<void>;
}

function listen(server: net.Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error): void => reject(e);
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      resolve();
    });
  });
}

export async function forwardPort(o: PortForwardOptions): Promise<PortForward> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    sock.pause();
    void (async () => {
      try {
        const client = await o.client();
        const channel = await new Promise<NodeJS.ReadWriteStream & { destroy(): void }>((resolve, reject) => {
          client.forwardOut('127.0.0.1', sock.remotePort ?? 0, '127.0.0.1', o.remotePort, (err, ch) => (err ? reject(err) : resolve(ch)));
        });
        if (sock.destroyed) return channel.destroy();
        count++;
        channel.on('error', () => sock.destroy());
        channel.on('close', () => sock.destroy());
        sock.on('close', () => channel.destroy());
        sock.pipe(channel).pipe(sock);
        sock.resume();
      } catch (e) {
        o.onError?.(`could not reach 127.0.0.1:${o.remotePort} on the host: ${(e as Error).message}`);
        sock.destroy();
      }
    })();
  });
  try {
    await listen(server, o.localPort);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' && o.fallbackToFree && o.localPort !== 0) {
      await listen(server, 0);
    } else {
      throw new UserError(`Cannot listen on local port ${o.localPort}: ${code === 'EADDRINUSE' ? 'it is in use' : (e as Error).message}; pick another with P:L.`, { exitCode: 2 });
    }
  }
  const localPort = (server.address() as net.AddressInfo).port;
  return {
    localPort,
    remotePort: o.remotePort,
    url: `http://127.0.0.1:${localPort}`,
    get connections() {
      return count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
