import { strict as assert } from 'node:assert';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLinkProxy, type LinkProxy } from '../../../bench/lib/linkProxy';
import type { OrchConfig } from '../../../src/core/config/types';
import { createEngine } from '../../../src/core/engine/engine';
import { JobsService } from '../../../src/core/jobs/jobsService';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';

const quiet = { info: () => undefined, warn: () => undefined };
const IDLE_MS = 12_000;

/**
 * What the jobs tree's change watch costs while nothing happens, and how soon a job started
 * elsewhere reaches the snapshot: bytes counted by a TCP proxy between the client and a real sshd.
 */
describe('the change watch over a real SSH connection: idle traffic and time to appear', function () {
  this.timeout(90_000);
  let sshd: TestSshd;
  let link: LinkProxy;
  let config: OrchConfig;
  let dir = '';

  before(async () => {
    sshd = await startSshd();
    link = await startLinkProxy({ targetHost: '127.0.0.1', targetPort: sshd.port, oneWayMs: 0, mbitPerSec: 10_000 });
    dir = mkdtempSync(join(tmpdir(), 'orch-watch-traffic-'));
    const base = sshd.config();
    const knownHosts = join(dir, 'known_hosts');
    copyFileSync(base.knownHosts, knownHosts);
    const keyLine = readFileSync(base.knownHosts, 'utf8').trim().split('\n')[0]!.split(/\s+/).slice(1).join(' ');
    appendFileSync(knownHosts, `[${link.host}]:${link.port} ${keyLine}\n`);
    config = { ...base, host: link.host, port: link.port, knownHosts };
  });
  after(async () => {
    await link?.close();
    await sshd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Bytes both ways over the link while the service sits idle for IDLE_MS after its first refresh. */
  async function idleBytes(watch: boolean): Promise<number> {
    const target = createSshTarget(config);
    const s = new JobsService(async () => ({ engine: createEngine(config, target), target, logRoot: config.logRoot }), async () => ['remote'], quiet, { watch });
    try {
      await s.refresh();
      await new Promise((r) => setTimeout(r, 1_500)); // the watch's first answer (the baseline)
      const before = link.stats.bytesUp + link.stats.bytesDown;
      await new Promise((r) => setTimeout(r, IDLE_MS));
      return link.stats.bytesUp + link.stats.bytesDown - before;
    } finally {
      await s.reset(false);
      s.dispose();
    }
  }

  it('costs next to nothing while idle (the SSH keepalive is all that travels)', async () => {
    const without = await idleBytes(false);
    const withWatch = await idleBytes(true);
    console.log(`      idle ${IDLE_MS / 1000} s on one connection: ${withWatch} bytes with the watch, ${without} bytes without it (keepalives only)`);
    assert.ok(withWatch - without < 600, `the watch added ${withWatch - without} bytes in ${IDLE_MS / 1000} s`);
  });

  it('puts a job started by another client into the snapshot within about two seconds', async () => {
    const target = createSshTarget(config);
    const s = new JobsService(async () => ({ engine: createEngine(config, target), target, logRoot: config.logRoot }), async () => ['remote'], quiet);
    const other = createEngine(sshd.config(), createSshTarget(sshd.config()));
    try {
      await s.refresh();
      await new Promise((r) => setTimeout(r, 1_500));
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const name = `elsewhere-${Date.now().toString(36)}-${i}`;
        const t0 = Date.now();
        await other.run({ name, command: 'sleep 30' });
        while (!s.snapshot.jobs.some((j) => j.name === name)) {
          if (Date.now() - t0 > 5_000) assert.fail(`${name} did not appear within 5 s`);
          await new Promise((r) => setTimeout(r, 50));
        }
        times.push(Date.now() - t0);
        await other.stop(name);
        await new Promise((r) => setTimeout(r, 1_500));
      }
      console.log(`      time to appear (run on another connection → snapshot): ${times.join(', ')} ms`);
      assert.ok(Math.max(...times) < 3_000, times.join(', '));
    } finally {
      await other.close();
      await s.reset(false);
      s.dispose();
    }
  });
});
