/**
 * PRODUCT.md §2 host key policy, applied in ssh2's `hostVerifier`, i.e. before authentication:
 * a known key connects; a changed or revoked key is always refused; an unknown key is refused
 * unless the policy is `accept-new`, which records it in the known_hosts file and continues.
 */
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname } from 'node:path';
import { UserError } from '../errors';
import {
  checkHostKey,
  fingerprintSha256,
  keyTypeOf,
  knownHostName,
  knownHostsLine,
  knownKeyTypes,
  parseKnownHosts,
  type KnownHostEntry,
} from './knownHosts';

export interface HostKeyPolicy {
  /** The address as used in known_hosts (HostName after ssh config resolution). */
  host: string;
  port: number;
  /** Look the key up (and record it) under this name instead (OpenSSH's HostKeyAlias; no port). */
  hostKeyAlias?: string;
  /** ORCH_KNOWN_HOSTS: read, and written by accept-new. */
  knownHostsFile: string;
  /** Further files that are only read (from the ssh config). */
  extraFiles: string[];
  strict: 'yes' | 'accept-new';
  /** Shown in the "unknown key" advice. */
  user: string;
  log?: (line: string) => void;
}

export function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') || path.startsWith('~\\') ? homedir() + path.slice(1) : path;
}

export async function loadKnownHosts(files: string[]): Promise<KnownHostEntry[]> {
  const out: KnownHostEntry[] = [];
  for (const f of [...new Set(files.map(expandHome))]) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch {
      continue; // a missing file knows no hosts
    }
    out.push(...parseKnownHosts(text, f));
  }
  return out;
}

const DEFAULT_HOST_KEY_ALGORITHMS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

/**
 * Host key algorithms to offer, known types first, as OpenSSH does: otherwise a server with
 * several host keys could present one we have never seen and look "changed".
 */
export function hostKeyAlgorithms(entries: KnownHostEntry[], host: string, port: number, hostKeyAlias?: string): string[] | undefined {
  const known = knownKeyTypes(entries, hostKeyAlias ?? knownHostName(host, port));
  if (known.length === 0) return undefined;
  const first: string[] = [];
  for (const t of known) {
    const algos = t === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [t];
    for (const a of algos) if (DEFAULT_HOST_KEY_ALGORITHMS.includes(a) && !first.includes(a)) first.push(a);
  }
  return [...first, ...DEFAULT_HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}

export interface HostVerifier {
  /** For ssh2's `hostVerifier` (raw key blob, async answer). */
  verify: (key: Buffer, answer: (ok: boolean) => void) => void;
  /** Why the last key was refused, as the sentence the user sees. */
  failure(): UserError | undefined;
}

export function createHostVerifier(policy: HostKeyPolicy): HostVerifier {
  let failure: UserError | undefined;
  const address = `${policy.host}:${policy.port}`;
  const where = policy.hostKeyAlias ? `${policy.hostKeyAlias} at ${address}` : address;
  const decide = async (key: Buffer): Promise<boolean> => {
    const name = policy.hostKeyAlias ?? knownHostName(policy.host, policy.port);
    const file = expandHome(policy.knownHostsFile);
    const entries = await loadKnownHosts([file, ...policy.extraFiles]);
    const verdict = checkHostKey(entries, name, key);
    const shown = `${keyTypeOf(key)} ${fingerprintSha256(key)}`;
    switch (verdict.kind) {
      case 'match':
        return true;
      case 'revoked':
        failure = new UserError(
          `The host key of ${where} (${shown}) is marked @revoked in ${verdict.entry.file} line ${verdict.entry.line}, so the connection was refused.`,
        );
        return false;
      case 'changed':
        failure = new UserError(
          `The host key of ${where} has changed: the server now presents ${shown}, which does not match ${verdict.entry.file} line ${verdict.entry.line}; ` +
            `if the host was really rebuilt, remove that line (ssh-keygen -R "${name}" -f ${verdict.entry.file}) and connect again, otherwise someone may be intercepting the connection.`,
        );
        return false;
      case 'unknown':
        if (policy.strict === 'accept-new') {
          await appendKnownHost(file, policy.hostKeyAlias ? `${name} ${keyTypeOf(key)} ${key.toString('base64')}` : knownHostsLine(policy.host, policy.port, key));
          policy.log?.(`added the host key of ${where} (${shown}) to ${file}`);
          return true;
        }
        failure = new UserError(
          `The host key of ${where} (${shown}) is not in ${file}; after checking that fingerprint, trust it by running once with ORCH_STRICT_HOST_KEY_CHECKING=accept-new ` +
            `or by connecting by hand with "ssh${policy.port === 22 ? '' : ` -p ${policy.port}`}${policy.hostKeyAlias ? ` -o HostKeyAlias=${policy.hostKeyAlias}` : ''} ${policy.user}@${policy.host}".`,
        );
        return false;
    }
  };
  return {
    verify(key, answer) {
      failure = undefined;
      decide(key).then(answer, (e: unknown) => {
        failure = new UserError(`The host key of ${where} could not be checked against ${policy.knownHostsFile}: ${(e as Error).message}.`, { cause: e });
        answer(false);
      });
    },
    failure: () => failure,
  };
}

async function appendKnownHost(file: string, line: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true, mode: 0o700 });
  let prefix = '';
  try {
    const current = await readFile(file, 'utf8');
    if (current.length > 0 && !current.endsWith('\n')) prefix = '\n';
  } catch {
    // new file
  }
  await appendFile(file, `${prefix}${line}\n`, { mode: 0o600 });
}
