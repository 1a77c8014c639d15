import { strict as assert } from 'node:assert';
import { chooseTarget, configFlags } from '../../../src/cli/context';
import type { OrchConfig } from '../../../src/core/config/types';
import { UserError } from '../../../src/core/errors';

function config(over: Partial<OrchConfig> = {}): OrchConfig {
  return {
    host: undefined,
    user: undefined,
    port: undefined,
    identityFile: undefined,
    knownHosts: '/home/u/.ssh/known_hosts',
    strictHostKeyChecking: 'yes',
    logRoot: '~/logs',
    logRetentionDays: 30,
    remoteWorkdir: '~/work/p',
    project: 'p',
    slackWebhookUrl: undefined,
    maxParallel: undefined,
    retries: 0,
    logMode: 'private',
    workspaceRoot: '/w/p',
    envFile: undefined,
    origin: {},
    ...over,
  };
}

describe('cli target choice', () => {
  it('runs on the configured host by default', () => {
    assert.deepEqual(chooseTarget(config({ host: 'box' }), {}), { where: 'cloud', route: undefined });
  });

  it('falls back to the local tmux target with a note when no host is configured', () => {
    const c = chooseTarget(config(), {});
    assert.equal(c.where, 'local');
    assert.match(c.note ?? '', /no cloud host configured \(ORCH_HOST in scripts\/cloud\/\.env\); using the local tmux target/);
    assert.equal(chooseTarget(config(), {}, { quiet: true }).note, undefined);
  });

  it('refuses an explicit --cloud without a host, naming the file and the key (exit 2)', () => {
    assert.throws(
      () => chooseTarget(config(), { cloud: true }),
      (e: unknown) => e instanceof UserError && e.exitCode === 2 && /ORCH_HOST/.test(e.message) && /scripts\/cloud\/\.env/.test(e.message),
    );
  });

  it('honours --local even with a host, and refuses two target flags', () => {
    assert.equal(chooseTarget(config({ host: 'box' }), { local: true }).where, 'local');
    assert.throws(() => chooseTarget(config({ host: 'box' }), { local: true, cloud: true }), /Choose one of --local, --cloud and --auto/);
  });

  it('lets --auto ask the policy: a training run goes to the host, with the reasons recorded', () => {
    const c = chooseTarget(config({ host: 'box' }), { auto: true }, { command: 'python train.py' });
    assert.equal(c.where, 'cloud');
    assert.match(c.route ?? '', /^cloud: /);
  });

  it('maps configuration flags to their keys', () => {
    assert.deepEqual(configFlags({ host: 'h', port: '2222', 'identity-file': '/k', workdir: '/w', wait: true }), {
      ORCH_HOST: 'h',
      ORCH_PORT: '2222',
      ORCH_IDENTITY_FILE: '/k',
      ORCH_REMOTE_WORKDIR: '/w',
    });
  });
});
