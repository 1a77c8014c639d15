import { z } from 'zod';
import type { ConfigKey } from './types';
import type { ConfigValueTypes } from './schema';
import { SETTINGS_KEYS } from './settingsKeys';
import { asText } from './valueRules';

/**
 * The configuration value rules as zod schemas, for what validates a whole structure with zod
 * (hosts.yaml's entries, a whole settings section). They say exactly what the plain rules of
 * valueRules.ts say, which read every configuration without loading zod; a unit test holds the
 * two to the same answers.
 */

const intIn = (min: number, max: number) =>
  z.preprocess(asText, z.string().regex(/^\d+$/).transform(Number).pipe(z.number().int().min(min).max(max)));

const text = (pattern: RegExp) => z.preprocess(asText, z.string().regex(pattern));

/** A path on the target: absolute, or starting with `~/` (the target user's home). */
const targetPath = text(/^(\/|~\/|~$)[^\n\0]*$/);
/** A local path: anything without a newline or NUL; `~` is expanded by the resolver. */
const localPath = text(/^[^\n\0]+$/);

export const CONFIG_VALUE_SCHEMAS: { [K in ConfigKey]: z.ZodType<ConfigValueTypes[K]> } = {
  // No leading `-`, so a host can never be taken for an ssh option.
  ORCH_HOST: text(/^[A-Za-z0-9_.:%[\]][A-Za-z0-9_.:%[\]-]*$/),
  ORCH_USER: text(/^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/),
  ORCH_PORT: intIn(1, 65535),
  ORCH_IDENTITY_FILE: localPath,
  ORCH_KNOWN_HOSTS: localPath,
  ORCH_STRICT_HOST_KEY_CHECKING: z.preprocess(asText, z.enum(['yes', 'accept-new'])),
  ORCH_LOG_ROOT: targetPath,
  ORCH_LOG_RETENTION_DAYS: intIn(1, 100_000),
  ORCH_REMOTE_WORKDIR: targetPath,
  ORCH_PROJECT: text(/^[^\n\0]+$/),
  ORCH_SLACK_WEBHOOK_URL: z.preprocess(
    asText,
    z.string().refine((s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname !== '';
      } catch {
        return false;
      }
    }),
  ),
  ORCH_MAX_PARALLEL: intIn(1, 10_000),
  ORCH_RETRIES: intIn(0, 1_000),
  ORCH_EC2_INSTANCE_ID: text(/^i-[0-9a-f]{8,17}$/),
  ORCH_EC2_REGION: text(/^[a-z]{2}(-[a-z]+)+-\d+$/),
  ORCH_EC2_PROFILE: text(/^[A-Za-z0-9_.@+=,/-]+$/),
  ORCH_EC2_WAKE: z.preprocess(asText, z.enum(['auto', 'ask'])),
  ORCH_EC2_ADDRESS: z.preprocess(asText, z.enum(['public', 'private'])),
  ORCH_LOG_MODE: z.preprocess(asText, z.enum(['private', 'group'])),
  ORCH_AUTOSTOP_MINUTES: intIn(1, 100_000),
  // Settings give booleans; text sources the words people write in .env files.
  ORCH_SYNC: z.preprocess(
    (v) => (typeof v === 'boolean' ? (v ? '1' : '0') : asText(v)),
    z.string().regex(/^(1|0|true|false|yes|no|on|off)$/i).transform((s) => /^(1|true|yes|on)$/i.test(s)),
  ),
  // Relative to the workdir (where `pull` reads it) and to the workspace (where it lands); no `..`.
  ORCH_OUTPUT_DIR: text(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[^\n\0]+$/),
  ORCH_CLOUDWATCH: text(/^[A-Za-z0-9_\-/.#]{1,512}$/),
};

/**
 * The `cloudJobs` settings section, built from the same value schemas (unset settings are
 * undefined or null). Prefer {@link settingsFromSection} + `loadConfig`, whose messages name the
 * one setting to fix; this schema is for whole-section checks.
 */
export const settingsSchema = z.object(
  Object.fromEntries(
    (Object.entries(SETTINGS_KEYS) as [ConfigKey, string][]).map(([key, setting]) => [
      setting.slice('cloudJobs.'.length),
      CONFIG_VALUE_SCHEMAS[key].nullish(),
    ]),
  ),
);

