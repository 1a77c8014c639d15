import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd } from '../harness/sshd';
describe('dbg', function () { this.timeout(60000); it('x', async () => {
  const sshd = await startSshd();
  const t = createSshTarget(sshd.config(), { log: console.log });
  for (let k = 0; k < 6; k++) {
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => t.exec(`sleep 0.3; echo ${i}`).catch(e => e)));
    console.log('round', k, rs.map(r => r instanceof Error ? r.message : r.code).join(','));
    const ac = new AbortController();
    const r1 = await t.exec('echo started; sleep 30', { signal: ac.signal, onStdout: () => ac.abort() }).catch(e => e);
    console.log('abort:', r1 instanceof Error ? r1.message : r1.code);
    const r2 = await t.exec('echo ok').catch(e => e);
    console.log('after:', r2 instanceof Error ? r2.message : r2.stdout.toString());
  }
  console.log(sshd.log().split('\n').filter(l => !/Accepted|Connection from|Starting session|Server listening|Close session/.test(l)).join('\n'));
  await t.close(); await sshd.stop();
});});
