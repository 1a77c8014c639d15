import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../../..');

describe('npm run test:electron without a network', function () {
  this.timeout(60_000);
  let cache: string;
  before(() => (cache = mkdtempSync(path.join(tmpdir(), 'orch-electron-cache-'))));
  after(() => rmSync(cache, { recursive: true, force: true }));

  it('stops at once with one sentence naming the way out, and starts nothing', async () => {
    const started = Date.now();
    // a network namespace of its own (only a down loopback): offline for sure, whatever this machine has
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
      execFile('unshare', ['-rn', '--', path.join(root, 'node_modules/.bin/tsx'), 'test/vscode/runElectronTests.ts'], { cwd: root, env: { ...process.env, ORCH_ELECTRON_CACHE: cache } }, (e, stdout, stderr) =>
        resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout, stderr }),
      ),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^test:electron: cannot download VS Code from update\.code\.visualstudio\.com \(.+\); this runner needs the network once .* npm run test:vscode\.\n$/);
    assert.deepEqual(readdirSync(cache).filter((f) => !f.startsWith('.')), []);
  });
});
