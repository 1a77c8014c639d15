/**
 * Guardrails on a real target (local bash + tmux, or real sshd + tmux): L2 retries with backoff
 * and retry rules, L3 rollback, L1 stop-on-match on the host, the host-side parallel queue,
 * L4 stop-all, and the Slack notices (a stand-in HTTP server on loopback).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../../../src/core/engine/api';
import { UserError } from '../../../src/core/errors';
import { rollbackJob } from '../../../src/core/guardrails';
import { absRoot, engineFor, sh, uniqueName, waitEnded, waitFor, waitState, type EngineFixture } from '../engine/fixture';

const FAST = { retryBackoffSeconds: 0.2 };

/** A Slack stand-in on loopback: records every POST. */
export async function slackStandIn(): Promise<{ url: string; secret: string; texts: string[]; bodies: string[]; server: Server }> {
  const secret = randomBytes(12).toString('hex');
  const texts: string[] = [];
  const bodies: string[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      bodies.push(`${req.url ?? ''} ${body}`);
      try {
        texts.push((JSON.parse(body) as { text: string }).text);
      } catch {
        texts.push(`unparsable: ${body}`);
      }
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T1/B1/${secret}`, secret, texts, bodies, server };
}

/** Samples `ps` until stopped; returns lines that held `secret`. */
export function psSampler(secret: string): { stop: () => Promise<{ leaks: string[]; samples: number }> } {
  let on = true;
  let samples = 0;
  const leaks: string[] = [];
  const loop = (async () => {
    while (on) {
      const out = await new Promise<string>((r) => execFile('ps', ['-eo', 'args'], { maxBuffer: 1 << 24 }, (_e, o) => r(o)));
      samples++;
      leaks.push(...out.split('\n').filter((l) => l.includes(secret)));
    }
  })();
  return { stop: async () => { on = false; await loop; return { leaks, samples }; } };
}

export function guardSuite(fx: () => EngineFixture, names: string[]): void {
  let engine: Engine;
  const name = (tag: string): string => {
    const n = uniqueName(tag);
    names.push(n);
    return n;
  };
  const jobDir = async (e: Engine, n: string) => (await e.get(n))!.logPath.replace(/\/run\.log$/, '');
  before(() => {
    engine = engineFor(fx());
  });

  describe('L2 retries', () => {
    it('a command that fails twice then succeeds is retried with backoff and ends DONE; each attempt reads alone, and run.log is the only copy', async () => {
      const counter = `/tmp/${uniqueName('count')}`;
      const n = name('retry3');
      const command = `k=$(cat ${counter} 2>/dev/null || echo 0); k=$((k+1)); echo $k > ${counter}; echo "try $k at $(date +%s.%N)"; [ $k -ge 3 ] || exit 1`;
      await engine.run({ name: n, command, retries: 4, guardrails: FAST });
      const job = await waitEnded(engine, n);
      assert.deepEqual([job.state, job.exitCode, job.attempt], ['DONE', 0, 3]);
      for (const k of [1, 2, 3]) assert.match((await engine.readLog(n, { attempt: k })).toString(), new RegExp(`^try ${k} at [0-9.]+\n$`));
      await assert.rejects(engine.readLog(n, { attempt: 4 }), /has no attempt 4/);
      // The log is written once (PRODUCT.md §10): no per-attempt copy beside run.log.
      const dir = await jobDir(engine, n);
      assert.equal(await sh(fx().target, `cd '${dir}' && ls | grep -c '^attempt-' ; exit 0`), '0\n');
      const log = (await engine.readLog(n)).toString();
      assert.match(log, /^try 1 at .*\n\[RETRY: exit 1; attempt 2 of 5\]\ntry 2 at .*\n\[RETRY: exit 1; attempt 3 of 5\]\ntry 3 at .*\n\[EXIT: 0\]\n$/);
      // Backoff: 0.2 s then 0.4 s (doubling) between the attempts' own clocks.
      const times = [...log.matchAll(/try \d at ([0-9.]+)/g)].map((m) => Number(m[1]));
      assert.ok(times[1]! - times[0]! >= 0.2, `first pause ${times[1]! - times[0]!}`);
      assert.ok(times[2]! - times[1]! >= 0.4, `second pause ${times[2]! - times[1]!}`);
      await sh(fx().target, `rm -f ${counter}`);
    });

    it('does not retry exit 127 (command not found), a SyntaxError, or an exit code outside --retry-on-exit', async () => {
      const notFound = name('r127');
      await engine.run({ name: notFound, command: 'no-such-command-xyz', retries: 3, guardrails: FAST });
      const a = await waitEnded(engine, notFound);
      assert.deepEqual([a.state, a.exitCode, a.attempt], ['FAILED', 127, 1]);
      assert.match(a.reason!, /not retried: exit 127 is never retried/);

      const syntax = name('rsyntax');
      await engine.run({ name: syntax, command: 'echo "  File \\"x.py\\", line 1"; echo "SyntaxError: invalid syntax"; exit 1', retries: 3, guardrails: FAST });
      const b = await waitEnded(engine, syntax);
      assert.deepEqual([b.state, b.exitCode, b.attempt], ['FAILED', 1, 1]);
      assert.equal(b.reason, 'not retried: the log shows "SyntaxError", which a retry would not fix');
      assert.doesNotMatch((await engine.readLog(syntax)).toString(), /RETRY/);

      const only = name('ronly');
      await engine.run({ name: only, command: 'exit 5', retries: 3, guardrails: { ...FAST, retryOnExit: { kind: 'only', codes: [3, 4] } } });
      const c = await waitEnded(engine, only);
      assert.deepEqual([c.state, c.exitCode, c.attempt], ['FAILED', 5, 1]);
      assert.match(c.reason!, /exit 5 is not one of the retried exit codes \(3 4\)/);

      const listed = name('rlisted');
      await engine.run({ name: listed, command: 'exit 4', retries: 1, guardrails: { ...FAST, retryOnExit: { kind: 'only', codes: [3, 4] } } });
      const d = await waitEnded(engine, listed);
      assert.deepEqual([d.state, d.exitCode, d.attempt], ['FAILED', 4, 2]);
    });

    it('a stop during the backoff ends the job STOPPED without another attempt', async () => {
      const n = name('rstop');
      await engine.run({ name: n, command: 'echo once; exit 1', retries: 5, guardrails: { retryBackoffSeconds: 30 } });
      await waitFor('the retry line', async () => ((await engine.readLog(n)).toString().includes('[RETRY:') ? true : undefined));
      const job = await engine.stop(n);
      assert.equal(job.state, 'STOPPED');
      assert.equal((await engine.readLog(n)).toString(), 'once\n[RETRY: exit 1; attempt 2 of 6]\n[EXIT: 143]\n');
    });
  });

  describe('L3 rollback', () => {
    /** A git workdir with a tracked file, and a file next to (outside) the workdir. */
    async function repo(tag: string): Promise<{ wd: string; outside: string; commit: string }> {
      const home = await sh(fx().target, 'printf %s "$HOME"');
      const base = `${fx().config().remoteWorkdir.replace(/^~\//, `${home}/`)}-rb-${uniqueName(tag)}`;
      const wd = `${base}/wd`;
      const out = await sh(fx().target, `set -e; mkdir -p '${wd}'; cd '${wd}'; git init -q .; echo original > tracked.txt; git add tracked.txt
        git -c user.email=a@b -c user.name=a commit -q -m init; echo keep-me > '${base}/outside.txt'; git rev-parse HEAD`);
      return { wd, outside: `${base}/outside.txt`, commit: out.trim() };
    }

    it('restores a modified tracked file and leaves untracked files inside and outside the workdir alone', async () => {
      const { wd, outside, commit } = await repo('ok');
      const n = name('rb');
      await engine.run({ name: n, workdir: wd, command: `echo broken > tracked.txt; echo new > untracked.txt; echo changed > ../outside.txt.job` });
      assert.equal((await waitEnded(engine, n)).state, 'DONE');
      const plan = await rollbackJob(engine, n, { dryRun: true });
      assert.deepEqual(plan, { job: n, host: fx().target.host, workdir: (await sh(fx().target, `cd '${wd}' && pwd`)).trim(), commit, reset: false });
      assert.equal(await sh(fx().target, `cat '${wd}/tracked.txt'`), 'broken\n', 'a dry run changes nothing');
      const done = await rollbackJob(engine, n, { expectCommit: commit });
      assert.equal(done.reset, true);
      assert.equal(await sh(fx().target, `cat '${wd}/tracked.txt'`), 'original\n');
      assert.equal(await sh(fx().target, `cat '${wd}/untracked.txt'`), 'new\n');
      assert.equal(await sh(fx().target, `cat '${outside}' '${outside}.job'`), 'keep-me\nchanged\n');
    });

    it('refuses while the job runs, without a recorded commit, inside a larger repository, and after a re-run', async () => {
      const { wd, commit } = await repo('refuse');
      const running = name('rbrun');
      await engine.run({ name: running, workdir: wd, command: 'sleep 30' });
      await assert.rejects(rollbackJob(engine, running), (e: unknown) =>
        e instanceof UserError && e.exitCode === 1 && /still running/.test(e.message));
      await engine.stop(running);

      const plain = name('rbplain');
      await engine.run({ name: plain, workdir: `${fx().config().remoteWorkdir}-plain-${uniqueName('p')}`, command: 'true' });
      await waitEnded(engine, plain);
      await assert.rejects(rollbackJob(engine, plain), (e: unknown) =>
        e instanceof UserError && e.exitCode === 1 && /no commit was recorded before it/.test(e.message));

      const sub = name('rbsub');
      await sh(fx().target, `mkdir -p '${wd}/sub'`);
      await engine.run({ name: sub, workdir: `${wd}/sub`, command: 'echo x > ../tracked.txt' });
      await waitEnded(engine, sub);
      await assert.rejects(rollbackJob(engine, sub), (e: unknown) =>
        e instanceof UserError && /inside a larger git repository/.test(e.message));
      assert.equal(await sh(fx().target, `cat '${wd}/tracked.txt'`), 'x\n', 'nothing was reset');

      await assert.rejects(rollbackJob(engine, running, { expectCommit: '0'.repeat(40) }), (e: unknown) =>
        e instanceof UserError && /was it run again\?/.test(e.message));
      assert.ok(commit);
    });

    it('--rollback-on-retry resets the workdir before each retry', async () => {
      const { wd } = await repo('onretry');
      const n = name('rbretry');
      const command = 'cat tracked.txt; echo dirty >> tracked.txt; n=$(ls attempt-* 2>/dev/null | wc -l); touch attempt-$n; [ $n -ge 1 ]';
      await engine.run({ name: n, workdir: wd, command, retries: 2, guardrails: { ...FAST, rollbackOnRetry: true } });
      const job = await waitEnded(engine, n);
      assert.equal(job.state, 'DONE');
      const log = (await engine.readLog(n)).toString();
      assert.match(log, /^original\n\[RETRY: exit 1; attempt 2 of 3\]\norch: reset .* to [0-9a-f]{40} before the retry\noriginal\n\[EXIT: 0\]\n$/);
    });
  });

  describe('L1 on the host', () => {
    it('--stop-on-match stops the job at the first matching line, with the reason, and does not retry it', async () => {
      const n = name('som');
      const started = Date.now();
      await engine.run({ name: n, command: 'echo warming up; echo "RuntimeError: CUDA out of memory. Tried to allocate"; sleep 30', retries: 2, guardrails: { ...FAST, stopOnMatch: true } });
      const job = await waitEnded(engine, n);
      assert.ok(Date.now() - started < 15_000);
      assert.equal(job.state, 'STOPPED');
      assert.equal(job.attempt, 1);
      assert.equal(job.reason, 'stopped by guardrail L1: "CUDA out of memory" at line 2');
      assert.equal((await engine.readLog(n)).toString(), 'warming up\nRuntimeError: CUDA out of memory. Tried to allocate\n[EXIT: 143]\n');
    });

    it('a match on the last line of a failing attempt still stops it (no retry); no match leaves the job alone', async () => {
      const n = name('somlast');
      await engine.run({ name: n, command: 'echo ok; echo "Segmentation fault (core dumped)"; exit 139', retries: 2, guardrails: { ...FAST, stopOnMatch: true } });
      const job = await waitEnded(engine, n);
      assert.deepEqual([job.state, job.exitCode, job.attempt], ['STOPPED', 139, 1]);
      assert.match(job.reason!, /"Segmentation fault" at line 2/);
      const clean = name('somclean');
      await engine.run({ name: clean, command: 'echo all good', guardrails: { stopOnMatch: true } });
      assert.equal((await waitEnded(engine, clean)).state, 'DONE');
    });
  });

  describe('parallel queue on the host', () => {
    it('maxParallel 2: five jobs never run more than two at once, the rest QUEUED, FIFO, all DONE', async () => {
      const root = `${fx().config().logRoot}-par5`;
      const own = engineFor(fx(), { logRoot: root, maxParallel: 2 });
      const trace = `/tmp/${uniqueName('trace')}`;
      const ns = Array.from({ length: 5 }, (_, i) => name(`p${i}`));
      const initial: string[] = [];
      for (const n of ns) {
        const j = await own.run({ name: n, command: `echo "start ${n} $(date +%s%N)" >> ${trace}; sleep 0.8; echo "end ${n} $(date +%s%N)" >> ${trace}` });
        initial.push(j.state);
      }
      assert.deepEqual(initial, ['RUNNING', 'RUNNING', 'QUEUED', 'QUEUED', 'QUEUED']);
      let maxRunning = 0;
      while (true) {
        const jobs = (await own.list()).filter((j) => ns.includes(j.name));
        maxRunning = Math.max(maxRunning, jobs.filter((j) => j.state === 'RUNNING').length);
        if (jobs.every((j) => j.state === 'DONE' || j.state === 'FAILED')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(maxRunning <= 2, `saw ${maxRunning} RUNNING`);
      for (const n of ns) assert.equal((await own.get(n))!.state, 'DONE');
      const events = (await sh(fx().target, `cat ${trace}; rm -f ${trace}`)).trim().split('\n').map((l) => l.split(' '));
      const sorted = events.sort((a, b) => (BigInt(a[2]!) < BigInt(b[2]!) ? -1 : 1));
      let running = 0;
      let peak = 0;
      for (const [kind] of sorted) {
        running += kind === 'start' ? 1 : -1;
        peak = Math.max(peak, running);
      }
      assert.equal(peak, 2, 'two at once, never three');
      assert.deepEqual(sorted.filter((e) => e[0] === 'start').map((e) => e[1]), ns, 'started in FIFO order');
    });

    it('no slot is lost when a queued job is stopped or a running job crashes (tmux session killed)', async () => {
      const own = engineFor(fx(), { logRoot: `${fx().config().logRoot}-slots`, maxParallel: 2 });
      const [a, b, c, d, e] = ['sa', 'sb', 'sc', 'sd', 'se'].map(name);
      await own.run({ name: a!, command: 'sleep 30' });
      await own.run({ name: b!, command: 'sleep 30' });
      assert.equal((await own.run({ name: c!, command: 'echo c ran' })).state, 'QUEUED');
      assert.equal((await own.run({ name: d!, command: 'sleep 30' })).state, 'QUEUED');
      await own.stop(c!);
      assert.equal((await own.readLog(c!)).toString(), '[EXIT: 143]\n', 'a stopped queued job never runs');
      await sh(fx().target, `tmux kill-session -t '=${a}'`);
      assert.equal((await waitEnded(own, a!)).state, 'FAILED');
      await waitState(own, d!, 'RUNNING');
      await own.stop(b!);
      assert.equal((await own.run({ name: e!, command: 'sleep 30' })).state, 'RUNNING', 'the freed slots are usable');
      await own.stopAll();
    });
  });

  describe('L4 stop --all and notices', () => {
    it('stops every running and queued job at once, posts one notice per job and one summary; the URL is in no argv, log or notice', async () => {
      const slack = await slackStandIn();
      const ps = psSampler(slack.secret);
      try {
        const logRoot = `${fx().config().logRoot}-l4`;
        const own = engineFor(fx(), { logRoot, maxParallel: 1, slackWebhookUrl: slack.url });
        const root = `${await absRoot(fx())}-l4`;
        const [r, q1, q2] = ['l4run', 'l4q1', 'l4q2'].map(name);
        // The running job prints the webhook URL itself (read from the host's file): a notice must not quote it.
        await own.run({ name: r!, command: `echo "token: $(cat '${root}/.orch/slack-webhook')"; echo working; sleep 30` });
        await own.run({ name: q1!, command: 'echo q1 ran' });
        await own.run({ name: q2!, command: 'echo q2 ran' });
        await waitFor('the running job output', async () => ((await own.readLog(r!)).toString().includes('working') ? true : undefined));
        const t0 = Date.now();
        const stopped = await own.stopAll();
        assert.ok(Date.now() - t0 < 8000, `stopAll took ${Date.now() - t0} ms`);
        assert.deepEqual(stopped.map((j) => j.name).sort(), [r!, q1!, q2!].sort());
        assert.ok(stopped.every((j) => j.state === 'STOPPED' && j.reason === 'stopped with orch stop --all (guardrail L4)'), JSON.stringify(stopped));
        for (const q of [q1!, q2!]) assert.equal((await own.readLog(q)).toString(), '[EXIT: 143]\n', `${q} never ran`);
        await waitFor('four notices', async () => (slack.texts.length >= 4 ? true : undefined), 20_000);
        await new Promise((res) => setTimeout(res, 300));
        assert.equal(slack.texts.length, 4, slack.texts.join('\n---\n'));
        const summary = slack.texts.filter((t) => t.startsWith('Stopped 3 jobs on '));
        assert.equal(summary.length, 1, slack.texts.join('\n---\n'));
        for (const n of [r!, q1!, q2!]) {
          assert.ok(summary[0]!.includes(n));
          assert.equal(slack.texts.filter((t) => t.startsWith(`Job ${n} STOPPED (exit 143) on `)).length, 1, `notice of ${n}`);
        }
        const runNotice = slack.texts.find((t) => t.startsWith(`Job ${r} `))!;
        assert.match(runNotice, /token: \[webhook URL removed\]/);
        assert.ok(slack.bodies.every((b) => b.split(' ').slice(1).join(' ').includes(slack.secret) === false), 'no notice body holds the URL');
        const { leaks, samples } = await ps.stop();
        assert.deepEqual(leaks, []);
        assert.ok(samples > 3, `ps sampled ${samples} times`);
        const hits = await sh(fx().target, `grep -rlF '${slack.secret}' '${root}' | grep -v -e '/.orch/slack-webhook$' -e '/${r}/run.log$'; exit 0`);
        assert.equal(hits, '', 'the URL is in no other file than the 0600 one (and the job\'s own output)');
      } finally {
        await ps.stop();
        slack.server.close();
      }
    });
  });
}
