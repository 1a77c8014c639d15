import { strict as assert } from 'node:assert';
import { checkConfigValue } from '../../../src/core/config/valueRules';
import { CONFIG_VALUE_SCHEMAS } from '../../../src/core/config/valueSchemas';
import { parseConfigValue } from '../../../src/core/config/schema';
import { CONFIG_KEYS } from '../../../src/core/config/types';

/**
 * The configuration is read with plain checks (valueRules.ts, no zod at start-up); hosts.yaml and
 * the settings section use the zod schemas of valueSchemas.ts. Both must accept exactly the same
 * values with the same result, so an error (its sentence comes from the key, not from the rule)
 * is the same wherever a value is written.
 */

/** Values of every shape a source can give, valid and not, for any key. */
const COMMON: unknown[] = [
  undefined, null, true, false, 0, 1, -1, 22, 22.5, 65535, 65536, 100000, 100001, 10000, 10001, 1000, 1001, NaN, Infinity, -Infinity, 1e3, 2 ** 53, Number.MAX_VALUE,
  '', ' ', '\t', '\n', 'a\nb', 'a\0b', 'a b', ' 22 ', '22', '022', '0', '00', '1', '-1', '+1', '1.0', '1e3', '0x10', '65535', '65536', '10000', '10001', '1000', '1001',
  '100000', '100001', '9'.repeat(20), '9'.repeat(400), '１２', 'x', '-x', '--x', '_x', '.x', 'x-', 'gpu-box', 'GPU_box.1', '::1', '[::1]', 'fe80::1%eth0', '10.0.0.5',
  'user@host', 'h;x', 'ubuntu', 'ec2-user', 'yes', 'YES', 'Yes', ' yes ', 'no', 'accept-new', 'Accept-New', 'auto', 'ask', 'public', 'private', 'group', 'Group',
  'true', 'FALSE', 'on', 'Off', 'maybe', '2', '~', '~/', '~/logs', '~user/logs', '/', '/var/log/orch', '/srv/x y', './logs', 'logs', 'results', 'results/exp-1',
  'out..put', '..', '../up', 'a/../b', 'a/..', '/abs', 'My Project', 'i-0123456789abcdef0', 'i-12345678', 'i-1234567', 'i-0123456789abcdef01', 'i-XYZ', 'I-12345678',
  'ap-northeast-1', 'us-gov-west-1', 'Tokyo', 'ap-northeast', 'us_east_1', 'research', 'team/admin', 'a@b+c=d,e', 'two words', 'https://hooks.slack.com/services/A/B/C',
  'http://127.0.0.1:8080/hook', ' https://x.example/y ', 'https://', 'http:///path', 'hooks.slack.com/x', 'ftp://x/y', 'file:///etc/passwd', 'mailto:a@b.c', 'https://ü.example',
  'javascript:alert(1)', {}, [], ['22'], { port: 22 }, () => 22, Symbol.for('x'), 22n,
];

describe('configuration value rules: the plain checks give what the zod schemas give', () => {
  for (const key of CONFIG_KEYS) {
    it(`${key}: the same values accepted, with the same result, and the same refusals`, () => {
      let accepted = 0;
      for (const raw of COMMON) {
        const plain = checkConfigValue(key, raw);
        const zod = CONFIG_VALUE_SCHEMAS[key].safeParse(raw);
        const what = `${key} ${typeof raw === 'symbol' || typeof raw === 'bigint' ? String(raw) : JSON.stringify(raw)}`;
        assert.equal(plain.ok, zod.success, what);
        if (plain.ok && zod.success) {
          assert.deepEqual(plain.value, zod.data, what);
          accepted++;
        }
      }
      // the corpus exercises both sides of every rule
      assert.ok(accepted > 0 && accepted < COMMON.length, `${key}: ${accepted} of ${COMMON.length} accepted`);
    });
  }

  it('a refused value reads the same sentence as before (the key, where it came from, what it must be)', () => {
    assert.throws(() => parseConfigValue('ORCH_PORT', '0', 'scripts/cloud/.env:3'), { message: 'scripts/cloud/.env:3: ORCH_PORT must be a port number (1-65535), got "0".' });
    assert.throws(() => parseConfigValue('ORCH_HOST', '-oProxyCommand=x', '--host'), {
      message: '--host must be a host name, IP address or ~/.ssh/config alias (letters, digits, ".", "-", "_", ":"), not starting with "-", got "-oProxyCommand=x".',
    });
    assert.throws(() => parseConfigValue('ORCH_SLACK_WEBHOOK_URL', 'ftp://x', 'ORCH_SLACK_WEBHOOK_URL (environment)'), {
      message: 'ORCH_SLACK_WEBHOOK_URL (environment) must be an http(s) URL; the value is not shown because it is a secret.',
    });
    assert.equal(parseConfigValue('ORCH_PORT', ' 2222 ', 'default'), 2222);
  });
});
