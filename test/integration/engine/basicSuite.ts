/**
 * Engine behaviour a user notices, on a real target (local bash + tmux, or real sshd + tmux):
 * states, the exit line, output order, quoting, parallel starts, refusals, stop, logs, follow.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { UserError } from '../../../src/core/errors';
import type { Engine } from '../../../src/core/engine/api';
import type { ShellTarget } from '../../../src/host/target';
import { VANISHED_REASON } from '../../../src/core/engine/state';
import { engineFor, sh, uniqueName, waitEnded, waitFor, waitState, type EngineFixture } from './fixture';

export function basicSuite(fx: () => EngineFixture, names: string[]): void {
  let engine: Engine;
  const name = (tag: string): string => {
    const n = uniqueName(tag);
    names.push(n);
    return n;
  };
  before(() => {
    engine = engineFor(fx());
  });

  async function runToEnd(tag: string, command: string): Promise<{ job: Awaited<ReturnType<Engine['get']>>; log: string; n: string }> {
    const n = name(tag);
    await engine.run({ name: n, command });
    const job = await waitEnded(engine, n);
    return { job, log: (await engine.readLog(n)).toString('utf8'), n };
  }

  it('runs a job to DONE with stdout and stderr in order and [EXIT: 0] last', async () => {
    const n = name('order');
    const started = await engine.run({ name: n, command: 'echo one; echo two >&2; echo three; echo four >&2' });
    assert.ok(['RUNNING', 'DONE'].includes(started.state), started.state);
    assert.equal(started.host, fx().target.host);
    assert.match(started.logPath, new RegExp(`^/.*/${n}/run\\.log$`));
    const job = await waitEnded(engine, n);
    assert.equal(job.state, 'DONE');
    assert.equal(job.exitCode, 0);
    assert.ok(job.startedAt && job.endedAt && job.startedAt <= job.endedAt);
    assert.equal((await engine.readLog(n)).toString(), 'one\ntwo\nthree\nfour\n[EXIT: 0]\n');
    assert.equal(await sh(fx().target, `cat '${job.logPath}'`), 'one\ntwo\nthree\nfour\n[EXIT: 0]\n');
  });

  it('records the command\'s own exit status through the pipe, not tee\'s', async () => {
    const { job, log } = await runToEnd('fail', 'echo before; exit 7');
    assert.equal(job!.state, 'FAILED');
    assert.equal(job!.exitCode, 7);
    assert.equal(log, 'before\n[EXIT: 7]\n');
  });

  it('counts only the runner\'s final exit line, not [EXIT: N] text in the output', async () => {
    const { job, log } = await runToEnd('fakeexit', 'echo "[EXIT: 5]"; printf "no newline"');
    assert.equal(job!.state, 'DONE');
    assert.equal(job!.exitCode, 0);
    assert.equal(log, '[EXIT: 5]\nno newline\n[EXIT: 0]\n');
  });

  it('runs in a bash login shell in the workdir, creating it, with PYTHONUNBUFFERED=1', async () => {
    const { log, job } = await runToEnd('env', 'pwd; shopt -q login_shell && echo login; echo "unbuf=$PYTHONUNBUFFERED"');
    assert.equal(log, `${job!.workdir}\nlogin\nunbuf=1\n[EXIT: 0]\n`);
  });

  it('records the workdir\'s git commit before a job in a git checkout', async () => {
    const wd = `${fx().config().remoteWorkdir}-git`;
    const n = name('git');
    await engine.run({ name: n, workdir: wd, command: 'git init -q . && git -c user.email=a@b -c user.name=a commit -q --allow-empty -m x && echo made' });
    await waitEnded(engine, n);
    const m = name('githead');
    await engine.run({ name: m, workdir: wd, command: 'git rev-parse HEAD' });
    const job = await waitEnded(engine, m);
    const head = (await engine.readLog(m)).toString().split('\n')[0];
    assert.match(head!, /^[0-9a-f]{40}$/);
    assert.equal(await sh(fx().target, `cat "$(dirname '${job.logPath}')/git-head"`), `${head}\n`);
  });

  it('passes quotes, $, backticks, newlines, unicode and a 100 KB command to bash intact, injecting nothing', async () => {
    const canary = `${await sh(fx().target, 'printf %s "$HOME"')}/canary-${uniqueName('c')}`;
    const tricky = `it's "quoted" $HOME \`id\` $(touch ${canary}) ; touch ${canary} \\ 日本語 ✓ 🚀`;
    // A heredoc-free way to print the tricky text exactly: single-quote it the bash way.
    const quoted = `'${tricky.replace(/'/g, `'\\''`)}'`;
    const { log } = await runToEnd('quote', `printf '%s\\n' ${quoted}\necho "second line"`);
    assert.equal(log, `${tricky}\nsecond line\n[EXIT: 0]\n`);
    const big = 'x'.repeat(100_000);
    const bigCommand = `v='${big}'\necho "\${#v}"; echo "$v" | md5sum | cut -c1-8`;
    const r = await runToEnd('big', bigCommand);
    const md5 = createHash('md5').update(big + '\n').digest('hex').slice(0, 8);
    assert.equal(r.log, `100000\n${md5}\n[EXIT: 0]\n`);
    assert.equal(r.job!.command, bigCommand);
    assert.equal(await sh(fx().target, `[ -e '${canary}' ] && echo yes || echo no`), 'no\n');
  });

  it('starts 20 jobs in parallel and all end DONE; list is one round trip, newest first', async () => {
    const ns = Array.from({ length: 20 }, (_, i) => name(`par${i}`));
    await Promise.all(ns.map((n, i) => engine.run({ name: n, command: `echo job ${i}; sleep 0.3` })));
    for (const n of ns) assert.equal((await waitEnded(engine, n, 30_000)).state, 'DONE');
    let calls = 0;
    const counting: ShellTarget = { host: fx().target.host, exec: (s, o) => (calls++, fx().target.exec(s, o)), close: async () => undefined };
    const listed = await engineFor(fx(), undefined, counting).list();
    assert.equal(calls, 1);
    for (const n of ns) assert.equal(listed.find((j) => j.name === n)?.state, 'DONE');
    const created = listed.map((j) => j.name).filter((n) => ns.includes(n));
    assert.equal(created.length, 20);
    for (const [i, n] of ns.entries()) assert.equal((await engine.readLog(n)).toString(), `job ${i}\n[EXIT: 0]\n`);
  });

  it('refuses a running name (exit 2) and an existing log unless force, which keeps the old log renamed', async () => {
    const n = name('dup');
    await engine.run({ name: n, command: 'echo first; sleep 30' });
    await waitFor('first output', async () => ((await engine.readLog(n)).length > 0 ? true : undefined));
    await assert.rejects(engine.run({ name: n, command: 'echo again' }), (e: unknown) =>
      e instanceof UserError && e.exitCode === 2 && /already running/.test(e.message));
    await engine.stop(n);
    await assert.rejects(engine.run({ name: n, command: 'echo again' }), (e: unknown) =>
      e instanceof UserError && e.exitCode === 2 && e.reason === 'log-exists' && /already exists.*--force/.test(e.message));
    await engine.run({ name: n, command: 'echo second', force: true });
    await waitEnded(engine, n);
    assert.equal((await engine.readLog(n)).toString(), 'second\n[EXIT: 0]\n');
    const job = (await engine.get(n))!;
    const kept = await sh(fx().target, `cat "$(dirname '${job.logPath}')".prev-*/run.log`);
    assert.equal(kept, 'first\n[EXIT: 143]\n');
    assert.ok(!(await engine.list()).some((j) => j.name.includes('.prev-')));
  });

  it('refuses invalid names before anything runs', async () => {
    for (const bad of ['a.b', '-x', 'a b', '$(id)', '', 'x'.repeat(81)]) {
      await assert.rejects(engine.run({ name: bad, command: 'true' }), (e: unknown) => e instanceof UserError && e.exitCode === 2);
    }
  });

  it('stops a job: STOPPED, log kept, [EXIT: 143] last exactly once; stopping again is a no-op', async () => {
    const n = name('stop');
    await engine.run({ name: n, command: 'trap "echo cleanup; exit 143" TERM; echo started; while :; do sleep 0.1; done' });
    await waitState(engine, n, 'RUNNING');
    // The trap is set once the command has printed (a login bash can be slow to start on a busy box).
    await waitFor('the job to print', async () => ((await engine.readLog(n)).toString().startsWith('started\n') ? true : undefined));
    assert.deepEqual((await engine.status()).filter((j) => j.name === n).map((j) => j.state), ['RUNNING']);
    const stopped = await engine.stop(n);
    assert.equal(stopped.state, 'STOPPED');
    assert.equal(stopped.exitCode, 143);
    assert.equal(stopped.reason, 'stopped with orch stop');
    // bash may also say "Terminated" for the killed sleep; the command's own lines are in order.
    const log = (await engine.readLog(n)).toString();
    assert.match(log, /^started\n(Terminated\n)?cleanup\n\[EXIT: 143\]\n$/);
    assert.deepEqual(await engine.stop(n), stopped);
    assert.equal(await sh(fx().target, `tmux has-session -t '=${n}' 2>/dev/null && echo alive || echo gone`), 'gone\n');
    assert.ok(!(await engine.status()).some((j) => j.name === n));
  });

  it('stop of a missing job is a UserError with exit code 1', async () => {
    await assert.rejects(engine.stop(name('nosuch')), (e: unknown) =>
      e instanceof UserError && e.exitCode === 1 && /no job named/.test(e.message));
  });

  it('stopAll stops every active job and nothing else', async () => {
    const a = name('all-a');
    const b = name('all-b');
    const own = engineFor(fx(), { logRoot: `${fx().config().logRoot}-all` });
    await own.run({ name: a, command: 'sleep 30' });
    await own.run({ name: b, command: 'sleep 30' });
    const done = name('all-done');
    await own.run({ name: done, command: 'true' });
    await waitEnded(own, done);
    const stopped = await own.stopAll();
    assert.deepEqual(stopped.map((j) => j.name).sort(), [a, b].sort());
    assert.ok(stopped.every((j) => j.state === 'STOPPED'));
    assert.equal((await own.get(done))!.state, 'DONE');
  });

  it('enforces max-hours on the host and says why', async () => {
    const n = name('maxh');
    await engine.run({ name: n, command: 'echo go; sleep 30', maxHours: 0.0003 });
    const job = await waitEnded(engine, n);
    assert.equal(job.state, 'STOPPED');
    assert.equal(job.reason, 'stopped after max-hours');
    assert.equal((await engine.readLog(n)).toString(), 'go\n[EXIT: 143]\n');
  });

  it('retries a failed job on the host, keeping every attempt in the log; the last line is the final exit', async () => {
    const counter = uniqueName('count');
    const n = name('retry');
    const command = `k=$(cat ${counter} 2>/dev/null || echo 0); k=$((k+1)); echo $k > ${counter}; printf "try $k"; [ $k -ge 3 ]`;
    await engine.run({ name: n, command, retries: 5, guardrails: { retryBackoffSeconds: 0.05 } });
    const job = await waitEnded(engine, n);
    assert.equal(job.state, 'DONE');
    assert.equal(job.attempt, 3);
    assert.equal((await engine.readLog(n)).toString(),
      'try 1\n[RETRY: exit 1; attempt 2 of 6]\ntry 2\n[RETRY: exit 1; attempt 3 of 6]\ntry 3\n[EXIT: 0]\n');
    const m = name('retryfail');
    await engine.run({ name: m, command: 'echo no; exit 4', retries: 1, guardrails: { retryBackoffSeconds: 0.05 } });
    const failed = await waitEnded(engine, m);
    assert.deepEqual([failed.state, failed.exitCode, failed.attempt], ['FAILED', 4, 2]);
    assert.equal((await engine.readLog(m)).toString(), 'no\n[RETRY: exit 4; attempt 2 of 2]\nno\n[EXIT: 4]\n');
  });

  it('a session that vanished without an exit line is FAILED with the reason', async () => {
    const n = name('vanish');
    await engine.run({ name: n, command: 'while :; do echo tick; sleep 0.1; done' });
    await waitState(engine, n, 'RUNNING');
    await sh(fx().target, `tmux kill-session -t '=${n}'`);
    const job = await waitEnded(engine, n);
    assert.equal(job.state, 'FAILED');
    assert.equal(job.exitCode, null);
    assert.equal(job.reason, VANISHED_REASON);
    // status asks the host only for jobs without an exit marker; this one has none and is
    // still judged (FAILED, so not shown), while list shows it.
    assert.ok(!(await engine.status()).some((j) => j.name === n));
    assert.equal((await engine.list()).find((j) => j.name === n)?.state, 'FAILED');
  });

  it('a live runner keeps a job RUNNING; another program that took its pid does not', async () => {
    const n = name('pidreuse');
    const job = await engine.run({ name: n, command: 'sleep 30' });
    await waitState(engine, n, 'RUNNING');
    assert.deepEqual((await engine.status()).filter((j) => j.name === n).map((j) => j.state), ['RUNNING']);
    // The session goes and an unrelated process stands under the runner's pid (as after a reboot).
    const dir = job.logPath.replace(/\/run\.log$/, '');
    await sh(fx().target, `tmux kill-session -t '=${n}'; sleep 0.2; rm -f '${dir}/exit'; (exec -a stranger sleep 30) >/dev/null 2>&1 & echo $! > '${dir}/runner.pid'`);
    assert.equal((await engine.get(n))?.state, 'FAILED');
    assert.ok(!(await engine.status()).some((j) => j.name === n));
    await sh(fx().target, `kill "$(cat '${dir}/runner.pid')"`);
  });

  it('reads the last N lines and follows from a byte offset to the exit line', async () => {
    const n = name('logs');
    await engine.run({ name: n, command: 'seq 1 100; sleep 0.5; echo tail-end' });
    const chunks: Buffer[] = [];
    const job = await engine.follow(n, { fromByte: 4, onData: (c) => chunks.push(c) });
    assert.equal(job.state, 'DONE');
    const all = Array.from({ length: 100 }, (_, i) => `${i + 1}\n`).join('') + 'tail-end\n[EXIT: 0]\n';
    assert.equal(Buffer.concat(chunks as unknown as Uint8Array[]).toString(), all.slice(4));
    assert.equal((await engine.readLog(n, { tailLines: 3 })).toString(), '100\ntail-end\n[EXIT: 0]\n');
    await assert.rejects(engine.readLog(name('nolog')), (e: unknown) => e instanceof UserError && e.exitCode === 1);
  });

  it('a follow ends when aborted and leaves the job running', async () => {
    const n = name('abort');
    await engine.run({ name: n, command: 'while :; do echo x; sleep 0.1; done' });
    const ac = new AbortController();
    let got = 0;
    const p = engine.follow(n, { onData: (c) => { got += c.length; if (got > 10) ac.abort(); }, signal: ac.signal });
    const job = await p;
    assert.equal(job.state, 'RUNNING');
    await engine.stop(n);
  });

  it('keeps no state on the client: a second engine sees the same jobs', async () => {
    const n = name('shared');
    await engine.run({ name: n, command: 'true' });
    await waitEnded(engine, n);
    const other = engineFor(fx());
    assert.deepEqual(await other.get(n), await engine.get(n));
  });
}
