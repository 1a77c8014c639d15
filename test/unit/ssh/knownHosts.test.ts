import assert from 'node:assert/strict';
import {
  checkHostKey,
  entryMatchesHost,
  fingerprintSha256,
  hashHostName,
  keyTypeOf,
  knownHostName,
  knownHostsLine,
  parseKnownHosts,
} from '../../../src/core/ssh/knownHosts';
import { hostKeyAlgorithms } from '../../../src/core/ssh/hostKeyPolicy';

// Vectors produced by OpenSSH 9.2 itself: `ssh-keygen -lf` and `ssh-keygen -H`.
const KEY_B64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIMUmkT4Bh0ocpbIeg3qtGjVGcdl0z0os/gJToC7iv5jN';
const KEY = Buffer.from(KEY_B64, 'base64');
const KEY_FP = 'SHA256:l3TwYiqdsTSfWJi4ivem9Pkkzo+8SyyIta1GUzML4xE';
const HASHED_EXAMPLE_2222 = '|1|sNtTB4TSNgoQWreaJsyNCZelDLo=|yChKNsXM9IeJF8VemqHfN842oNQ=';
const OTHER_B64 = 'AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ';

describe('known_hosts', () => {
  it('computes fingerprints as ssh-keygen -l prints them', () => {
    assert.equal(fingerprintSha256(KEY), KEY_FP);
    assert.equal(keyTypeOf(KEY), 'ssh-ed25519');
  });

  it('names non-22 ports as [host]:port', () => {
    assert.equal(knownHostName('example.com', 22), 'example.com');
    assert.equal(knownHostName('10.0.0.5', 2222), '[10.0.0.5]:2222');
    assert.equal(knownHostsLine('10.0.0.5', 2222, KEY), `[10.0.0.5]:2222 ssh-ed25519 ${KEY_B64}`);
  });

  it('matches an entry hashed by ssh-keygen -H, and only for that name', () => {
    const [e] = parseKnownHosts(`${HASHED_EXAMPLE_2222} ssh-ed25519 ${KEY_B64}\n`, 'kh');
    assert.ok(entryMatchesHost(e!, '[example.com]:2222'));
    assert.ok(!entryMatchesHost(e!, 'example.com'));
    assert.ok(!entryMatchesHost(e!, '[example.com]:2223'));
  });

  it('hashes names the way OpenSSH does (round trip with its salt)', () => {
    const salt = Buffer.from('sNtTB4TSNgoQWreaJsyNCZelDLo=', 'base64');
    assert.equal(hashHostName('[example.com]:2222', salt), HASHED_EXAMPLE_2222);
  });

  it('parses comma lists, wildcards, negation, comments and markers with line numbers', () => {
    const text = [
      '# comment',
      '',
      `web1,web2.example.com,10.0.0.7 ssh-ed25519 ${KEY_B64} me@laptop`,
      `*.internal,!db.internal ssh-ed25519 ${OTHER_B64}`,
      `@cert-authority *.example.com ssh-ed25519 ${OTHER_B64}`,
      `@revoked * ssh-ed25519 ${OTHER_B64}`,
      'garbage',
    ].join('\r\n');
    const entries = parseKnownHosts(text, '/k');
    assert.deepEqual(
      entries.map((e) => [e.line, e.marker, e.keyType]),
      [
        [3, undefined, 'ssh-ed25519'],
        [4, undefined, 'ssh-ed25519'],
        [5, 'cert-authority', 'ssh-ed25519'],
        [6, 'revoked', 'ssh-ed25519'],
      ],
    );
    assert.ok(entryMatchesHost(entries[0]!, 'web2.example.com'));
    assert.ok(entryMatchesHost(entries[0]!, 'WEB1'));
    assert.ok(!entryMatchesHost(entries[0]!, 'web3'));
    assert.ok(entryMatchesHost(entries[1]!, 'app.internal'));
    assert.ok(!entryMatchesHost(entries[1]!, 'db.internal'));
  });

  it('decides match / unknown / changed / revoked, ignoring @cert-authority lines', () => {
    const entries = parseKnownHosts(
      [`host-a ssh-ed25519 ${KEY_B64}`, `host-b ssh-ed25519 ${OTHER_B64}`, `@cert-authority host-c ssh-ed25519 ${KEY_B64}`].join('\n'),
      '/k',
    );
    assert.equal(checkHostKey(entries, 'host-a', KEY).kind, 'match');
    assert.equal(checkHostKey(entries, 'host-z', KEY).kind, 'unknown');
    assert.equal(checkHostKey(entries, 'host-c', KEY).kind, 'unknown');
    const changed = checkHostKey(entries, 'host-b', KEY);
    assert.equal(changed.kind, 'changed');
    assert.equal(changed.kind === 'changed' && changed.entry.line, 2);
    const revoked = parseKnownHosts(`host-a ssh-ed25519 ${KEY_B64}\n@revoked host-* ssh-ed25519 ${KEY_B64}`, '/k');
    assert.equal(checkHostKey(revoked, 'host-a', KEY).kind, 'revoked');
  });

  it('treats a host known only with another key type as changed', () => {
    const entries = parseKnownHosts('host-a ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBA==', '/k');
    assert.equal(checkHostKey(entries, 'host-a', KEY).kind, 'changed');
  });

  it('offers the known key types first when negotiating the host key', () => {
    const entries = parseKnownHosts(`[h]:2222 ssh-rsa AAAAB3NzaC1yc2E=\nother ecdsa-sha2-nistp256 AAAA`, '/k');
    const algos = hostKeyAlgorithms(entries, 'h', 2222)!;
    assert.deepEqual(algos.slice(0, 3), ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    assert.ok(algos.includes('ssh-ed25519'));
    assert.equal(hostKeyAlgorithms(entries, 'unknown', 22), undefined);
  });
});
