import type { ConfigKey, EnvOnlyKey } from './types';

// Kept apart from schema.ts (which loads zod) so the extension can name its settings at
// activation without evaluating the validation library.

/**
 * VS Code setting of each key. The webhook URL is a secret and lives in SecretStorage, not in
 * settings; the extension may still pass it in `settings` (its origin is then `SECRET_ORIGIN` of schema.ts).
 * The ORCH_EC2_* keys describe one box of the workspace (scripts/cloud/.env, later hosts.yaml),
 * not an editor preference, so they have no setting either.
 */
export const SETTINGS_KEYS: Record<Exclude<ConfigKey, EnvOnlyKey>, string> = {
  ORCH_HOST: 'cloudJobs.host',
  ORCH_USER: 'cloudJobs.user',
  ORCH_PORT: 'cloudJobs.port',
  ORCH_IDENTITY_FILE: 'cloudJobs.identityFile',
  ORCH_KNOWN_HOSTS: 'cloudJobs.knownHosts',
  ORCH_STRICT_HOST_KEY_CHECKING: 'cloudJobs.strictHostKeyChecking',
  ORCH_LOG_ROOT: 'cloudJobs.logRoot',
  ORCH_LOG_RETENTION_DAYS: 'cloudJobs.logRetentionDays',
  ORCH_REMOTE_WORKDIR: 'cloudJobs.remoteWorkdir',
  ORCH_PROJECT: 'cloudJobs.project',
  ORCH_MAX_PARALLEL: 'cloudJobs.maxParallel',
  ORCH_RETRIES: 'cloudJobs.retries',
  ORCH_LOG_MODE: 'cloudJobs.logMode',
  ORCH_SYNC: 'cloudJobs.syncBeforeRun',
  ORCH_OUTPUT_DIR: 'cloudJobs.outputDir',
};
