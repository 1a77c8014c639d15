/**
 * The connection helper (PRODUCT.md §11): a detached process that holds one SSH connection to
 * one host and runs the CLI's scripts on it, so a new `orch` process pays one round trip instead
 * of a TCP and SSH handshake. It listens on a Unix socket in the user's 0700 directory and exits
 * after `persistSeconds` with no request, on `orch disconnect`, or when its socket is no longer
 * its own. The connection is made by the same code as a direct one (host key policy, keys,
 * agent, ProxyJump), and is made again whenever a known_hosts file changes, so a key the user
 * no longer trusts is never used through a connection opened before.
 */
import { link, lstat, stat, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import type { OrchConfig } from '../../config/types';
import { UserError } from '../../errors';
import { ConnectionLostError } from '../../../host/target';
import { expandHome } from '../hostKeyPolicy';
import { createSshTarget, type SshTarget } from '../sshTarget';
import { FRAME, frame, frameReader, writeFrames, type HelperReply, type HelperRequest } from './frames';
import { socketPath } from './socketDir';

export interface HelperSpec {
  config: OrchConfig;
  persistSeconds: number;
  dir: string;
  key: string;
}

/** Stdin up to this size is gathered before the script starts (see the SSH target's inlining). */
const GATHER_MAX = 16 * 1024;

/** How long an unanswerable passphrase question waits for a client that has a terminal. */
const ASK_WAIT_MS = 3000;

interface Asker {
  ask(keyFile: string): Promise<string>;
}

export class ConnectionHelper {
  private server: Server | undefined;
  private target: SshTarget;
  private knownHostsSig: string | undefined;
  private readonly askers = new Set<Asker>();
  private active = 0;
  /** A connection attempt failed before any succeeded: nothing worth keeping a process for. */
  private neverConnected = false;
  private lastUsed = Date.now();
  private ino = -1;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private readonly path: string;
  private resolveStopped!: () => void;
  /** Resolves once the helper has shut down. */
  readonly stopped = new Promise<void>((r) => (this.resolveStopped = r));

  constructor(
    private readonly spec: HelperSpec,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.path = socketPath(spec.dir, spec.key);
    this.target = this.newTarget();
  }

  /** Binds the socket. `running`: another helper already serves this host (this one is done). */
  async start(): Promise<'listening' | 'running'> {
    // The first command waits for this process to start and then for the handshake: the host's
    // ssh config resolution (`ssh -G`, a process of its own) is local and has no effect on the
    // host, so it runs while the socket is claimed. The connection itself waits for the claim,
    // so two helpers started at once never make two connections.
    void this.target.resolved().catch(() => undefined);
    const tmp = `${this.path}.${process.pid}.tmp`;
    await unlink(tmp).catch(() => undefined);
    const server = createServer((s) => this.serve(s));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(tmp, () => resolve());
    });
    // link() is atomic and never replaces: of two helpers started at once, one wins the name.
    for (let attempt = 0; ; attempt++) {
      try {
        await link(tmp, this.path);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) {
          server.close();
          await unlink(tmp).catch(() => undefined);
          throw e;
        }
        if (await answers(this.path)) {
          server.close();
          await unlink(tmp).catch(() => undefined);
          this.resolveStopped();
          return 'running';
        }
        await unlink(this.path).catch(() => undefined); // a stale socket: its helper is gone
      }
    }
    await unlink(tmp).catch(() => undefined);
    this.ino = (await lstat(this.path)).ino;
    this.server = server;
    this.timer = setInterval(() => void this.tick(), Math.min(1000, Math.max(100, this.spec.persistSeconds * 250)));
    // Connect now, while the first client is still starting up; a failure is reported to requests.
    void this.target.connection.getClient().then(
      () => this.noteKnownHosts(),
      (e: unknown) => {
        this.neverConnected = this.knownHostsSig === undefined;
        this.log(`first connect failed: ${(e as Error).message}`);
      },
    );
    return 'listening';
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      clearInterval(this.timer);
      this.server?.close();
      if (await this.stillMine()) await unlink(this.path).catch(() => undefined);
      await this.target.close().catch(() => undefined);
      this.resolveStopped();
    })();
    return this.stopping;
  }

  private newTarget(): SshTarget {
    return createSshTarget(this.spec.config, { askPassphrase: (keyFile) => this.askSomeone(keyFile), log: this.log, spareChannel: true });
  }

  private async tick(): Promise<void> {
    if (this.stopping) return;
    if (!(await this.stillMine())) {
      this.log('the socket was replaced or removed; exiting');
      await this.stop();
      return;
    }
    // An unreachable host or a refused login: the helper goes once its commands have the answer
    // (the next command starts a new one) rather than idling for the whole persist time.
    const limit = this.neverConnected && this.knownHostsSig === undefined ? Math.min(1, this.spec.persistSeconds) : this.spec.persistSeconds;
    if (this.active === 0 && Date.now() - this.lastUsed >= limit * 1000) {
      this.log(`idle for ${limit} s; exiting`);
      await this.stop();
    }
  }

  private async stillMine(): Promise<boolean> {
    try {
      return (await lstat(this.path)).ino === this.ino;
    } catch {
      return false;
    }
  }

  /** The known_hosts files as they are now: any change makes the next request reconnect. */
  private async knownHostsSignature(): Promise<string> {
    const resolved = await this.target.resolved().catch(() => undefined);
    const files = [expandHome(this.spec.config.knownHosts), ...(resolved?.sshKnownHostsFiles ?? []).map(expandHome)];
    const parts = await Promise.all(
      files.map((f) =>
        stat(f).then(
          (s) => `${f}:${s.ino}:${s.size}:${s.mtimeMs}`,
          () => `${f}:missing`,
        ),
      ),
    );
    return parts.join('|');
  }

  private async noteKnownHosts(): Promise<void> {
    this.knownHostsSig ??= await this.knownHostsSignature();
  }

  /** A known_hosts file changed since the connection was verified: verify again by reconnecting. */
  private async recheckHostKey(): Promise<void> {
    if (this.knownHostsSig === undefined) return;
    if ((await this.knownHostsSignature()) === this.knownHostsSig) return;
    this.log('a known_hosts file changed; reconnecting to verify the host key again');
    const old = this.target;
    this.target = this.newTarget();
    this.knownHostsSig = undefined;
    // Requests already running finish on the old connection.
    void waitIdle(() => this.active <= 1).then(() => old.close());
  }

  private async askSomeone(keyFile: string): Promise<string> {
    const deadline = Date.now() + ASK_WAIT_MS;
    while (this.askers.size === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const asker = [...this.askers][0];
    if (!asker) {
      throw new UserError(`The key ${keyFile} needs a passphrase and there is no terminal to ask it on: add the key to ssh-agent (ssh-add ${keyFile}) or run orch from a terminal.`);
    }
    return asker.ask(keyFile);
  }

  private serve(sock: Socket): void {
    this.active++;
    this.lastUsed = Date.now();
    let finished = false;
    const abort = new AbortController();
    let stdin: PassThrough | undefined;
    // Small stdin is gathered whole before the script starts: the target can then send it
    // inside the exec request (one round trip); a large one streams as it comes.
    let gathering: { chunks: Buffer[]; size: number; start: (input: Buffer | PassThrough) => void } | undefined;
    let pendingAnswer: { resolve: (s: string) => void; reject: (e: Error) => void } | undefined;
    let asker: Asker | undefined;
    const finish = (reply: HelperReply): void => {
      if (finished) return;
      finished = true;
      if (asker) this.askers.delete(asker);
      if (!sock.destroyed) sock.end(frame(FRAME.done, JSON.stringify(reply)));
    };
    sock.once('close', () => {
      this.active--;
      this.lastUsed = Date.now();
      if (asker) this.askers.delete(asker);
      pendingAnswer?.reject(new UserError('The command asking for the passphrase ended.'));
      // The client went away mid-script (killed, Ctrl-C): the script gets SIGTERM, as over a direct connection.
      if (!finished) abort.abort();
    });
    sock.on('error', () => undefined);

    const onFrame = (type: number, payload: Buffer): void => {
      if (type === FRAME.request) {
        const req = JSON.parse(payload.toString()) as HelperRequest;
        if (req.op === 'exec') {
          const start = (input: Buffer | PassThrough | undefined): void => void this.exec(req.script, sock, input, abort.signal).then(finish);
          if (req.canAsk) {
            asker = {
              ask: (keyFile) =>
                new Promise<string>((resolve, reject) => {
                  pendingAnswer = { resolve, reject };
                  sock.write(frame(FRAME.question, JSON.stringify({ keyFile })));
                }),
            };
            this.askers.add(asker);
          }
          if (req.hasStdin) gathering = { chunks: [], size: 0, start };
          else start(undefined);
        } else if (req.op === 'info') {
          const c = this.spec.config;
          finish({ ok: true, info: { pid: process.pid, host: c.host ?? '', user: c.user ?? '', port: c.port ?? 22, connected: this.knownHostsSig !== undefined } });
        } else {
          // Answered once the connection is closed, so `orch disconnect` returns when it is.
          void this.stop().then(() => finish({ ok: true, code: 0, stderr: '' }));
        }
      } else if (type === FRAME.stdin && gathering) {
        gathering.chunks.push(Buffer.from(payload));
        gathering.size += payload.length;
        if (gathering.size > GATHER_MAX) {
          stdin = new PassThrough();
          for (const c of gathering.chunks) stdin.write(c);
          gathering.start(stdin);
          gathering = undefined;
        }
      } else if (type === FRAME.stdinEnd && gathering) {
        gathering.start(Buffer.concat(gathering.chunks as unknown as Uint8Array[]));
        gathering = undefined;
      } else if (type === FRAME.stdin) {
        if (stdin && !stdin.write(payload)) {
          sock.pause();
          stdin.once('drain', () => sock.resume());
        }
      } else if (type === FRAME.stdinEnd) stdin?.end();
      else if (type === FRAME.abort) abort.abort();
      else if (type === FRAME.answer) {
        const a = JSON.parse(payload.toString()) as { answer?: string; error?: string };
        const p = pendingAnswer;
        pendingAnswer = undefined;
        if (a.answer !== undefined) p?.resolve(a.answer);
        else p?.reject(new UserError(a.error ?? 'No passphrase given.'));
      }
    };
    const read = frameReader(onFrame);
    sock.on('data', (chunk: Buffer) => {
      try {
        read(chunk);
      } catch (e) {
        this.log(`bad request: ${(e as Error).message}`);
        sock.destroy();
      }
    });
  }

  private async exec(script: string, sock: Socket, stdin: Buffer | PassThrough | undefined, signal: AbortSignal): Promise<HelperReply> {
    try {
      await this.recheckHostKey();
      const stdout = new Writable({
        write(chunk: Buffer, _enc, cb) {
          if (sock.destroyed || writeFrames(sock, FRAME.stdout, chunk)) cb();
          else {
            const go = (): void => {
              sock.removeListener('drain', go);
              sock.removeListener('close', go);
              cb();
            };
            sock.once('drain', go);
            sock.once('close', go);
          }
        },
      });
      const r = await this.target.exec(script, { stdin, stdout, signal });
      await this.noteKnownHosts();
      return { ok: true, code: r.code, stderr: r.stderr };
    } catch (e) {
      if (this.knownHostsSig === undefined) this.neverConnected = true;
      if (e instanceof ConnectionLostError) return { ok: false, lost: true };
      if (e instanceof UserError) return { ok: false, userError: { message: e.message, exitCode: e.exitCode } };
      return { ok: false, error: (e as Error).message };
    }
  }
}

/** True when something accepts connections on the socket at `path`. */
export function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

async function waitIdle(idle: () => boolean): Promise<void> {
  while (!idle()) await new Promise((r) => setTimeout(r, 100));
}
