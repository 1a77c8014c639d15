/**
 * CloudWatch shipping on the client side (src/core/cloudwatch/shipping.ts): the run field, list's
 * report parsed, the listing's words; `orch run --cloudwatch[=GROUP]` parsed; the host's
 * `cloudwatch:` and ORCH_CLOUDWATCH as the default group.
 */
import assert from 'node:assert/strict';
import { checkLogGroup, cloudWatchField, cloudWatchLine, cloudWatchProgress, defaultLogGroup, parseCloudWatch } from '../../../src/core/cloudwatch/shipping';
import { parseRunArgs } from '../../../src/cli/commands/run';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/core/config/resolve';
import { hostConfig } from '../../../src/core/config/hosts';
import type { HostEntry } from '../../../src/core/config/hostsTypes';
import { UserError } from '../../../src/core/errors';

describe('CloudWatch shipping (client side)', () => {
  it('the run field: group, newline, region; empty without a group', () => {
    assert.equal(cloudWatchField('/orch/x', 'eu-west-1'), '/orch/x\neu-west-1');
    assert.equal(cloudWatchField('/orch/x', undefined), '/orch/x\n');
    assert.equal(cloudWatchField(undefined, 'eu-west-1'), '');
  });

  it('parses list\'s field: progress, lag, state, the last failure with its time', () => {
    const ok = parseCloudWatch('/orch/x\ttrain-20261201T101500Z-0a1b2c3d\t20001\t0\tdone\t');
    assert.deepEqual(ok, { group: '/orch/x', stream: 'train-20261201T101500Z-0a1b2c3d', linesShipped: 20001, lagBytes: 0, state: 'done', error: null, errorAt: null });
    const failing = parseCloudWatch('/g\ts\t12\t3277\tshipping\t1796121582 Could not connect to the endpoint URL: "http://127.0.0.1:9/"')!;
    assert.equal(failing.error, 'Could not connect to the endpoint URL: "http://127.0.0.1:9/"');
    assert.equal(failing.errorAt, new Date(1796121582 * 1000).toISOString());
    assert.equal(parseCloudWatch('/g\ts\t1\t0\tbogus\t')!.state, 'shipping');
    assert.equal(parseCloudWatch(undefined), null);
  });

  it('says how far it got in a line', () => {
    const c = parseCloudWatch('/orch/x\ttrain-1\t20001\t3277\tshipping\t')!;
    assert.equal(cloudWatchProgress(c), '20,001 lines shipped, 3.2 KB behind');
    assert.equal(cloudWatchLine('train', c), 'train: CloudWatch /orch/x (stream train-1): 20,001 lines shipped, 3.2 KB behind');
    assert.equal(cloudWatchProgress({ ...c, linesShipped: 1, lagBytes: 0, state: 'done' }), '1 line shipped');
    assert.equal(cloudWatchProgress({ ...c, error: 'An error occurred (AccessDeniedException)' }), '20,001 lines shipped, 3.2 KB behind; retrying: An error occurred (AccessDeniedException)');
  });

  it('group names follow CloudWatch\'s rule; the default is /orch/<project>', () => {
    assert.equal(checkLogGroup('/aws/orch/train#1', '--cloudwatch'), '/aws/orch/train#1');
    assert.throws(() => checkLogGroup('bad group', '--cloudwatch'), (e: unknown) => e instanceof UserError && /--cloudwatch "bad group" is not a CloudWatch log group name/.test(e.message));
    assert.throws(() => checkLogGroup('', '--cloudwatch'), UserError);
    assert.equal(defaultLogGroup('my project:1'), '/orch/my-project-1');
  });

  it('orch run --cloudwatch alone, --cloudwatch=GROUP, and the next word stays the job name', () => {
    assert.equal(parseRunArgs(['--cloudwatch', 'train', 'python', 'x.py']).cloudwatch, true);
    const p = parseRunArgs(['--cloudwatch=/orch/imp', 'train', 'python', 'x.py']);
    assert.equal(p.cloudwatch, '/orch/imp');
    assert.equal(p.name, 'train');
    assert.equal(p.command, 'python x.py');
    assert.equal(parseRunArgs(['train', 'true']).cloudwatch, undefined);
    assert.throws(() => parseRunArgs(['--cloudwatch=no spaces', 'train', 'true']), UserError);
  });

  it('ORCH_CLOUDWATCH is the default group, checked like the flag; a host\'s cloudwatch: wins over it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-cw-cfg-'));
    try {
      const c = await loadConfig({ cwd: dir, env: { HOME: dir, ORCH_HOST: 'gpu-box', ORCH_CLOUDWATCH: '/orch/important' } });
      assert.equal(c.cloudwatch, '/orch/important');
      await assert.rejects(loadConfig({ cwd: dir, env: { HOME: dir, ORCH_CLOUDWATCH: 'a b' } }), /ORCH_CLOUDWATCH \(environment\) must be a CloudWatch Logs group name/);
      const entry = (over: Partial<HostEntry>): HostEntry => ({ name: 'a', line: 2, kind: 'tmux', host: 'a', user: undefined, port: undefined, identityFile: undefined, knownHosts: undefined, logRoot: undefined, remoteWorkdir: undefined, maxParallel: undefined, gpus: undefined, ec2: undefined, autostopMinutes: undefined, autostopCommand: undefined, cloudwatch: undefined, ...over }) as HostEntry;
      assert.equal(hostConfig(c, entry({}), 'hosts.yaml', { HOME: dir }).cloudwatch, '/orch/important');
      assert.equal(hostConfig(c, entry({ cloudwatch: '/orch/gpu' }), 'hosts.yaml', { HOME: dir }).cloudwatch, '/orch/gpu');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
