import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, EXTENSION_ID } from './util';

interface CliPathResult {
  path: string;
  outcome: string;
  onPath: boolean;
}

/** Runs a command line in sh, with only the shim dir and the system dirs on PATH. */
function sh(line: string, binDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('/bin/sh', ['-c', line], { env: { PATH: `${binDir}:/usr/bin:/bin`, HOME: process.env.HOME }, timeout: 30_000 }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("Install 'orch' Command in PATH", () => {
  // the runner points XDG_BIN_HOME at a scratch dir: a test never writes the real ~/.local/bin
  const binDir = process.env.XDG_BIN_HOME!;

  before(async () => {
    assert.ok(binDir && !binDir.startsWith(path.join(process.env.HOME ?? '/nonexistent', '.local')), `XDG_BIN_HOME is a scratch dir (${binDir})`);
    await api();
  });

  it('puts an orch on the PATH that runs the bundled CLI on VS Code\'s own runtime', async () => {
    const r = (await vscode.commands.executeCommand<CliPathResult>('cloudJobs.installCli'))!;
    assert.equal(r.path, path.join(binDir, 'orch'));
    assert.equal(r.outcome, 'installed');
    assert.equal(r.onPath, false, 'the scratch dir is not on the extension host PATH (and the user is told so)');
    assert.equal(statSync(r.path).mode & 0o111, 0o111);
    const version = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { version: string }).version;
    const v = await sh('orch --version', binDir);
    assert.deepEqual(v, { code: 0, stdout: `${version}\n`, stderr: '' });
    const route = await sh("orch route --json --runtime 2 --ui --light --memory 1 && command -v orch", binDir);
    assert.equal(route.code, 0, route.stderr);
    const [json, where] = route.stdout.trim().split('\n');
    assert.equal((JSON.parse(json) as { target: string }).target, 'local');
    assert.equal(where, r.path);
  });

  it('is idempotent: a second install changes nothing', async () => {
    const before = statSync(path.join(binDir, 'orch')).mtimeMs;
    const r = (await vscode.commands.executeCommand<CliPathResult>('cloudJobs.installCli'))!;
    assert.equal(r.outcome, 'unchanged');
    assert.equal(statSync(r.path).mtimeMs, before);
  });

  it('uninstalls it, and a second uninstall finds nothing to remove', async () => {
    const r = (await vscode.commands.executeCommand<CliPathResult>('cloudJobs.uninstallCli'))!;
    assert.equal(r.outcome, 'removed');
    assert.equal(existsSync(r.path), false);
    assert.notEqual((await sh('command -v orch', binDir)).code, 0, 'orch is no longer found on the PATH');
    assert.equal((await vscode.commands.executeCommand<CliPathResult>('cloudJobs.uninstallCli'))!.outcome, 'absent');
  });
});
