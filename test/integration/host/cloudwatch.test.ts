/**
 * The CloudWatch shipper (src/host/lib/cloudwatch.sh) on its own: real bash and the real AWS
 * CLI (whichever `aws` is first on this machine's PATH) against the local CloudWatch Logs
 * endpoint, on job dirs of a temp log root. Every line of run.log must arrive exactly once and
 * in order: 20,000 lines with long lines, UTF-8, invalid bytes, control bytes and empty lines;
 * across a shipper killed mid-call and started again; across the endpoint down for a while.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLogsEndpoint, type LogsEndpoint } from '../harness/logsEndpoint';
import { HostSandbox } from '../../unit/host/hostShell';
import { expectedLines, joinEvents, nastyLog } from './cloudwatchLog';

const GROUP = '/orch/test';

describe('CloudWatch shipper (real AWS CLI, local endpoint)', function () {
  this.timeout(240_000);
  let logs: LogsEndpoint;
  let box: HostSandbox;
  const shippers: ChildProcess[] = [];

  /** The job dir's cloudwatch file as op_run writes it (the region, the aws found on PATH). */
  const cwJob = async (name: string, extra: Record<string, string> = {}): Promise<string> => {
    const d = box.job(name, 'true', extra);
    const r = await box.sh(`cloudwatch_files '${d}' '${name}' '${GROUP}'$'\\n''us-east-1' "$(command -v aws)"`);
    assert.equal(r.code, 0, r.stderr);
    return d;
  };
  const streamOf = (d: string): string => readFileSync(join(d, 'cloudwatch'), 'utf8').split('\n')[1]!;
  /** Starts `bash LIB cloudwatch_ship DIR` as op_run does, with the box's AWS environment. */
  const ship = (d: string): ChildProcess => {
    const child = spawn('bash', [box.lib, 'cloudwatch_ship', d], { env: { ...box.env, ...logs.awsEnv() }, stdio: 'ignore' });
    shippers.push(child);
    return child;
  };
  const exited = (c: ChildProcess): Promise<number | null> => new Promise((r) => (c.exitCode !== null ? r(c.exitCode) : c.once('exit', (code) => r(code))));
  const messages = (d: string): string[] => (logs.events(GROUP, streamOf(d)) ?? []).map((e) => e.message);
  const assertExactlyOnce = (d: string, log: Buffer): void => {
    const want = expectedLines(log);
    const got = joinEvents(messages(d), want);
    const bad = got.findIndex((g, i) => g !== want[i]);
    const at = (g = '', w = ''): number => [...w].findIndex((c, i) => g[i] !== c);
    assert.equal(bad, -1, bad < 0 ? '' : `line ${bad} (${got[bad]?.length} chars, want ${want[bad]?.length}), first difference at ${at(got[bad], want[bad])}`);
    assert.equal(got.length, want.length);
  };

  before(async () => {
    logs = await startLogsEndpoint();
  });
  beforeEach(() => {
    box = new HostSandbox();
  });
  afterEach(async () => {
    for (const c of shippers.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    logs.onPut = undefined;
    await logs.up().catch(() => undefined);
    await box.close();
  });
  after(async () => {
    await logs?.close();
  });

  it('ships 20,000 lines with long lines, UTF-8 and invalid bytes exactly once, in order, within the API limits', async () => {
    const log = nastyLog();
    const d = await cwJob('nasty', { exit: '0\n' });
    writeFileSync(join(d, 'run.log'), log);
    const t0 = Date.now();
    assert.equal(await exited(ship(d)), 0);
    const seconds = (Date.now() - t0) / 1000;
    assertExactlyOnce(d, log);
    for (const b of logs.batches) assert.ok(b.bytes <= 1_048_576 && b.events <= 10_000);
    // every event within 256 KB (the endpoint refuses more), timestamps never going back
    const ts = (logs.events(GROUP, streamOf(d)) ?? []).map((e) => e.timestamp);
    assert.ok(ts.every((t, i) => i === 0 || t >= ts[i - 1]!));
    assert.ok(existsSync(join(d, 'cloudwatch.done')));
    const [off, lines] = readFileSync(join(d, 'cloudwatch.d', 'offset'), 'utf8').trim().split(' ');
    assert.equal(Number(off), log.length);
    assert.equal(Number(lines), expectedLines(log).length);
    console.log(`      ${(log.length / 1e6).toFixed(1)} MB, ${lines} lines in ${logs.batches.length} batches, ${seconds.toFixed(1)} s`);
  });

  it('a shipper killed in the middle of PutLogEvents and started again: no duplicate, no gap', async () => {
    const log = nastyLog(6000);
    const d = await cwJob('killed');
    writeFileSync(join(d, 'run.log'), log.subarray(0, 600_000));
    // The first PutLogEvents is stored only after the client is gone: it arrived, the shipper never heard.
    let stored = 0;
    const first = ship(d);
    logs.onPut = async () => {
      if (stored++ > 0) return;
      first.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 300));
    };
    await exited(first);
    assert.ok(existsSync(join(d, 'cloudwatch.d', 'pending')), 'the batch in flight is recorded');
    // the call the killed shipper left behind completes: the batch is stored
    for (let i = 0; i < 200 && messages(d).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(messages(d).length > 0);
    // The rest of the log arrives, the job ends; a new shipper settles the batch in flight and goes on.
    appendFileSync(join(d, 'run.log'), log.subarray(600_000));
    writeFileSync(join(d, 'exit'), '0\n');
    assert.equal(await exited(ship(d)), 0);
    assert.ok(logs.calls.includes('GetLogEvents'), 'the new shipper asked the stream how far it got');
    assertExactlyOnce(d, log);
  });

  it('a shipper killed between batches resumes at the next byte', async () => {
    const log = nastyLog(8000);
    const d = await cwJob('between');
    writeFileSync(join(d, 'run.log'), log);
    const c = ship(d);
    // kill once two batches are stored (not inside a call)
    while (logs.batches.length < 2) await new Promise((r) => setTimeout(r, 20));
    logs.onPut = () => new Promise((r) => setTimeout(r, 50));
    c.kill('SIGKILL');
    await exited(c);
    logs.onPut = undefined;
    writeFileSync(join(d, 'exit'), '0\n');
    assert.equal(await exited(ship(d)), 0);
    assertExactlyOnce(d, log);
  });

  it('the endpoint down for a while: the shipper says so, retries, then catches up', async () => {
    const d = await cwJob('down');
    const c = ship(d);
    const lines: string[] = [];
    const write = (n: number) => {
      const more = Array.from({ length: n }, (_, i) => `step ${lines.length + i}`);
      lines.push(...more);
      appendFileSync(join(d, 'run.log'), more.join('\n') + '\n');
    };
    write(100);
    const until = async (what: string, ok: () => boolean, ms = 30_000) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    await until('the first lines', () => messages(d).length === 100);
    // a batch changes nothing in the job dir itself: the tree's change watch (its mtime) stays quiet
    const mtime = statSync(d).mtimeMs;
    write(100);
    await until('the next batch', () => messages(d).length === 200);
    assert.equal(statSync(d).mtimeMs, mtime, 'the job dir was touched by a batch');
    await logs.down();
    write(500);
    await until('the failure to be recorded', () => existsSync(join(d, 'cloudwatch.error')));
    const err = readFileSync(join(d, 'cloudwatch.error'), 'utf8');
    assert.match(err, /^\d+ .*(connect|Connection|endpoint)/i, err);
    write(500);
    await new Promise((r) => setTimeout(r, 3000));
    await logs.up();
    write(100);
    writeFileSync(join(d, 'exit'), '0\n');
    assert.equal(await exited(c), 0);
    assert.deepEqual(messages(d), lines);
    assert.ok(!existsSync(join(d, 'cloudwatch.error')), 'the error is cleared once shipping works again');
  });
});
