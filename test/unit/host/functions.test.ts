/**
 * Host library functions called on their own (real bash, temp dirs, a private tmux server):
 * the runner's exit status and attempt ranges, the one exit line under a finish race, slot
 * hand-over, the retry decision, prune, and the modes of what orch writes.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HostSandbox } from './hostShell';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);

describe('host library functions', function () {
  this.timeout(20000);
  let box: HostSandbox;
  beforeEach(() => {
    box = new HostSandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  it('runner: the command\'s own status is the exit line, the exit marker and the runner\'s output', async () => {
    const d = box.job('r7', 'echo out; echo err >&2; exit 7');
    const r = await box.sh(`runner "${d}"`);
    assert.equal(r.stdout, 'out\nerr\n[EXIT: 7]\n');
    assert.equal(readFileSync(join(d, 'run.log'), 'utf8'), 'out\nerr\n[EXIT: 7]\n');
    assert.equal(readFileSync(join(d, 'exit'), 'utf8'), '7\n');
    assert.match(readFileSync(join(d, 'ended'), 'utf8'), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\n$/);
  });

  it('runner: files orch writes are 0600, the command keeps the user\'s umask for its own files', async () => {
    const d = box.job('um', 'touch mine.txt');
    await box.sh(`umask 022; runner "${d}"`);
    for (const f of ['run.log', 'exit', 'ended', 'started', 'attempts', 'runner.pid']) assert.equal(mode(join(d, f)), '600', f);
    assert.equal(mode(join(box.dir, 'work', 'mine.txt')), '644');
    writeFileSync(join(box.root, '.orch', 'group-readable'), '');
    const g = box.job('grp', 'true');
    await box.sh(`umask 022; runner "${g}"`);
    assert.equal(mode(join(g, 'exit')), '640');
  });

  it('runner with retries: each attempt is a byte range of run.log, read back alone; no copy', async () => {
    const counter = join(box.dir, 'count');
    const d = box.job('rt', `k=$(cat ${counter} 2>/dev/null || echo 0); k=$((k+1)); echo $k > ${counter}; printf 'try %s\\n' $k; [ $k -ge 3 ]`, {
      retries: '3\n',
      'retry-backoff': '0 0\n',
      'retry-exit': 'except 2 126 127\n',
    });
    await box.sh(`runner "${d}" >/dev/null`);
    assert.equal(readFileSync(join(d, 'run.log'), 'utf8'), 'try 1\n[RETRY: exit 1; attempt 2 of 4]\ntry 2\n[RETRY: exit 1; attempt 3 of 4]\ntry 3\n[EXIT: 0]\n');
    for (const k of [1, 2, 3]) assert.equal((await box.sh(`attempt_text "${d}" ${k}`)).stdout, `try ${k}\n`);
    assert.equal((await box.sh(`attempt_text "${d}" 4`)).code, 1);
    assert.deepEqual(readFileSync(join(d, 'attempts'), 'utf8').trim().split('\n').map((l) => l.split(' ').length), [3, 3, 3]);
  });

  it('finish: ten racing writers leave exactly one exit line, and the exit marker after it', async () => {
    const d = box.job('race', 'true');
    writeFileSync(join(d, 'run.log'), 'partial');
    await box.sh(`for i in 1 2 3 4 5 6 7 8 9 10; do finish "${d}" $i & done; wait`);
    const log = readFileSync(join(d, 'run.log'), 'utf8');
    const lines = log.split('\n').filter((l) => l.startsWith('[EXIT: '));
    assert.equal(lines.length, 1, log);
    assert.equal(log, `partial\n${lines[0]}\n`);
    assert.equal(readFileSync(join(d, 'exit'), 'utf8').trim(), lines[0]!.slice(7, -1));
  });

  it('slots: with max-parallel 1 the second job waits QUEUED and gets the slot when the first ends', async () => {
    const a = box.job('a', `sleep 0.6; date +%s%N > ${box.dir}/a.end`, { 'max-parallel': '1\n' });
    const b = box.job('b', `date +%s%N > ${box.dir}/b.start`, { 'max-parallel': '1\n' });
    const run = box.sh(`bash "$LIB" runner "${a}" >/dev/null & sleep 0.2; bash "$LIB" runner "${b}" >/dev/null & sleep 0.2; [ -e "${b}/queued" ] && echo queued; wait`);
    const r = await run;
    assert.equal(r.stdout, 'queued\n');
    assert.ok(!existsSync(join(b, 'queued')));
    assert.ok(Number(readFileSync(join(box.dir, 'b.start'), 'utf8')) >= Number(readFileSync(join(box.dir, 'a.end'), 'utf8')));
  });

  it('slots: a queued job whose runner died is not waited for (FIFO skips it)', async () => {
    const dead = box.job('dead', 'true', { queued: '1\n', 'runner.pid': '999999\n' });
    const c = box.job('c', 'echo ran', { 'max-parallel': '1\n' });
    const r = await box.sh(`timeout 5 bash "$LIB" runner "${c}"`);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(existsSync(join(dead, 'queued')));
    assert.equal(readFileSync(join(c, 'exit'), 'utf8'), '0\n');
  });

  it('GPU slots: inventory 2, three jobs of 1 GPU: two get distinct indices, the third waits and takes a freed one', async () => {
    const gpu = { 'gpus-wanted': '1\n', 'gpu-inventory': '2\n' };
    const [a, b, c] = ['ga', 'gb', 'gc'].map((n, i) =>
      box.job(n, `echo "$CUDA_VISIBLE_DEVICES $ORCH_GPUS" > ${box.dir}/${n}.env; sleep ${i === 0 ? 0.8 : 1.6}`, gpu));
    // As in a tmux session: `bash LIB runner DIR` (how the host tells a live runner from a reused pid).
    const r = await box.sh(`bash "$LIB" runner "${a}" >/dev/null & sleep 0.2; bash "$LIB" runner "${b}" >/dev/null & sleep 0.3
      printf '%s %s|' "$(cat "${a}/gpus")" "$(cat "${b}/gpus")"
      bash "$LIB" runner "${c}" >/dev/null & sleep 0.2; [ -e "${c}/queued" ] && [ ! -e "${c}/gpus" ] && printf 'queued|'
      wait; ls "$LIB" >/dev/null; ls "${box.root}/.orch/gpus"`);
    const [held, queued, leases] = r.stdout.split('|');
    assert.deepEqual(held!.split(' ').sort(), ['0', '1']);
    assert.equal(queued, 'queued');
    assert.equal(leases!.trim(), '', 'every lease is given back at the end');
    const env = (n: string) => readFileSync(join(box.dir, `${n}.env`), 'utf8').trim();
    assert.equal(env('ga'), `${held!.split(' ')[0]} ${held!.split(' ')[0]}`);
    assert.equal(env('gc'), `${held!.split(' ')[0]} ${held!.split(' ')[0]}`, 'the third takes the index the first gave back');
  });

  it('GPU slots: the lease of a runner killed with -9 is free for the next job', async () => {
    const gpu = { 'gpus-wanted': '1\n', 'gpu-inventory': '1\n' };
    const a = box.job('ka', 'sleep 30', gpu);
    const b = box.job('kb', `echo "$CUDA_VISIBLE_DEVICES" > ${box.dir}/kb.env`, gpu);
    const r = await box.sh(`bash "$LIB" runner "${a}" >/dev/null 2>&1 & sleep 0.4; cat "${a}/gpus"
      kill -9 "$(cat "${a}/runner.pid")"; kill -9 -- "-$(cat "${a}/cmd.pid")"
      timeout 5 bash "$LIB" runner "${b}" >/dev/null 2>&1; echo "rc=$?"`);
    assert.equal(r.stdout, '0\nrc=0\n');
    assert.equal(readFileSync(join(box.dir, 'kb.env'), 'utf8'), '0\n');
  });

  it('retry_allowed: exit 2/126/127 never, --retry-on-exit only/except, and no-retry patterns in this attempt only', async () => {
    const d = box.job('ra', 'true', { 'retry-exit': 'except 2 126 127\n', 'no-retry-patterns': 'SyntaxError\n' });
    writeFileSync(join(d, 'run.log'), 'SyntaxError: old\n[RETRY: exit 1; attempt 2 of 3]\nfine\n');
    writeFileSync(join(d, 'attempts'), '1 0 18\n2 49 54\n');
    const decide = async (st: number, k: number) => (await box.sh(`retry_allowed "${d}" ${st} ${k} && echo yes || cat "${d}/no-retry"`)).stdout.trim();
    assert.equal(await decide(127, 2), 'not retried: exit 127 is never retried (2, 126, 127)');
    assert.equal(await decide(1, 2), 'yes');
    assert.equal(await decide(1, 1), 'not retried: the log shows "SyntaxError", which a retry would not fix');
    writeFileSync(join(d, 'retry-exit'), 'only 3 4\n');
    assert.equal(await decide(1, 2), 'not retried: exit 1 is not one of the retried exit codes (3 4)');
    assert.equal(await decide(4, 2), 'yes');
  });

  it('prune: removes ended dirs untouched for DAYS days, keeps recent ones and a live job however old', async () => {
    const old = box.job('old', 'true', { exit: '0\n' });
    const recent = box.job('recent', 'true', { exit: '0\n' });
    const live = box.job('live', 'sleep 30');
    const past = new Date(Date.now() - 40 * 86400_000);
    const runnerPid = (await box.sh(`bash "$LIB" runner "${live}" >/dev/null 2>&1 & sleep 0.3; cat "${live}/runner.pid"`)).stdout.trim();
    for (const d of [old, live]) {
      for (const f of readdirSync(d)) utimesSync(join(d, f), past, past);
      utimesSync(d, past, past);
    }
    await box.sh(`prune "${box.root}" 30`);
    assert.deepEqual([existsSync(old), existsSync(recent), existsSync(live)], [false, true, true]);
    await box.sh(`kill -TERM -- -$(cat "${live}/cmd.pid") ${runnerPid}; sleep 0.2`);
  });

  it('job_alive: a runner pid reused by another program is not alive; no pid yet asks tmux', async () => {
    const d = box.job('alive', 'true', { 'runner.pid': `${process.pid}\n` });
    assert.equal((await box.sh(`job_alive "${d}" && echo alive || echo gone`)).stdout, 'gone\n');
    const s = box.job('sess', 'true');
    await box.sh('tmux new-session -d -s sess sleep 5');
    assert.equal((await box.sh(`job_alive "${s}" && echo alive || echo gone`)).stdout, 'alive\n');
    writeFileSync(join(s, 'exit'), '0\n');
    assert.equal((await box.sh(`job_alive "${s}" && echo alive || echo gone`)).stdout, 'gone\n');
  });
});
