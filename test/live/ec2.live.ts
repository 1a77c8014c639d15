/**
 * Live smoke test against a real AWS account (`npm run test:aws-live`; never in CI or
 * `npm test`). It uses your own configuration exactly as `orch` does: scripts/cloud/.env of the
 * current directory (or ORCH_* variables) naming an EC2 box with ORCH_EC2_INSTANCE_ID, and your
 * AWS credentials (profile, SSO, environment). It costs a few cents of instance time.
 *
 *   cd my-workspace
 *   ORCH_LIVE=1 npm --prefix /path/to/cloud-jobs run test:aws-live                  # status, wake, one job
 *   ORCH_LIVE=1 ORCH_LIVE_STOP=1 npm --prefix /path/to/cloud-jobs run test:aws-live # ... then stop it
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';

const REPO = join(__dirname, '..', '..');

function orch(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // npm runs scripts in the package root; INIT_CWD is where the user typed the command.
    execFile(process.execPath, [join(REPO, 'bin', 'orch'), ...argv], { cwd: process.env.INIT_CWD ?? process.cwd(), env: process.env, timeout: 15 * 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('live EC2 box (real AWS account)', function () {
  this.timeout(15 * 60_000);

  before(() => {
    // A refusal, not a skip: this script is only ever run on purpose.
    assert.equal(process.env.ORCH_LIVE, '1', 'set ORCH_LIVE=1 to confirm this may start your EC2 instance (see docs/ec2.md)');
  });

  it('box status --json names the instance and its state', async () => {
    const r = await orch(['box', 'status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as { instanceId: string; state: string; type: string };
    assert.match(s.instanceId, /^i-[0-9a-f]+$/);
    console.log(`      ${s.instanceId} (${s.type}) is ${s.state}`);
  });

  it('a job with --wake runs on the box (starting it if stopped) without a host-key prompt', async () => {
    const t0 = Date.now();
    const name = `live-smoke-${Date.now().toString(36)}`;
    const r = await orch(['run', '--wake', '--wait', name, 'bash', '-c', 'echo "up $(cut -d. -f1 /proc/uptime)s on $(hostname)"']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^live-smoke-\S+\nup \d+s on \S+\n\[EXIT: 0\]\n$/);
    console.log(`      ${Date.now() - t0} ms; ${r.stderr.trim().split('\n').join(' | ')}`);
  });

  // Stopping is asked for separately: a box you work on may be meant to stay up.
  if (process.env.ORCH_LIVE_STOP === '1') it('box stop stops it', async () => {
    const r = await orch(['box', 'stop']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, / is stopped\n$/);
  });
});
