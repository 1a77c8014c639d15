import assert from 'node:assert/strict';
import { describeConnectError } from '../../../src/core/ssh/connectErrors';
import { UserError } from '../../../src/core/errors';

const ctx = { host: 'box.example', port: 2222, user: 'ubuntu', timeoutMs: 15_000, offered: ['/home/me/.ssh/id_ed25519'] };
const err = (message: string, extra: { code?: string; level?: string } = {}): Error => Object.assign(new Error(message), extra);

describe('ssh connect errors', () => {
  it('says which key and user the server refused', () => {
    const f = describeConnectError(err('All configured authentication methods failed', { level: 'client-authentication' }), {
      ...ctx,
      offered: ['the ssh-agent keys', '/k'],
    });
    assert.equal(f.transient, false);
    assert.match(f.error.message, /^The server box\.example:2222 refused the ssh-agent keys and the key \/k for user ubuntu;/);
  });

  it('says when no key was available at all', () => {
    const f = describeConnectError(err('All configured authentication methods failed', { level: 'client-authentication' }), { ...ctx, offered: [] });
    assert.match(f.error.message, /No SSH key was available .* set ORCH_IDENTITY_FILE/);
  });

  it('maps socket failures to one sentence, retrying only what may pass', () => {
    const cases: Array<[string, RegExp, boolean]> = [
      ['ECONNREFUSED', /connection was refused/, true],
      ['ENOTFOUND', /Cannot resolve the host name "box\.example"/, false],
      ['ETIMEDOUT', /no SSH answer within 15 s/, true],
      ['EHOSTUNREACH', /unreachable/, true],
      ['ECONNRESET', /closed the connection during the handshake/, true],
    ];
    for (const [code, re, transient] of cases) {
      const f = describeConnectError(err(`connect ${code}`, { code, level: 'client-socket' }), ctx);
      assert.match(f.error.message, re, code);
      assert.equal(f.transient, transient, code);
    }
    assert.match(describeConnectError(err('timed out', { level: 'client-timeout' }), ctx).error.message, /within 15 s/);
  });

  it('names where an unresolvable host name came from', () => {
    const dns = (hostOrigin?: string): string => describeConnectError(err('getaddrinfo ENOTFOUND', { code: 'ENOTFOUND', level: 'client-socket' }), { ...ctx, hostOrigin }).error.message;
    assert.match(dns(), /check ORCH_HOST and your network\.$/);
    assert.match(dns('scripts/cloud/.env:3'), /check ORCH_HOST \(scripts\/cloud\/\.env:3\) and your network/);
    assert.match(dns('--host (hosts.yaml lists gpu-a and gpu-b, not gpu-c)'), /check --host \(hosts\.yaml lists gpu-a and gpu-b, not gpu-c\) and your network/);
  });

  it('prefers the host key or passphrase sentence over the transport error', () => {
    const hostKey = new UserError('The host key of box.example:2222 has changed: ...');
    assert.equal(describeConnectError(err('Host denied (verification failed)'), { ...ctx, hostKeyFailure: hostKey }).error, hostKey);
    const auth = new UserError('The passphrase for the key /k was wrong 3 times.');
    assert.equal(describeConnectError(err('All configured authentication methods failed', { level: 'client-authentication' }), { ...ctx, authFailure: auth }).error, auth);
  });
});
