import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { installShim, onPath, refreshShim, shimDir, uninstallShim } from '../../../src/core/install/cliShim';
import { UserError } from '../../../src/core/errors';

const run = promisify(execFile);

describe('the orch shim ("Install \'orch\' Command in PATH")', () => {
  let dir: string;
  let bin: string;
  let cli: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'orch-shim-'));
    bin = path.join(dir, 'bin');
    // a stand-in CLI script: prints its arguments and what the runtime was told
    cli = path.join(dir, "ext's dir", 'orch.js');
    mkdirSync(path.dirname(cli));
    writeFileSync(cli, 'console.log(JSON.stringify({ args: process.argv.slice(2), electron: process.env.ELECTRON_RUN_AS_NODE }));\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('goes to $XDG_BIN_HOME when it is absolute, else ~/.local/bin', () => {
    assert.equal(shimDir({ XDG_BIN_HOME: '/opt/me/bin' }, '/home/me'), '/opt/me/bin');
    assert.equal(shimDir({ XDG_BIN_HOME: 'rel/bin' }, '/home/me'), '/home/me/.local/bin');
    assert.equal(shimDir({}, '/home/me'), '/home/me/.local/bin');
  });

  it('tells whether the dir is on PATH', () => {
    assert.equal(onPath('/home/me/.local/bin', '/usr/bin:/home/me/.local/bin/'), true);
    assert.equal(onPath('/home/me/.local/bin', '/usr/bin:/bin'), false);
    assert.equal(onPath('/home/me/.local/bin', undefined), false);
  });

  it('creates the bin dir and an executable shim that runs the CLI with every argument, quoted paths included', async () => {
    const r = await installShim({ dir: bin, runtime: process.execPath, cli });
    assert.deepEqual(r, { path: path.join(bin, 'orch'), outcome: 'installed' });
    assert.equal(statSync(r.path).mode & 0o777, 0o755);
    const out = await run(r.path, ['run', 'a b', "it's", '$HOME']);
    assert.deepEqual(JSON.parse(out.stdout), { args: ['run', 'a b', "it's", '$HOME'], electron: '1' });
  });

  it('is idempotent: unchanged the second time, updated when the extension moved', async () => {
    await installShim({ dir: bin, runtime: process.execPath, cli });
    assert.equal((await installShim({ dir: bin, runtime: process.execPath, cli })).outcome, 'unchanged');
    const moved = path.join(dir, 'orch-0.2.0.js');
    writeFileSync(moved, readFileSync(cli));
    assert.equal((await installShim({ dir: bin, runtime: process.execPath, cli: moved })).outcome, 'updated');
    assert.match(readFileSync(path.join(bin, 'orch'), 'utf8'), /orch-0\.2\.0\.js/);
  });

  it('never replaces or removes an orch that is not its own', async () => {
    mkdirSync(bin);
    const other = path.join(bin, 'orch');
    writeFileSync(other, '#!/bin/sh\necho npm orch\n');
    chmodSync(other, 0o755);
    await assert.rejects(installShim({ dir: bin, runtime: process.execPath, cli }), (e: Error) => e instanceof UserError && /exists and is not the Cloud Jobs shim/.test(e.message));
    await assert.rejects(uninstallShim(bin), UserError);
    assert.equal(await refreshShim({ dir: bin, runtime: process.execPath, cli }), undefined);
    assert.equal(readFileSync(other, 'utf8'), '#!/bin/sh\necho npm orch\n');
  });

  it('uninstalls its own shim, and says absent when there is none', async () => {
    await installShim({ dir: bin, runtime: process.execPath, cli });
    assert.equal((await uninstallShim(bin)).outcome, 'removed');
    assert.equal(existsSync(path.join(bin, 'orch')), false);
    assert.equal((await uninstallShim(bin)).outcome, 'absent');
  });

  it('refreshes only a shim that is installed', async () => {
    assert.equal(await refreshShim({ dir: bin, runtime: process.execPath, cli }), undefined);
    assert.equal(existsSync(bin), false);
    await installShim({ dir: bin, runtime: '/old/node', cli });
    assert.equal((await refreshShim({ dir: bin, runtime: process.execPath, cli }))?.outcome, 'updated');
    assert.equal(JSON.parse((await run(path.join(bin, 'orch'), ['x'])).stdout).args[0], 'x');
  });
});
