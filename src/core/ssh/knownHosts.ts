/**
 * known_hosts as OpenSSH writes and reads it: plain, comma-listed and wildcard host patterns,
 * `[host]:port` for ports other than 22, hashed names (`|1|salt|hash`, HMAC-SHA1 of the name),
 * and the `@revoked` / `@cert-authority` markers. Pure functions; file I/O is in hostKeyPolicy.
 */
import { createHash, createHmac } from 'node:crypto';
import { globMatch } from './sshConfigParser';

export interface KnownHostEntry {
  file: string;
  /** 1-based line number. */
  line: number;
  marker: 'revoked' | 'cert-authority' | undefined;
  /** Host patterns, or a hashed name. */
  hosts: { patterns: string[] } | { salt: Buffer; hash: Buffer };
  keyType: string;
  /** The key blob as base64, as written in the file. */
  keyBase64: string;
}

export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0]!.startsWith('#')) return;
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@revoked') marker = 'revoked';
    else if (fields[0] === '@cert-authority') marker = 'cert-authority';
    else if (fields[0]!.startsWith('@')) return; // unknown marker: OpenSSH skips the line
    if (marker) fields.shift();
    const [hostField, keyType, keyBase64] = fields;
    if (!hostField || !keyType || !keyBase64) return;
    const hosts = parseHostField(hostField);
    if (!hosts) return;
    out.push({ file, line: i + 1, marker, hosts, keyType, keyBase64 });
  });
  return out;
}

function parseHostField(field: string): KnownHostEntry['hosts'] | undefined {
  if (field.startsWith('|1|')) {
    const [, , salt, hash] = field.split('|');
    if (!salt || !hash) return undefined;
    return { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
  }
  return { patterns: field.split(',').filter(Boolean) };
}

/** The name OpenSSH looks up and writes: `host` on port 22, `[host]:port` otherwise. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** Hashed form of a name, as `ssh-keygen -H` writes it (salt given for tests). */
export function hashHostName(name: string, salt: Buffer): string {
  return `|1|${salt.toString('base64')}|${hmacSha1(salt, name).toString('base64')}`;
}

function hmacSha1(salt: Buffer, name: string): Buffer {
  return createHmac('sha1', bytes(salt)).update(name).digest();
}

/** A Buffer as the plain Uint8Array view that node:crypto's typings accept. */
function bytes(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

export function entryMatchesHost(entry: KnownHostEntry, name: string): boolean {
  if ('salt' in entry.hosts) {
    return hmacSha1(entry.hosts.salt, name).toString('base64') === entry.hosts.hash.toString('base64');
  }
  let matched = false;
  for (const p of entry.hosts.patterns) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), name)) return false;
    } else if (globMatch(p, name)) {
      matched = true;
    }
  }
  return matched;
}

/** `SHA256:` and unpadded base64 of the key blob, as `ssh-keygen -l` prints it. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(bytes(keyBlob)).digest('base64').replace(/=+$/, '');
}

/** The key type named inside a key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function keyTypeOf(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const len = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

export type HostKeyVerdict =
  | { kind: 'match'; entry: KnownHostEntry }
  | { kind: 'unknown' }
  | { kind: 'changed'; entry: KnownHostEntry }
  | { kind: 'revoked'; entry: KnownHostEntry };

/**
 * Compares the key a server presented with what is known for `name`. Stricter than OpenSSH in
 * one way: a host known with any other key, of any type, counts as changed.
 */
export function checkHostKey(entries: KnownHostEntry[], name: string, keyBlob: Buffer): HostKeyVerdict {
  const b64 = keyBlob.toString('base64');
  // Re-encode so padding or line-wrapping differences in the file do not matter.
  const sameKey = (e: KnownHostEntry): boolean => e.keyBase64 === b64 || Buffer.from(e.keyBase64, 'base64').toString('base64') === b64;
  const revoked = entries.find((e) => e.marker === 'revoked' && sameKey(e));
  if (revoked) return { kind: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === undefined && entryMatchesHost(e, name));
  const match = forHost.find(sameKey);
  if (match) return { kind: 'match', entry: match };
  if (forHost.length > 0) return { kind: 'changed', entry: forHost[0]! };
  return { kind: 'unknown' };
}

/** Key types known for `name`, for ordering the host key algorithms we offer. */
export function knownKeyTypes(entries: KnownHostEntry[], name: string): string[] {
  const types: string[] = [];
  for (const e of entries) {
    if (e.marker === undefined && entryMatchesHost(e, name) && !types.includes(e.keyType)) types.push(e.keyType);
  }
  return types;
}

/** The line accept-new appends. */
export function knownHostsLine(host: string, port: number, keyBlob: Buffer): string {
  return `${knownHostName(host, port)} ${keyTypeOf(keyBlob)} ${keyBlob.toString('base64')}`;
}
