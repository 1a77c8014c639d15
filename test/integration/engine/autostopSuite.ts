/**
 * Autostop on a real host (PRODUCT.md §7): `run` installs the check as one crontab line per log
 * root; the test runs that line's command as cron would (without waiting for the minute) with a
 * 3-second threshold, and the configured autostop command records each run in a file. The line
 * is taken out of the crontab once read, so a cron daemon on the machine cannot race the test.
 */
import assert from 'node:assert/strict';
import type { Engine } from '../../../src/core/engine/api';
import { absRoot, engineFor, sh, uniqueName, waitEnded, waitFor, waitState, type EngineFixture } from './fixture';

const IDLE_S = 3;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface AutostopSuiteOptions {
  /** Opens an interactive (pty) login session on the host; resolves to a closer. SSH fixtures only. */
  login?: () => Promise<() => Promise<void>>;
}

export function autostopSuite(fx: () => EngineFixture, names: string[], options: AutostopSuiteOptions = {}): void {
  let seq = 0;
  const name = (tag: string): string => {
    const n = uniqueName(tag);
    names.push(n);
    return n;
  };

  /** An engine on a log root of its own (inside the fixture's), with the recording command. */
  async function setup(): Promise<{ engine: Engine; root: string; record: string; check: () => Promise<number> }> {
    const base = await absRoot(fx());
    const root = `${base}/autostop-${++seq}`;
    const record = `${root}/stopped.txt`;
    const engine = engineFor(fx(), { logRoot: root, autostopMinutes: IDLE_S / 60, autostopCommand: `date +%s >> '${record}'` });
    const first = name('first');
    await engine.run({ name: first, command: 'true' });
    await waitEnded(engine, first);
    const lines = (await sh(fx().target, 'crontab -l 2>/dev/null; exit 0')).split('\n').filter((l) => l.includes(`autostop_check '${root}'`));
    assert.equal(lines.length, 1, `one autostop line for the root:\n${lines.join('\n')}`);
    const line = lines[0]!;
    assert.match(line, /^\* \* \* \* \* bash '.*\/\.orch\/lib-[0-9a-f]+\.sh' autostop_check '.*' >\/dev\/null 2>&1 # orch-autostop:\d+$/);
    // a second run leaves it as it is
    const again = name('again');
    await engine.run({ name: again, command: 'true' });
    await waitEnded(engine, again);
    const after = (await sh(fx().target, 'crontab -l')).split('\n').filter((l) => l.includes(`autostop_check '${root}'`));
    assert.deepEqual(after, [line]);
    await sh(fx().target, `IFS= read -r -d '' l; crontab -l | grep -vxF -- "$l" | crontab -`, `${line}\0`);
    const command = line.replace(/^(\S+ ){5}/, '').replace(/ # orch-autostop:\d+$/, '');
    const check = async (): Promise<number> => {
      await sh(fx().target, command);
      const text = await sh(fx().target, `cat '${record}' 2>/dev/null; exit 0`);
      return text.split('\n').filter(Boolean).length;
    };
    return { engine, root, record, check };
  }

  it('run installs the check once; idle for the time, the autostop command runs once, and box status says when', async () => {
    const { engine, check } = await setup();
    assert.equal(await check(), 0, 'a job just ended: the clock restarted');
    const s = await engine.autostop!();
    assert.equal(s?.seconds, IDLE_S);
    assert.equal(s?.busy, null);
    assert.ok(s!.idleSeconds < IDLE_S, `idle ${s!.idleSeconds} s`);
    await pause(IDLE_S * 1000 + 1200);
    assert.equal(await check(), 1);
    assert.equal(await check(), 1, 'once per idle period');
    const done = await engine.autostop!();
    assert.equal(done?.action?.status, 0);
  });

  it('never while a job runs; the idle clock restarts when it ends', async () => {
    const { engine, check } = await setup();
    const n = name('busy');
    await engine.run({ name: n, command: 'sleep 30' });
    await waitState(engine, n, 'RUNNING');
    await pause(IDLE_S * 1000 + 1200);
    assert.equal(await check(), 0);
    assert.equal((await engine.autostop!())?.busy, `job ${n} is active`);
    await engine.stop(n);
    assert.equal(await check(), 0, 'the clock restarted at the job\'s end');
    await pause(IDLE_S * 1000 + 1200);
    assert.equal(await check(), 1);
  });

  it('never while a tmux client is attached', async () => {
    const { engine, check } = await setup();
    const session = name('client');
    // a client with a terminal of its own (python's pty), started from a session without one
    await sh(fx().target, `tmux new-session -d -s '${session}' 'sleep 60'
      (trap '' HUP; TERM=xterm exec python3 -c 'import pty,sys; pty.spawn(["tmux", "attach", "-t", sys.argv[1]])' '${session}') >/dev/null 2>&1 </dev/null &
      exit 0`);
    await waitFor('the tmux client', async () => ((await engine.autostop!())?.busy ?? '').startsWith('a tmux client is attached') || undefined);
    await pause(IDLE_S * 1000 + 1200);
    assert.equal(await check(), 0);
    await sh(fx().target, `tmux kill-session -t '=${session}'`);
    assert.equal(await check(), 0, 'the clock restarted when the client left');
    await pause(IDLE_S * 1000 + 1200);
    assert.equal(await check(), 1);
  });

  if (options.login) {
    it('never while an interactive login session is open (a pty ssh session through the real sshd)', async () => {
      const { engine, check } = await setup();
      const close = await options.login!();
      try {
        await waitFor('the login session', async () => / is logged in on pts\//.test((await engine.autostop!())?.busy ?? '') || undefined);
        await pause(IDLE_S * 1000 + 1200);
        assert.equal(await check(), 0);
      } finally {
        await close();
      }
      await waitFor('the session to end', async () => ((await engine.autostop!())?.busy === null) || undefined);
      assert.equal(await check(), 0, 'the clock restarted when the session ended');
      await pause(IDLE_S * 1000 + 1200);
      assert.equal(await check(), 1);
    });
  }

  it('a failed autostop command is reported once and not retried', async () => {
    const { engine, root } = await setup();
    const failing = engineFor(fx(), { logRoot: root, autostopMinutes: IDLE_S / 60, autostopCommand: `echo x >> '${root}/tries'; echo 'sudo: a password is required' >&2; exit 1` });
    const n = name('fail');
    await failing.run({ name: n, command: 'true' });
    await waitEnded(failing, n);
    const line = (await sh(fx().target, 'crontab -l')).split('\n').find((l) => l.includes(`autostop_check '${root}'`))!;
    await sh(fx().target, `IFS= read -r -d '' l; crontab -l | grep -vxF -- "$l" | crontab -`, `${line}\0`);
    const command = line.replace(/^(\S+ ){5}/, '').replace(/ # orch-autostop:\d+$/, '');
    await pause(IDLE_S * 1000 + 1200);
    await sh(fx().target, command);
    await sh(fx().target, command);
    assert.equal((await sh(fx().target, `cat '${root}/tries'`)).trim(), 'x');
    const s = await engine.autostop!();
    assert.equal(s?.action?.status, 1);
    assert.equal(s?.action?.output, 'sudo: a password is required');
  });

  it('a run with autostop off removes the check', async () => {
    const { root } = await setup();
    const off = engineFor(fx(), { logRoot: root });
    const n = name('off');
    await off.run({ name: n, command: 'true' });
    await waitEnded(off, n);
    assert.equal(await off.autostop!(), undefined);
    assert.equal((await sh(fx().target, 'crontab -l 2>/dev/null; exit 0')).includes(`autostop_check '${root}'`), false);
  });
}
