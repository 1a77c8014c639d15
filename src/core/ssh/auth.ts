/**
 * Client authentication order: the ssh-agent first (as OpenSSH does), then each identity file.
 * An encrypted key's passphrase is asked only when the key is reached, through the injected
 * `askPassphrase`; it lives only in that call and is never logged or put into an error. The
 * decrypted key is kept in memory for reconnects, so the user is asked once per session.
 */
import { readFile } from 'node:fs/promises';
import type { AnyAuthMethod, AuthHandlerMiddleware, ParsedKey } from 'ssh2';
/* ssh2's key parser alone (its index loads the server and HTTP agents too; see connectOnce.ts). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { parseKey } = require('ssh2/lib/protocol/keyParser.js') as { parseKey: typeof import('ssh2').utils.parseKey };
import { UserError, errorMessage } from '../errors';

export type AskPassphrase = (keyPath: string) => Promise<string>;

export interface AuthPlan {
  username: string;
  agent: string | undefined;
  identityFiles: string[];
  askPassphrase?: AskPassphrase;
  /** Decrypted keys by path, shared across reconnects. */
  keyCache: Map<string, ParsedKey>;
  /** Called around the passphrase prompt so the connect timeout does not count the user's typing. */
  onPromptStart?: () => void;
  onPromptEnd?: () => void;
  log?: (line: string) => void;
}

export interface AuthSession {
  handler: AuthHandlerMiddleware;
  /** What was offered, for the "refused" sentence (paths and "ssh-agent", never secrets). */
  offered(): string[];
  /** A problem that ended authentication early (bad passphrase, unreadable key). */
  failure(): UserError | undefined;
}

const MAX_PASSPHRASE_TRIES = 3;

export function createAuthSession(plan: AuthPlan): AuthSession {
  const steps: Array<() => Promise<AnyAuthMethod | undefined>> = [];
  const offered: string[] = [];
  let failure: UserError | undefined;

  if (plan.agent) {
    steps.push(async () => {
      offered.push('the ssh-agent keys');
      return { type: 'agent', username: plan.username, agent: plan.agent! };
    });
  }
  for (const path of plan.identityFiles) {
    steps.push(async () => {
      const key = await loadKey(path, plan);
      if (!key) return undefined;
      offered.push(path);
      return { type: 'publickey', username: plan.username, key };
    });
  }

  let i = 0;
  const handler: AuthHandlerMiddleware = (_left, _partial, next) => {
    const advance = async (): Promise<AnyAuthMethod | false> => {
      while (i < steps.length && failure === undefined) {
        try {
          const method = await steps[i++]!();
          if (method) return method;
        } catch (e) {
          failure = e instanceof UserError ? e : new UserError(errorMessage(e), { cause: e });
        }
      }
      return false;
    };
    void advance().then((m) => next(m as AnyAuthMethod));
  };
  return { handler, offered: () => offered, failure: () => failure };
}

async function loadKey(path: string, plan: AuthPlan): Promise<ParsedKey | undefined> {
  const cached = plan.keyCache.get(path);
  if (cached) return cached;
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (e) {
    throw new UserError(`The identity file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}); check ORCH_IDENTITY_FILE or your ssh config.`);
  }
  let parsed = parseKey(data);
  if (parsed instanceof Error && /passphrase/i.test(parsed.message)) {
    if (!plan.askPassphrase) {
      plan.log?.(`skipping ${path}: it is encrypted and no passphrase prompt is available`);
      return undefined;
    }
    for (let attempt = 1; ; attempt++) {
      let passphrase: string;
      plan.onPromptStart?.();
      try {
        passphrase = await plan.askPassphrase(path);
      } catch (e) {
        // the prompt's own sentence (e.g. "no terminal: use ssh-add") says more than ours
        if (e instanceof UserError) throw e;
        throw new UserError(`No passphrase was given for the key ${path}, so the connection was not made.`);
      } finally {
        plan.onPromptEnd?.();
      }
      parsed = parseKey(data, passphrase);
      if (!(parsed instanceof Error)) break;
      if (attempt >= MAX_PASSPHRASE_TRIES) throw new UserError(`The passphrase for the key ${path} was wrong ${MAX_PASSPHRASE_TRIES} times.`);
      plan.log?.(`wrong passphrase for ${path}, asking again`);
    }
  }
  if (parsed instanceof Error) {
    plan.log?.(`skipping ${path}: not a private key ssh2 can use (${parsed.message})`);
    return undefined;
  }
  if (!parsed.isPrivateKey()) return undefined;
  plan.keyCache.set(path, parsed);
  return parsed;
}
