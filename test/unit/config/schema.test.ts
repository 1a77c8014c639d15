import { strict as assert } from 'node:assert';
import {
  FLAG_NAMES,
  parseConfigValue,
  SETTINGS_KEYS,
  settingsFromSection,
} from '../../../src/core/config/schema';
import { settingsSchema } from '../../../src/core/config/valueSchemas';
import { CONFIG_KEYS, type ConfigKey } from '../../../src/core/config/types';
import { UserError } from '../../../src/core/errors';

const table: { key: ConfigKey; ok: [unknown, unknown][]; bad: unknown[] }[] = [
  { key: 'ORCH_HOST', ok: [['gpu-box', 'gpu-box'], ['10.0.0.5', '10.0.0.5'], ['::1', '::1'], [' ec2.example.com ', 'ec2.example.com']], bad: ['-oProxyCommand=x', 'a b', 'user@host', 'h;x'] },
  { key: 'ORCH_USER', ok: [['ubuntu', 'ubuntu'], ['ec2-user', 'ec2-user']], bad: ['-x', 'a b', 'a$b'] },
  { key: 'ORCH_PORT', ok: [['22', 22], ['1', 1], ['65535', 65535], [2222, 2222]], bad: ['0', '65536', 'abc', '22.5', '-1', '1e3', 22.5] },
  { key: 'ORCH_STRICT_HOST_KEY_CHECKING', ok: [['yes', 'yes'], ['accept-new', 'accept-new']], bad: ['no', 'off', 'ask', 'YES '] },
  { key: 'ORCH_LOG_ROOT', ok: [['~/logs', '~/logs'], ['/var/log/orch', '/var/log/orch'], ['~', '~']], bad: ['logs', './logs', '~user/logs', 'a\nb'] },
  { key: 'ORCH_REMOTE_WORKDIR', ok: [['~/work/p', '~/work/p'], ['/srv/x y', '/srv/x y']], bad: ['work', ''] },
  { key: 'ORCH_LOG_RETENTION_DAYS', ok: [['30', 30], ['1', 1], [7, 7]], bad: ['0', '-3', 'x', '1.5'] },
  { key: 'ORCH_MAX_PARALLEL', ok: [['1', 1], ['16', 16]], bad: ['0', '-1', 'unlimited'] },
  { key: 'ORCH_RETRIES', ok: [['0', 0], ['3', 3], [2, 2]], bad: ['-1', 'two', '0.5'] },
  { key: 'ORCH_SLACK_WEBHOOK_URL', ok: [['https://hooks.slack.com/services/A/B/C', 'https://hooks.slack.com/services/A/B/C'], ['http://127.0.0.1:8080/hook', 'http://127.0.0.1:8080/hook']], bad: ['hooks.slack.com/x', 'ftp://x/y', 'file:///etc/passwd'] },
  { key: 'ORCH_SYNC', ok: [['1', true], ['0', false], ['yes', true], ['Off', false], [true, true], [false, false]], bad: ['2', 'maybe', ''] },
  { key: 'ORCH_OUTPUT_DIR', ok: [['results', 'results'], ['results/exp-1', 'results/exp-1'], ['out..put', 'out..put']], bad: ['/abs', '../up', 'a/../b', 'a\nb'] },
  { key: 'ORCH_PROJECT', ok: [['My Project', 'My Project']], bad: ['a\nb'] },
  { key: 'ORCH_EC2_INSTANCE_ID', ok: [['i-0123456789abcdef0', 'i-0123456789abcdef0'], ['i-12345678', 'i-12345678']], bad: ['0123456789abcdef0', 'i-XYZ', 'i-0123', 'gpu-box'] },
  { key: 'ORCH_EC2_REGION', ok: [['ap-northeast-1', 'ap-northeast-1'], ['us-gov-west-1', 'us-gov-west-1']], bad: ['Tokyo', 'ap-northeast', 'us_east_1'] },
  { key: 'ORCH_EC2_PROFILE', ok: [['research', 'research'], ['team/admin', 'team/admin']], bad: ['two words', '-x y'] },
  { key: 'ORCH_EC2_WAKE', ok: [['auto', 'auto'], ['ask', 'ask']], bad: ['yes', 'off', 'always'] },
  { key: 'ORCH_AUTOSTOP_MINUTES', ok: [['30', 30], ['1', 1], [20, 20]], bad: ['0', '-5', '1.5', 'soon'] },
  { key: 'ORCH_EC2_ADDRESS', ok: [['public', 'public'], ['private', 'private']], bad: ['ipv6', 'elastic'] },
];

describe('config value schemas', () => {
  for (const row of table) {
    it(`${row.key}: accepts ${row.ok.map(([v]) => JSON.stringify(v)).join(', ')}`, () => {
      for (const [raw, want] of row.ok) assert.equal(parseConfigValue(row.key, raw, 'default'), want, JSON.stringify(raw));
    });
    it(`${row.key}: refuses ${row.bad.map((v) => JSON.stringify(v)).join(', ')} in one sentence`, () => {
      for (const raw of row.bad) {
        assert.throws(
          () => parseConfigValue(row.key, raw, `${row.key} (environment)`),
          (e: unknown) => {
            assert.ok(e instanceof UserError && e.exitCode === 2, String(e));
            assert.ok(e.message.startsWith(`${row.key} (environment) must be `), e.message);
            assert.ok(e.message.endsWith('.') && !e.message.includes('\n'), e.message);
            return true;
          },
          JSON.stringify(raw),
        );
      }
    });
  }

  it('has a flag for every key and a setting for every key but the secret webhook and the EC2 box keys', () => {
    assert.deepEqual(Object.keys(FLAG_NAMES).sort(), [...CONFIG_KEYS].sort());
    assert.deepEqual(Object.keys(SETTINGS_KEYS).sort(), CONFIG_KEYS.filter((k) => k !== 'ORCH_SLACK_WEBHOOK_URL' && !k.startsWith('ORCH_EC2_') && k !== 'ORCH_AUTOSTOP_MINUTES' && k !== 'ORCH_CLOUDWATCH').sort());
    assert.equal(SETTINGS_KEYS.ORCH_HOST, 'cloudJobs.host');
    assert.equal(SETTINGS_KEYS.ORCH_LOG_ROOT, 'cloudJobs.logRoot');
    assert.equal(FLAG_NAMES.ORCH_IDENTITY_FILE, '--identity-file');
  });

  it('maps a cloudJobs settings section to loadConfig settings, skipping unset values', () => {
    const section: Record<string, unknown> = { host: 'box', port: 2222, user: '', logRoot: null, slackWebhookUrl: 'https://x' };
    assert.deepEqual(
      settingsFromSection((name) => section[name]),
      { ORCH_HOST: 'box', ORCH_PORT: 2222 },
    );
  });

  it('settingsSchema checks a whole section with the same rules', () => {
    assert.equal(settingsSchema.safeParse({ host: 'box', port: 22, logRoot: null }).success, true);
    assert.equal(settingsSchema.safeParse({ port: 0 }).success, false);
    assert.equal(settingsSchema.safeParse({ strictHostKeyChecking: 'no' }).success, false);
  });
});
