/**
 * Running a command in as few round trips as the protocol allows. ssh2's `client.exec` opens a
 * session channel (one round trip), sends the exec request and waits for its reply (a second)
 * before the caller may write stdin, and the script's answer needs a third. OpenSSH's client
 * sends stdin right after the exec request, and a channel can be opened before it is needed:
 * then a call costs one round trip, which on a 40 ms link is what the user waits for.
 *
 * ssh2 has no public call for either, so this uses its internals (ssh2 1.x: the channel
 * manager, the protocol's `session`/`exec`, a channel's reply callbacks). Where they are not
 * there, `client.exec` is used as before.
 */
import type { Client, ClientChannel } from 'ssh2';

interface Internals {
  _chanMgr?: { add(cb: (err: Error | undefined, chan: ClientChannel) => void): number };
  _protocol?: { session(id: number, window: number, packet: number): void; exec(id: number, cmd: string, wantReply: boolean): void };
}

interface ChannelInternals {
  outgoing?: { id: number; state: string };
  _callbacks?: ((hadErr: boolean | Error) => void)[];
}

function channelSizes(): { window: number; packet: number } {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const c = require('ssh2/lib/Channel.js') as { MAX_WINDOW?: number; PACKET_SIZE?: number };
    return { window: c.MAX_WINDOW ?? 2 * 1024 * 1024, packet: c.PACKET_SIZE ?? 32 * 1024 };
  } catch {
    return { window: 2 * 1024 * 1024, packet: 32 * 1024 };
  }
}

/** True when this ssh2 has the internals used here. */
export function canPipeline(client: Client): boolean {
  const c = client as unknown as Internals;
  return typeof c._chanMgr?.add === 'function' && typeof c._protocol?.session === 'function' && typeof c._protocol.exec === 'function';
}

/** Opens a session channel with no command yet (one round trip). Errors as `client.exec`'s. */
export function openSession(client: Client): Promise<ClientChannel> {
  const c = client as unknown as Required<Internals>;
  const { window, packet } = channelSizes();
  return new Promise((resolve, reject) => {
    const id = c._chanMgr.add((err, chan) => (err ? reject(err) : resolve(chan)));
    if (id === -1) return reject(new Error('No free channels available'));
    c._protocol.session(id, window, packet);
  });
}

/**
 * Sends the exec request on an open session channel and returns at once: the caller writes
 * stdin now (sshd queues it for the command). The promise settles with the server's reply.
 */
export function requestExec(channel: ClientChannel, command: string): Promise<void> {
  const ch = channel as unknown as ChannelInternals & { _client: Required<Internals> };
  if (ch.outgoing?.state !== 'open' || !ch._callbacks) return Promise.reject(new Error('Channel is not open'));
  const reply = new Promise<void>((resolve, reject) => {
    ch._callbacks!.push((hadErr) => (hadErr ? reject(hadErr !== true ? hadErr : new Error('Unable to exec')) : resolve()));
  });
  (ch as unknown as { subtype?: string }).subtype = 'exec';
  ch._client._protocol.exec(ch.outgoing.id, command, true);
  return reply;
}
