/**
 * Turns what ssh2 and the socket report while connecting into one sentence a user can act on,
 * and says whether trying again later could help (a restarting sshd) or not (a refused key).
 */
import { UserError } from '../errors';

export interface ConnectContext {
  host: string;
  port: number;
  user: string;
  timeoutMs: number;
  /** Set by the host key verifier when it refused the key. */
  hostKeyFailure?: UserError;
  /** Set by the auth session (bad passphrase, unreadable key). */
  authFailure?: UserError;
  /** Keys and agent offered to the server. */
  offered: string[];
  /** Where the host name came from (e.g. `--host`, `scripts/cloud/.env:3`); default ORCH_HOST. */
  hostOrigin?: string;
}

export interface ConnectFailure {
  error: UserError;
  /** Worth retrying with backoff after a drop (sshd restarting, network blip). */
  transient: boolean;
}

type SshError = Error & { level?: string; code?: string };

/** What to check for a host name that does not resolve: the flag, or ORCH_HOST and where it was set. */
function hostHint(origin: string | undefined): string {
  if (origin === undefined || origin === 'default') return 'ORCH_HOST';
  return origin.startsWith('--') || origin.startsWith('ORCH_HOST') ? origin : `ORCH_HOST (${origin})`;
}

export function describeConnectError(err: SshError, ctx: ConnectContext): ConnectFailure {
  const where = `${ctx.host}:${ctx.port}`;
  const fail = (message: string, transient: boolean): ConnectFailure => ({ error: new UserError(message, { cause: err }), transient });
  if (ctx.hostKeyFailure) return { error: ctx.hostKeyFailure, transient: false };
  if (ctx.authFailure) return { error: ctx.authFailure, transient: false };
  if (err.level === 'client-authentication') {
    if (ctx.offered.length === 0) {
      return fail(
        `No SSH key was available to log in to ${where} as ${ctx.user}: set ORCH_IDENTITY_FILE, add an IdentityFile to your ssh config, or load a key into ssh-agent.`,
        false,
      );
    }
    return fail(
      `The server ${where} refused ${ctx.offered.map(describeOffer).join(' and ')} for user ${ctx.user}; check that the public key is in ~${ctx.user}/.ssh/authorized_keys on the host, or set ORCH_USER / ORCH_IDENTITY_FILE.`,
      false,
    );
  }
  switch (err.code) {
    case 'ECONNREFUSED':
      return fail(`Cannot connect to ${where}: the connection was refused (is an SSH server listening on that port?).`, true);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_NODATA':
    case 'EAI_NONAME':
      return fail(`Cannot resolve the host name "${ctx.host}" (DNS lookup failed); check ${hostHint(ctx.hostOrigin)} and your network.`, err.code === 'EAI_AGAIN');
    case 'ETIMEDOUT':
      return fail(timeoutSentence(where, ctx.timeoutMs), true);
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return fail(`Cannot reach ${where}: the network or host is unreachable (${err.code}).`, true);
    case 'ECONNRESET':
    case 'EPIPE':
      return fail(`The SSH server at ${where} closed the connection during the handshake.`, true);
  }
  if (err.level === 'client-timeout') return fail(timeoutSentence(where, ctx.timeoutMs), true);
  if (/closed during the handshake/.test(err.message)) return fail(`The SSH server at ${where} closed the connection during the handshake.`, true);
  return fail(`Cannot connect to ${where}: ${err.message.replace(/\.$/, '')}.`, false);
}

function timeoutSentence(where: string, ms: number): string {
  return `Cannot reach ${where}: no SSH answer within ${Math.round(ms / 1000)} s (is the host up and the address right?).`;
}

function describeOffer(offer: string): string {
  return offer.startsWith('the ') ? offer : `the key ${offer}`;
}
