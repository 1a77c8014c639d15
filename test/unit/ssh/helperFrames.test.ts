import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { FRAME, frame, frameReader, MAX_PAYLOAD } from '../../../src/core/ssh/helper/frames';
import { connectionKey, persistSeconds, socketDirFor } from '../../../src/core/ssh/helper/socketDir';

describe('connection helper: frames and socket names', () => {
  it('reads frames back whole and in order however the bytes are cut', () => {
    const sent: [number, Buffer][] = [
      [FRAME.request, Buffer.from('{"op":"info"}')],
      [FRAME.stdin, Buffer.alloc(0)],
      [FRAME.stdout, randomBytes(70_000)],
      [FRAME.done, Buffer.from('{"ok":true}')],
    ];
    const wire = Buffer.concat(sent.map(([t, p]) => frame(t, p)) as unknown as Uint8Array[]);
    for (const cut of [1, 3, 5, 4096, wire.length]) {
      const got: [number, Buffer][] = [];
      const read = frameReader((t, p) => got.push([t, Buffer.from(p)]));
      for (let at = 0; at < wire.length; at += cut) read(wire.subarray(at, at + cut));
      assert.deepEqual(got, sent, `cut every ${cut} bytes`);
    }
  });

  it('refuses a frame length no peer would send', () => {
    const head = Buffer.alloc(5);
    head[0] = FRAME.stdout;
    head.writeUInt32BE(65 * MAX_PAYLOAD, 1);
    assert.throws(() => frameReader(() => undefined)(head), /a helper frame of/);
  });

  it('ORCH_CONNECTION_PERSIST: default 600, 0 is off, anything else unreadable is a usage error', () => {
    assert.equal(persistSeconds({}), 600);
    assert.equal(persistSeconds({ ORCH_CONNECTION_PERSIST: '' }), 600);
    assert.equal(persistSeconds({ ORCH_CONNECTION_PERSIST: '0' }), 0);
    assert.equal(persistSeconds({ ORCH_CONNECTION_PERSIST: '2.5' }), 2.5);
    for (const bad of ['-1', 'ten', '1e999']) assert.throws(() => persistSeconds({ ORCH_CONNECTION_PERSIST: bad }), (e: Error & { exitCode?: number }) => e.exitCode === 2);
  });

  it('one socket per connection setting, in XDG_RUNTIME_DIR or a per-user directory of TMPDIR', () => {
    const base = { host: 'box', user: 'u', port: 22, identityFile: '/k', knownHosts: '~/.ssh/known_hosts', strictHostKeyChecking: 'yes' as const };
    assert.equal(connectionKey(base), connectionKey({ ...base }));
    for (const change of [{ host: 'box2' }, { user: 'v' }, { port: 2222 }, { identityFile: '/k2' }, { knownHosts: '/kh' }, { strictHostKeyChecking: 'accept-new' as const }]) {
      assert.notEqual(connectionKey({ ...base, ...change }), connectionKey(base), JSON.stringify(change));
    }
    assert.equal(socketDirFor({ XDG_RUNTIME_DIR: '/run/user/7' }), '/run/user/7/orch');
    assert.equal(socketDirFor({ TMPDIR: '/scratch' }), `/scratch/orch-${process.getuid!()}`);
    assert.equal(socketDirFor({}), `/tmp/orch-${process.getuid!()}`);
  });
});
