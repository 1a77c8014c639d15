import { usageError } from '../errors';
import type { ConfigKey } from './types';
import { SETTINGS_KEYS } from './settingsKeys';
import { checkConfigValue } from './valueRules';

export { SETTINGS_KEYS };

/**
 * Validation of configuration values, whatever their source. Text sources (flags, environment,
 * env files) give strings; VS Code settings may give numbers. Every failure is one sentence that
 * names where the value came from, so the user knows which file, flag or setting to fix.
 * The rules themselves are plain checks (valueRules.ts): zod is not loaded to read a configuration.
 */

/** Keys whose values are secrets: never echoed in a message. */
export const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set<ConfigKey>(['ORCH_SLACK_WEBHOOK_URL']);

/** Command-line flag of each key (`ORCH_IDENTITY_FILE` → `--identity-file`). */
export const FLAG_NAMES: Record<ConfigKey, string> = {
  ORCH_HOST: '--host',
  ORCH_USER: '--user',
  ORCH_PORT: '--port',
  ORCH_IDENTITY_FILE: '--identity-file',
  ORCH_KNOWN_HOSTS: '--known-hosts',
  ORCH_STRICT_HOST_KEY_CHECKING: '--strict-host-key-checking',
  ORCH_LOG_ROOT: '--log-root',
  ORCH_LOG_RETENTION_DAYS: '--log-retention-days',
  ORCH_REMOTE_WORKDIR: '--remote-workdir',
  ORCH_PROJECT: '--project',
  ORCH_SLACK_WEBHOOK_URL: '--slack-webhook-url',
  ORCH_MAX_PARALLEL: '--max-parallel',
  ORCH_RETRIES: '--retries',
  ORCH_EC2_INSTANCE_ID: '--ec2-instance-id',
  ORCH_EC2_REGION: '--ec2-region',
  ORCH_EC2_PROFILE: '--ec2-profile',
  ORCH_EC2_WAKE: '--ec2-wake',
  ORCH_EC2_ADDRESS: '--ec2-address',
  ORCH_LOG_MODE: '--log-mode',
  ORCH_AUTOSTOP_MINUTES: '--autostop-minutes',
  ORCH_SYNC: '--sync',
  ORCH_OUTPUT_DIR: '--output-dir',
  ORCH_CLOUDWATCH: '--cloudwatch',
};

/** Origin named for a webhook URL handed over from the extension's SecretStorage. */
export const SECRET_ORIGIN = 'the Slack webhook URL stored by Cloud Jobs (secret storage)';

/** The value of each key once validated. */
export interface ConfigValueTypes {
  ORCH_HOST: string;
  ORCH_USER: string;
  ORCH_PORT: number;
  ORCH_IDENTITY_FILE: string;
  ORCH_KNOWN_HOSTS: string;
  ORCH_STRICT_HOST_KEY_CHECKING: 'yes' | 'accept-new';
  ORCH_LOG_ROOT: string;
  ORCH_LOG_RETENTION_DAYS: number;
  ORCH_REMOTE_WORKDIR: string;
  ORCH_PROJECT: string;
  ORCH_SLACK_WEBHOOK_URL: string;
  ORCH_MAX_PARALLEL: number;
  ORCH_RETRIES: number;
  ORCH_EC2_INSTANCE_ID: string;
  ORCH_EC2_REGION: string;
  ORCH_EC2_PROFILE: string;
  ORCH_EC2_WAKE: 'auto' | 'ask';
  ORCH_EC2_ADDRESS: 'public' | 'private';
  ORCH_LOG_MODE: 'private' | 'group';
  ORCH_AUTOSTOP_MINUTES: number;
  ORCH_SYNC: boolean;
  ORCH_OUTPUT_DIR: string;
  ORCH_CLOUDWATCH: string;
}

/** What each key must be, completing "ORCH_PORT must be ...". */
export const EXPECTED: Record<ConfigKey, string> = {
  ORCH_HOST: 'a host name, IP address or ~/.ssh/config alias (letters, digits, ".", "-", "_", ":"), not starting with "-"',
  ORCH_USER: 'a user name (letters, digits, ".", "-", "_"), not starting with "-"',
  ORCH_PORT: 'a port number (1-65535)',
  ORCH_IDENTITY_FILE: 'the path of a private key file',
  ORCH_KNOWN_HOSTS: 'the path of a known_hosts file',
  ORCH_STRICT_HOST_KEY_CHECKING: '"yes" or "accept-new" (host keys are always verified)',
  ORCH_LOG_ROOT: 'an absolute path or one starting with "~/" (the home on the target)',
  ORCH_LOG_RETENTION_DAYS: 'a whole number of days, at least 1',
  ORCH_REMOTE_WORKDIR: 'an absolute path or one starting with "~/" (the home on the target)',
  ORCH_PROJECT: 'a non-empty name on one line',
  ORCH_SLACK_WEBHOOK_URL: 'an http(s) URL',
  ORCH_MAX_PARALLEL: 'a whole number of jobs, at least 1',
  ORCH_RETRIES: 'a whole number, 0 or more',
  ORCH_EC2_INSTANCE_ID: 'an EC2 instance id such as i-0123456789abcdef0',
  ORCH_EC2_REGION: 'an AWS region such as ap-northeast-1',
  ORCH_EC2_PROFILE: 'an AWS profile name from ~/.aws/config',
  ORCH_EC2_WAKE: '"auto" (start a stopped box when a command needs it) or "ask" (say how; the extension asks)',
  ORCH_EC2_ADDRESS: '"public" or "private" (which address of the instance to connect to)',
  ORCH_LOG_MODE: '"private" (owner only) or "group" (readable by your group)',
  ORCH_AUTOSTOP_MINUTES: 'a whole number of idle minutes, at least 1',
  ORCH_SYNC: '1 or 0 (also true/false, yes/no, on/off)',
  ORCH_OUTPUT_DIR: 'a relative directory (under the remote workdir) without ".."',
  ORCH_CLOUDWATCH: 'a CloudWatch Logs group name (1-512 of letters, digits, _ - / . #)',
};

/** Origin strings as stored in `OrchConfig.origin`. */
export const originOf = {
  flag: (key: ConfigKey): string => FLAG_NAMES[key],
  env: (key: ConfigKey): string => `${key} (environment)`,
  file: (file: string, line: number): string => `${file}:${line}`,
  setting: (key: ConfigKey): string =>
    key === 'ORCH_SLACK_WEBHOOK_URL' ? SECRET_ORIGIN : `setting ${(SETTINGS_KEYS as Partial<Record<ConfigKey, string>>)[key] ?? key}`,
  default: (): string => 'default',
};

/**
 * Validates one raw value. `origin` is where it came from (see {@link originOf}); a file origin
 * (`path:line`) leads the message like a compiler error, the others name the flag, variable or
 * setting as the subject. Secrets are never echoed.
 */
export function parseConfigValue<K extends ConfigKey>(key: K, raw: unknown, origin: string): ConfigValueTypes[K] {
  const result = checkConfigValue(key, raw);
  if (result.ok) return result.value;
  const expected = EXPECTED[key];
  const subject = subjectOf(key, origin);
  if (SECRET_KEYS.has(key)) {
    throw usageError(`${subject} must be ${expected}; the value is not shown because it is a secret.`);
  }
  throw usageError(`${subject} must be ${expected}, got ${describeRaw(raw)}.`);
}

/** The start of a message: a file origin leads like a compiler error; others are the subject. */
function subjectOf(key: ConfigKey, origin: string): string {
  if (origin === SECRET_ORIGIN) return 'The Slack webhook URL in secret storage';
  if (origin.startsWith('setting ')) return `Setting ${origin.slice('setting '.length)}`;
  if (origin.startsWith('--') || origin.endsWith(' (environment)')) return origin;
  return `${origin}: ${key}`;
}

function describeRaw(raw: unknown): string {
  if (typeof raw === 'string') return JSON.stringify(raw.length > 200 ? `${raw.slice(0, 200)}...` : raw);
  try {
    return JSON.stringify(raw) ?? String(raw);
  } catch {
    return String(raw);
  }
}

/**
 * Maps a `cloudJobs` configuration section to `loadConfig`'s `settings` input.
 * `get(name)` receives the name without the `cloudJobs.` prefix (`port`), as
 * `vscode.workspace.getConfiguration('cloudJobs').get` expects.
 */
export function settingsFromSection(get: (name: string) => unknown): Partial<Record<ConfigKey, unknown>> {
  const out: Partial<Record<ConfigKey, unknown>> = {};
  for (const [key, setting] of Object.entries(SETTINGS_KEYS) as [ConfigKey, string][]) {
    const v = get(setting.slice('cloudJobs.'.length));
    if (v !== undefined && v !== null && v !== '') out[key] = v;
  }
  return out;
}
