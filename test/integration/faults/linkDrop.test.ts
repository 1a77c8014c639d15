/**
 * A dropped link during a follow: every packet to the sshd port is silently dropped on loopback
 * (iptables), as when a laptop's Wi-Fi goes away. The client must notice within a bounded time
 * (SSH keepalive), keep the job alone, and resume with nothing lost once the link is back.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createEngine } from '../../../src/core/engine/engine';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { startSshd, type TestSshd } from '../harness/sshd';
import { dropCronEntries, exited, ensureBundle, killSessions, makeCwd, orch, seqLog, spawnOrch, sshEnv, uniqueName, waitFor } from './harness';

const KEEPALIVE_MS = 1000;
const KEEPALIVE_COUNT = 3;

class Firewall {
  private readonly rules: string[][] = [];
  constructor(private readonly port: number) {}

  private spec(): string[] {
    return ['INPUT', '-i', 'lo', '-p', 'tcp', '--dport', String(this.port), '-m', 'comment', '--comment', `orch-faults-${process.pid}`, '-j', 'DROP'];
  }
  drop(): void {
    const spec = this.spec();
    execFileSync('iptables', ['-w', '-I', ...spec]);
    this.rules.push(spec);
  }
  restore(): void {
    while (this.rules.length > 0) {
      const spec = this.rules.pop()!;
      try {
        execFileSync('iptables', ['-w', '-D', ...spec], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
  }
}

function requireIptables(): void {
  try {
    execFileSync('iptables', ['-w', '-L', 'INPUT', '-n'], { stdio: 'ignore' });
  } catch (e) {
    throw new Error(`the link-drop tests need a working iptables (run scripts/setup-test-env.sh): ${(e as Error).message}`);
  }
}

describe('faults: the link drops during a follow (port firewalled on loopback)', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let firewall: Firewall | undefined;
  let cwd: string;
  const names: string[] = [];

  before(async () => {
    requireIptables();
    ensureBundle();
    sshd = await startSshd();
    firewall = new Firewall(sshd.port);
    cwd = makeCwd();
  });
  afterEach(() => firewall?.restore());
  after(async () => {
    firewall?.restore();
    if (sshd) {
      await killSessions(sshd, names);
      await dropCronEntries(sshd);
      await sshd.stop();
    }
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  it('engine.follow notices within keepalive × count (+ slack), resumes after the link is back, every byte once', async () => {
    const config = sshd.config({ project: 'faults' });
    const target = createSshTarget(config, { connection: { keepaliveIntervalMs: KEEPALIVE_MS, keepaliveCountMax: KEEPALIVE_COUNT, reconnectWindowMs: 30_000 } });
    const engine = createEngine(config, target, { reconnectWindowMs: 40_000 });
    try {
      const n = uniqueName('drop');
      names.push(n);
      await engine.run({ name: n, command: 'for i in $(seq 1 500); do echo $i; sleep 0.02; done' });
      const chunks: Buffer[] = [];
      let droppedAt = 0;
      let noticedAfter = -1;
      const job = await engine.follow(n, {
        onData: (c) => {
          chunks.push(c);
          if (!droppedAt && Buffer.concat(chunks).length > 60) {
            firewall!.drop();
            droppedAt = performance.now();
            // Put the link back after a bounded outage whether or not the drop was noticed.
            setTimeout(() => firewall!.restore(), 9_000);
          }
        },
        onReconnect: () => {
          if (noticedAfter < 0) {
            noticedAfter = performance.now() - droppedAt;
            firewall!.restore();
          }
        },
      });
      assert.ok(noticedAfter >= 0, 'the follow noticed the dead link');
      assert.ok(noticedAfter < KEEPALIVE_MS * (KEEPALIVE_COUNT + 3), `noticed after ${noticedAfter.toFixed(0)} ms`);
      assert.equal(job.state, 'DONE');
      assert.equal(Buffer.concat(chunks).toString(), seqLog(500));
    } finally {
      firewall!.restore();
      await engine.close();
    }
  });

  it('`orch logs -f` (default keepalive) rides over an 8 s outage and prints every line once', async () => {
    const env = sshEnv(sshd);
    const n = uniqueName('dropcli');
    names.push(n);
    assert.equal((await orch(['run', n, 'for i in $(seq 1 200); do echo $i; sleep 0.05; done'], { env, cwd })).code, 0);
    const follower = spawnOrch(['logs', '-f', n], { env, cwd });
    await waitFor('the first lines', async () => (follower.out.stdout.split('\n').length > 10 ? true : undefined));
    firewall!.drop();
    await new Promise((r) => setTimeout(r, 8_000));
    // The job went on in tmux regardless.
    assert.equal((await sshd.runAsUser(`tmux has-session -t '=${n}'`)).code, 0);
    firewall!.restore();
    const end = await Promise.race([exited(follower), new Promise<never>((_, j) => setTimeout(() => j(new Error(`orch logs -f did not resume; stderr: ${follower.out.stderr}`)), 40_000))]);
    assert.equal(end.code, 0, follower.out.stderr);
    assert.equal(follower.out.stdout, seqLog(200));
  });
});
