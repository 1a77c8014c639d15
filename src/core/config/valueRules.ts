import type { ConfigKey } from './types';
import type { ConfigValueTypes } from './schema';

/**
 * The rule each configuration value must follow, as plain checks. Every command reads its
 * configuration first, and building these rules with zod at start-up (loading zod and making
 * 22 schemas) cost a new `orch` process more than the rest of `orch status` on an open
 * connection. The zod schemas of valueSchemas.ts say the same thing for hosts.yaml and the
 * settings section; a unit test checks both accept exactly the same values with the same result.
 */

/** Settings may hold numbers; text sources hold strings. Both are read as trimmed text. */
export const asText = (v: unknown): unknown => (typeof v === 'number' && Number.isFinite(v) ? String(v) : typeof v === 'string' ? v.trim() : v);

export type Checked<T> = { ok: true; value: T } | { ok: false };

type Rule<T> = (raw: unknown) => Checked<T>;

const NO: { ok: false } = { ok: false };

const text =
  (pattern: RegExp): Rule<string> =>
  (raw) => {
    const v = asText(raw);
    return typeof v === 'string' && pattern.test(v) ? { ok: true, value: v } : NO;
  };

const intIn =
  (min: number, max: number): Rule<number> =>
  (raw) => {
    const v = asText(raw);
    if (typeof v !== 'string' || !/^\d+$/.test(v)) return NO;
    const n = Number(v);
    return n >= min && n <= max ? { ok: true, value: n } : NO;
  };

const oneOf =
  <T extends string>(...words: T[]): Rule<T> =>
  (raw) => {
    const v = asText(raw);
    return words.includes(v as T) ? { ok: true, value: v as T } : NO;
  };

/** A path on the target: absolute, or starting with `~/` (the target user's home). */
const targetPath = text(/^(\/|~\/|~$)[^\n\0]*$/);
/** A local path: anything without a newline or NUL; `~` is expanded by the resolver. */
const localPath = text(/^[^\n\0]+$/);

const httpUrl: Rule<string> = (raw) => {
  const v = asText(raw);
  if (typeof v !== 'string') return NO;
  try {
    const u = new URL(v);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '' ? { ok: true, value: v } : NO;
  } catch {
    return NO;
  }
};

/** Settings give booleans; text sources the words people write in .env files. */
const onOff: Rule<boolean> = (raw) => {
  const v = typeof raw === 'boolean' ? (raw ? '1' : '0') : asText(raw);
  return typeof v === 'string' && /^(1|0|true|false|yes|no|on|off)$/i.test(v) ? { ok: true, value: /^(1|true|yes|on)$/i.test(v) } : NO;
};

export const CONFIG_VALUE_RULES: { [K in ConfigKey]: Rule<ConfigValueTypes[K]> } = {
  // No leading `-`, so a host can never be taken for an ssh option.
  ORCH_HOST: text(/^[A-Za-z0-9_.:%[\]][A-Za-z0-9_.:%[\]-]*$/),
  ORCH_USER: text(/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/),
  ORCH_PORT: intIn(1, 65535),
  ORCH_IDENTITY_FILE: localPath,
  ORCH_KNOWN_HOSTS: localPath,
  ORCH_STRICT_HOST_KEY_CHECKING: oneOf('yes', 'accept-new'),
  ORCH_LOG_ROOT: targetPath,
  ORCH_LOG_RETENTION_DAYS: intIn(1, 100_000),
  ORCH_REMOTE_WORKDIR: targetPath,
  ORCH_PROJECT: text(/^[^\n\0]+$/),
  ORCH_SLACK_WEBHOOK_URL: httpUrl,
  ORCH_MAX_PARALLEL: intIn(1, 10_000),
  ORCH_RETRIES: intIn(0, 1_000),
  ORCH_EC2_INSTANCE_ID: text(/^i-[0-9a-f]{8,17}$/),
  ORCH_EC2_REGION: text(/^[a-z]{2}(-[a-z]+)+-\d+$/),
  ORCH_EC2_PROFILE: text(/^[A-Za-z0-9_.@+=,/-]+$/),
  ORCH_EC2_WAKE: oneOf('auto', 'ask'),
  ORCH_EC2_ADDRESS: oneOf('public', 'private'),
  ORCH_LOG_MODE: oneOf('private', 'group'),
  ORCH_AUTOSTOP_MINUTES: intIn(1, 100_000),
  ORCH_SYNC: onOff,
  // Relative to the workdir (where `pull` reads it) and to the workspace (where it lands); no `..`.
  ORCH_OUTPUT_DIR: text(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\n\0]+$/),
  ORCH_CLOUDWATCH: text(/^[A-Za-z0-9_\-/.#]{1,512}$/),
};

/** Checks one raw value by its key's rule. */
export function checkConfigValue<K extends ConfigKey>(key: K, raw: unknown): Checked<ConfigValueTypes[K]> {
  return CONFIG_VALUE_RULES[key](raw);
}
