/**
 * orch run --publish and orch forward against the real sshd (PRODUCT.md §9): a job serving
 * `python3 -m http.server` on the host's 127.0.0.1 is reached with curl through the forward,
 * by many connections at once, again after sshd was killed and restarted, until Ctrl-C. Host
 * and laptop are one machine here, so the job's port is taken locally and the forward takes a
 * free one (the "default P, or a free one" rule).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import type { CliIO } from '../../../src/cli/command';
import { main } from '../../../src/cli/main';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName, waitFor } from './cliHarness';

const run = promisify(execFile);
const curl = async (url: string): Promise<string> => (await run('curl', ['-sS', '--max-time', '10', url])).stdout;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('orch forward against a real sshd', function () {
  this.timeout(90_000);
  let sshd: TestSshd;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });

  before(async () => {
    sshd = await startSshd();
    ws = makeWorkspace();
    env = baseEnv(sshEnv(sshd));
  });
  after(async () => {
    if (env) await orch('stop', '--all');
    await sshd?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('reaches a job\'s http.server with curl: many at once, across an sshd restart, until Ctrl-C', async () => {
    const port = await freePort();
    const name = uniqueName('web');
    const r = await orch('run', '--publish', String(port), name, `mkdir -p site && echo hello-from-job > site/hello.txt && cd site && exec python3 -m http.server ${port} --bind 127.0.0.1`);
    assert.equal(r.code, 0, r.stderr);
    const listed = JSON.parse((await orch('status', '--json')).stdout) as { name: string; ports: unknown }[];
    assert.deepEqual(listed.find((j) => j.name === name)?.ports, [{ port }]);
    await waitFor('the server', async () => (await sshd.runAsUser(`curl -s http://127.0.0.1:${port}/hello.txt`)).stdout.includes('hello'), 20_000);

    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (c: Buffer) => (out += c.toString()));
    stderr.on('data', (c: Buffer) => (err += c.toString()));
    const ctrlC = new AbortController();
    const io: CliIO = { stdout, stderr, stdin: new PassThrough(), env, cwd: ws, isTTY: false, signal: ctrlC.signal };
    const done = main(['forward', name], io);
    await waitFor('the local URL', async () => /^http:\/\/127\.0\.0\.1:\d+\n/.test(out), 20_000);
    const url = out.trim();
    assert.notEqual(url, `http://127.0.0.1:${port}`, 'the job holds P here, so a free port is taken');
    assert.match(err, new RegExp(`forwarding ${url} to 127\\.0\\.0\\.1:${port}`));

    assert.equal(await curl(`${url}/hello.txt`), 'hello-from-job\n');
    const many = await Promise.all(Array.from({ length: 20 }, () => curl(`${url}/hello.txt`)));
    assert.deepEqual(many, Array(20).fill('hello-from-job\n'));

    await sshd.restart();
    assert.equal(await curl(`${url}/hello.txt`), 'hello-from-job\n');

    ctrlC.abort();
    assert.equal(await done, 0);
    await assert.rejects(curl(`${url}/hello.txt`));
  });

  it('a job without ports, a bad port and a taken local port are one sentence each', async () => {
    const name = uniqueName('noport');
    assert.equal((await orch('run', name, 'sleep 30')).code, 0);
    const none = await orch('forward', name);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /publishes no ports/);
    const bad = await orch('forward', name, '70000');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /is not a port/);
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const taken = (busy.address() as net.AddressInfo).port;
    const t = await orch('forward', name, `8000:${taken}`);
    busy.close();
    assert.equal(t.code, 2);
    assert.match(t.stderr, new RegExp(`Cannot listen on local port ${taken}: it is in use`));
    const ended = uniqueName('ended');
    assert.equal((await orch('run', '--wait', '--publish', '8000', ended, 'true')).code, 0);
    const e = await orch('forward', ended);
    assert.equal(e.code, 1);
    assert.match(e.stderr, new RegExp(`Job ${ended} is DONE: nothing serves its ports any more`));
    const p = await orch('run', '--publish', 'x', uniqueName('bad'), 'true');
    assert.equal(p.code, 2);
    assert.match(p.stderr, /--publish: "x" is not a port/);
  });
});
