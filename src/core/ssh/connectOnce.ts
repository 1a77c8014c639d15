/**
 * One SSH handshake with ssh2: host key checked before authentication, agent then keys, TCP
 * no-delay (without it every exchange waits on Nagle: ~88 ms per exec instead of ~3 ms), SSH
 * keepalive so a half-open connection is noticed in seconds, and a timeout of our own that
 * stops counting while the user types a key passphrase.
 */
import type { Readable } from 'node:stream';
import type { Client, ParsedKey, ServerHostKeyAlgorithm } from 'ssh2';
/*
 * ssh2's client alone, not its index: that also loads its SSH server, key generator and HTTP
 * agents (node:http and node:https with them), which every command would evaluate at start-up.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const SshClient = require('ssh2/lib/client.js') as typeof import('ssh2').Client;
import type { UserError } from '../errors';
import { createAuthSession, type AskPassphrase } from './auth';
import { describeConnectError, type ConnectFailure } from './connectErrors';
import { createHostVerifier, hostKeyAlgorithms, loadKnownHosts, expandHome } from './hostKeyPolicy';
import type { ResolvedHost } from './sshConfig';

export interface HandshakeOptions {
  knownHostsFile: string;
  strict: 'yes' | 'accept-new';
  timeoutMs: number;
  keepaliveIntervalMs: number;
  keepaliveCountMax: number;
  askPassphrase?: AskPassphrase;
  keyCache: Map<string, ParsedKey>;
  log?: (line: string) => void;
  /** A stream to talk over instead of TCP (the ProxyJump tunnel). */
  sock?: Readable;
  /** Where the host name came from (`ORCH_HOST`'s origin), for the sentence when it does not resolve. */
  hostOrigin?: string;
}

/** Connects and authenticates; rejects with a `ConnectFailure`. */
export async function connectOnce(target: ResolvedHost, o: HandshakeOptions): Promise<Client> {
  const knownFiles = [expandHome(o.knownHostsFile), ...target.sshKnownHostsFiles];
  const algorithms = hostKeyAlgorithms(await loadKnownHosts(knownFiles), target.hostname, target.port, target.hostKeyAlias);
  const verifier = createHostVerifier({
    host: target.hostname,
    port: target.port,
    hostKeyAlias: target.hostKeyAlias,
    knownHostsFile: o.knownHostsFile,
    extraFiles: target.sshKnownHostsFiles,
    strict: o.strict,
    user: target.user,
    log: o.log,
  });

  let timer: NodeJS.Timeout | undefined;
  let remaining = o.timeoutMs;
  let startedAt = 0;
  let onTimeout = (): void => undefined;
  const startTimer = (): void => {
    startedAt = Date.now();
    timer = setTimeout(() => onTimeout(), Math.max(remaining, 0));
  };
  const pauseTimer = (): void => {
    clearTimeout(timer);
    remaining -= Date.now() - startedAt;
  };

  const auth = createAuthSession({
    username: target.user,
    agent: target.agent,
    identityFiles: target.identityFiles,
    askPassphrase: o.askPassphrase,
    keyCache: o.keyCache,
    onPromptStart: pauseTimer,
    onPromptEnd: startTimer,
    log: o.log,
  });

  const client = new SshClient();
  client.once('close', () => closedClients.add(client));
  return new Promise<Client>((resolve, reject) => {
    let settled = false;
    const failWith = (err: Error & { level?: string; code?: string }, hostKeyFailure?: UserError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const failure: ConnectFailure = describeConnectError(err, {
        host: target.hostname,
        port: target.port,
        user: target.user,
        timeoutMs: o.timeoutMs,
        hostKeyFailure: hostKeyFailure ?? verifier.failure(),
        authFailure: auth.failure(),
        offered: auth.offered(),
        hostOrigin: o.hostOrigin,
      });
      client.end();
      client.destroy();
      reject(failure);
    };
    onTimeout = () => failWith(Object.assign(new Error('timed out'), { level: 'client-timeout' }));
    client.on('error', (err: Error & { level?: string }) => {
      if (err.level === 'agent') {
        o.log?.(`ssh-agent: ${err.message}`);
        return;
      }
      if (!settled) failWith(err);
      else o.log?.(`ssh connection error: ${err.message}`);
    });
    client.once('close', () => failWith(new Error('connection closed during the handshake')));
    client.once('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(client);
    });
    startTimer();
    client.connect({
      host: target.hostname,
      port: target.port,
      username: target.user,
      sock: o.sock,
      readyTimeout: 0, // our own timer, which pauses during the passphrase prompt
      keepaliveInterval: o.keepaliveIntervalMs,
      keepaliveCountMax: o.keepaliveCountMax,
      hostVerifier: verifier.verify,
      authHandler: auth.handler,
      ...(algorithms ? { algorithms: { serverHostKey: algorithms as ServerHostKeyAlgorithm[] } } : {}),
    });
    client.setNoDelay(true);
  });
}

const closedClients = new WeakSet<Client>();

/** The client's socket has closed (ssh2 emits 'close' once). */
export function hasClosed(client: Client): boolean {
  return closedClients.has(client);
}

export function isConnectFailure(e: unknown): e is ConnectFailure {
  return typeof e === 'object' && e !== null && 'transient' in e && 'error' in e;
}
