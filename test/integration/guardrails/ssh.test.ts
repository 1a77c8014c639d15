/** The guardrail suite over SSH: a real OpenSSH sshd on 127.0.0.1, the ssh2 target, real tmux. */
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';
import { absRoot, cleanupHost, type EngineFixture } from '../engine/fixture';
import { guardSuite } from './guardSuite';

describe('guardrails over SSH (real sshd)', function () {
  this.timeout(60_000);
  const names: string[] = [];
  let sshd: TestSshd;
  let fixture: EngineFixture;
  let root = '';

  before(async () => {
    sshd = await startSshd();
    const target = createSshTarget(sshd.config(), { connection: { keepaliveIntervalMs: 1000, reconnectWindowMs: 20_000 } });
    fixture = { label: 'ssh', target, config: (o) => sshd.config(o), close: () => target.close() };
    root = await absRoot(fixture);
  });

  after(async () => {
    if (fixture) {
      await cleanupHost(fixture, names, root);
      await fixture.close();
    }
    await sshd?.stop();
  });

  guardSuite(() => fixture, names);
});
