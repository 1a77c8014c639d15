/**
 * Child process: raw ssh2 throughput of `cat FILE` per cipher, on a fresh connection each
 * (TCP_NODELAY as the transport sets it), to see what the cipher costs in pure-JS ssh2 (the
 * bundles leave ssh2's native crypto out). Also reports the cipher ssh2 negotiates by default.
 * Usage: node cipher.js '<{host,port,user,identityFile,file}>'
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { Client, type ConnectConfig } from 'ssh2';

interface Args {
  host: string;
  port: number;
  user: string;
  identityFile: string;
  file: string;
}

function catOnce(a: Args, cipher?: string): Promise<{ ms: number; bytes: number; negotiated: string }> {
  return new Promise((resolve, reject) => {
    const c = new Client();
    let negotiated = '';
    c.on('handshake', (n: { cs: { cipher: string } }) => (negotiated = n.cs.cipher));
    c.on('error', reject);
    c.on('ready', () => {
      const t0 = performance.now();
      let bytes = 0;
      c.exec(`cat '${a.file}'`, (err, ch) => {
        if (err) return reject(err);
        ch.on('data', (d: Buffer) => (bytes += d.length));
        ch.stderr.resume();
        ch.on('close', () => {
          const ms = performance.now() - t0;
          c.end();
          resolve({ ms, bytes, negotiated });
        });
      });
    });
    const cfg: ConnectConfig = {
      host: a.host,
      port: a.port,
      username: a.user,
      privateKey: readFileSync(a.identityFile),
      hostVerifier: () => true, // loopback benchmark against the harness's own server
      ...(cipher ? { algorithms: { cipher: [cipher as never] } } : {}),
    };
    c.connect(cfg);
    (c as unknown as { _sock?: { setNoDelay?: (v: boolean) => void } })._sock?.setNoDelay?.(true);
  });
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2]!) as Args;
  const out: Record<string, { mbps: number; negotiated: string }> = {};
  for (const cipher of [undefined, 'aes128-gcm@openssh.com', 'aes128-ctr', 'chacha20-poly1305@openssh.com']) {
    const best = [];
    for (let i = 0; i < 2; i++) best.push(await catOnce(a, cipher));
    const r = best.sort((x, y) => x.ms - y.ms)[0]!;
    out[cipher ?? 'default'] = { mbps: r.bytes / 1e6 / (r.ms / 1000), negotiated: r.negotiated };
  }
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(String((e as Error)?.stack ?? e) + '\n');
  process.exit(1);
});
