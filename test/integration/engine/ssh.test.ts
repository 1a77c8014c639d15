/** The engine suite over SSH: a real OpenSSH sshd on 127.0.0.1, the ssh2 target, real tmux. */
import assert from 'node:assert/strict';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';
import { basicSuite } from './basicSuite';
import { absRoot, cleanupHost, engineFor, uniqueName, type EngineFixture } from './fixture';
import { hostSuite } from './hostSuite';
import { autostopSuite } from './autostopSuite';
import { spawn } from 'node:child_process';

describe('engine over SSH (real sshd)', function () {
  this.timeout(60_000);
  const names: string[] = [];
  let sshd: TestSshd;
  let fixture: EngineFixture;
  let root = '';

  before(async () => {
    sshd = await startSshd();
    const target = createSshTarget(sshd.config(), { connection: { keepaliveIntervalMs: 1000, reconnectWindowMs: 20_000 } });
    fixture = {
      label: 'ssh',
      target,
      config: (overrides) => sshd.config(overrides),
      restartServer: () => sshd.restart(),
      close: () => target.close(),
    };
    root = await absRoot(fixture);
  });

  after(async () => {
    if (fixture) {
      await cleanupHost(fixture, names, root);
      await fixture.close();
    }
    await sshd?.stop();
  });

  describe('basics', () => basicSuite(() => fixture, names));
  describe('host features', () => hostSuite(() => fixture, names, { localPath: false }));
  describe('autostop', () =>
    autostopSuite(() => fixture, names, {
      // OpenSSH's client with a terminal (-tt), as a user logs in
      login: async () => {
        const child = spawn('ssh', ['-tt', '-i', sshd.identityFile, '-o', `UserKnownHostsFile=${sshd.knownHostsFile}`, '-o', 'BatchMode=yes', '-p', String(sshd.port), `${sshd.user}@${sshd.host}`, 'sleep 120'], { stdio: ['pipe', 'ignore', 'ignore'] });
        return async () => {
          const gone = new Promise((r) => child.once('exit', r));
          child.kill();
          await gone;
        };
      },
    }));

  it('a follow across an sshd restart delivers every line exactly once', async () => {
    const engine = engineFor(fixture);
    const n = uniqueName('restart');
    names.push(n);
    await engine.run({ name: n, command: 'for i in $(seq 1 300); do echo "line $i"; sleep 0.01; done' });
    const chunks: Buffer[] = [];
    let received = 0;
    let restarted: Promise<void> | undefined;
    const reconnects: number[] = [];
    const job = await engine.follow(n, {
      onData: (c) => {
        chunks.push(c);
        received += c.length;
        if (!restarted && received > 400) restarted = sshd.restart();
      },
      onReconnect: (info) => reconnects.push(info.fromByte),
    });
    await restarted;
    assert.equal(job.state, 'DONE');
    assert.ok(reconnects.length >= 1, 'the follow reconnected');
    const lines = Buffer.concat(chunks as unknown as Uint8Array[]).toString().split('\n');
    const expected = [...Array.from({ length: 300 }, (_, i) => `line ${i + 1}`), '[EXIT: 0]', ''];
    assert.deepEqual(lines, expected);
  });
});
