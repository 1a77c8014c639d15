/**
 * The bench's emulated link: delay and pacing are measurably applied in both directions, and
 * every byte arrives once, in order, with half-closes passed on after the bytes in flight.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { startLinkProxy, type LinkProxy } from '../../../bench/lib/linkProxy';

/**
 * Echoes and half-closes after its peer did, as `cat` on a socket would; a connection whose
 * first byte is `S` gets instead the sha256 of everything it sent (an upload only), and one whose
 * first byte is `D` gets 2 MB of zeros (a download only).
 */
function testServer(): Promise<Server> {
  const srv = createServer({ allowHalfOpen: true }, (s) => {
    s.once('readable', () => {
      const first = s.read(1) as Buffer | null;
      if (first?.toString() === 'S') {
        const h = createHash('sha256');
        s.on('data', (d: Buffer) => h.update(d));
        s.once('end', () => s.end(h.digest('hex')));
      } else if (first?.toString() === 'D') {
        s.end(Buffer.alloc(2_000_000));
        s.resume();
      } else {
        if (first) s.write(first);
        s.pipe(s);
      }
    });
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve(srv)));
}

function connect(proxy: LinkProxy): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ host: proxy.host, port: proxy.port, allowHalfOpen: true }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends `payload`, half-closes, and resolves what came back with the time of the last byte. */
async function roundTrip(proxy: LinkProxy, payload: Buffer): Promise<{ echoed: Buffer; ms: number }> {
  const s = await connect(proxy);
  s.setNoDelay(true);
  const chunks: Buffer[] = [];
  const t0 = performance.now();
  const done = new Promise<number>((resolve) => s.once('end', () => resolve(performance.now() - t0)));
  s.on('data', (d: Buffer) => chunks.push(d));
  s.end(payload);
  const ms = await done;
  s.destroy();
  return { echoed: Buffer.concat(chunks as unknown as Uint8Array[]), ms };
}

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('bench link proxy (emulated WAN)', function () {
  this.timeout(30_000);
  let server: Server;
  let proxy: LinkProxy | undefined;

  before(async () => {
    server = await testServer();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const start = (oneWayMs: number, mbitPerSec: number): Promise<LinkProxy> =>
    startLinkProxy({ targetHost: '127.0.0.1', targetPort: (server.address() as AddressInfo).port, oneWayMs, mbitPerSec }).then((p) => (proxy = p));

  it('adds the one-way delay to each direction: a small round trip takes at least twice it', async () => {
    const p = await start(40, 100);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { echoed, ms } = await roundTrip(p, Buffer.from(`ping ${i}`));
      assert.equal(echoed.toString(), `ping ${i}`);
      times.push(ms);
    }
    const fastest = Math.min(...times);
    assert.ok(fastest >= 80, `a round trip took ${fastest.toFixed(1)} ms through a 40 ms each-way link`);
    // without the proxy this is well under a millisecond; allow for a loaded machine
    assert.ok(fastest < 80 + 60, `a round trip took ${fastest.toFixed(1)} ms, far more than 2 × 40 ms`);
  });

  it('paces the bandwidth in both directions and delivers every byte once, in order', async () => {
    const mbit = 16;
    const p = await start(5, mbit);
    const payload = randomBytes(2_000_000);
    const { echoed, ms } = await roundTrip(p, payload);
    assert.equal(echoed.length, payload.length);
    assert.equal(sha(echoed), sha(payload), 'the bytes came back changed or out of order');
    // Up and down are pipelined: the whole exchange takes one transfer time plus the delays.
    const transferMs = ((payload.length * 8) / (mbit * 1e6)) * 1000;
    assert.ok(ms >= transferMs * 0.95, `2 MB at ${mbit} Mbit/s took ${ms.toFixed(0)} ms (< ${transferMs.toFixed(0)} ms: not paced)`);
    assert.ok(ms < transferMs * 3, `2 MB at ${mbit} Mbit/s took ${ms.toFixed(0)} ms, over 3 × ${transferMs.toFixed(0)} ms`);
    assert.equal(p.stats.bytesUp, payload.length);
    assert.equal(p.stats.bytesDown, payload.length);
    assert.equal(p.stats.connections, 1);
  });

  it('paces each direction on its own: an upload and a download each take their transfer time', async () => {
    const mbit = 16;
    const p = await start(5, mbit);
    const upload = randomBytes(2_000_000);
    const up = await roundTrip(p, Buffer.concat([Buffer.from('S'), upload] as unknown as Uint8Array[]));
    assert.equal(up.echoed.toString(), sha(upload));
    const down = await roundTrip(p, Buffer.from('D'));
    assert.equal(down.echoed.length, 2_000_000);
    const transferMs = ((2_000_000 * 8) / (mbit * 1e6)) * 1000;
    for (const [what, r] of [['upload', up], ['download', down]] as const) {
      assert.ok(r.ms >= transferMs * 0.95, `the 2 MB ${what} took ${r.ms.toFixed(0)} ms (< ${transferMs.toFixed(0)} ms: not paced)`);
      assert.ok(r.ms < transferMs * 3, `the 2 MB ${what} took ${r.ms.toFixed(0)} ms, over 3 × ${transferMs.toFixed(0)} ms`);
    }
  });

  it('keeps several connections apart and passes a half-close on only after the bytes in flight', async () => {
    const p = await start(20, 50);
    const payloads = [randomBytes(300_000), randomBytes(10), randomBytes(100_000)];
    const results = await Promise.all(payloads.map((b) => roundTrip(p, b)));
    results.forEach((r, i) => assert.equal(sha(r.echoed), sha(payloads[i]!), `connection ${i} got other bytes`));
    assert.equal(p.stats.connections, 3);
  });
});
