/** The configuration keys of PRODUCT.md §2, by their environment / .env names. */
export const CONFIG_KEYS = [
  'ORCH_HOST',
  'ORCH_USER',
  'ORCH_PORT',
  'ORCH_IDENTITY_FILE',
  'ORCH_KNOWN_HOSTS',
  'ORCH_STRICT_HOST_KEY_CHECKING',
  'ORCH_LOG_ROOT',
  'ORCH_LOG_RETENTION_DAYS',
  'ORCH_REMOTE_WORKDIR',
  'ORCH_PROJECT',
  'ORCH_SLACK_WEBHOOK_URL',
  'ORCH_MAX_PARALLEL',
  'ORCH_RETRIES',
  'ORCH_EC2_INSTANCE_ID',
  'ORCH_EC2_REGION',
  'ORCH_EC2_PROFILE',
  'ORCH_EC2_WAKE',
  'ORCH_EC2_ADDRESS',
  'ORCH_LOG_MODE',
  'ORCH_AUTOSTOP_MINUTES',
  'ORCH_SYNC',
  'ORCH_OUTPUT_DIR',
  'ORCH_CLOUDWATCH',
] as const;
export type ConfigKey = (typeof CONFIG_KEYS)[number];

import type { Ec2BoxSpec } from '../ec2/spec';
import type { HostKind } from './hostsTypes';

/** Keys that live in the environment and scripts/cloud/.env only, never in VS Code settings. */
export type EnvOnlyKey = 'ORCH_SLACK_WEBHOOK_URL' | 'ORCH_EC2_INSTANCE_ID' | 'ORCH_EC2_REGION' | 'ORCH_EC2_PROFILE' | 'ORCH_EC2_WAKE' | 'ORCH_EC2_ADDRESS' | 'ORCH_AUTOSTOP_MINUTES' | 'ORCH_CLOUDWATCH';

/** Resolved configuration (flags > environment > scripts/cloud/.env > settings > defaults). */
export interface OrchConfig {
  /** Host name, IP or ~/.ssh/config alias; undefined means only the local target works. */
  host: string | undefined;
  user: string | undefined;
  port: number | undefined;
  identityFile: string | undefined;
  knownHosts: string;
  strictHostKeyChecking: 'yes' | 'accept-new';
  /** Log root on the target; a leading `~/` means the target user's home. */
  logRoot: string;
  logRetentionDays: number;
  /** Where jobs run on the target; a leading `~/` means the target user's home. */
  remoteWorkdir: string;
  project: string;
  /** Secret: never printed, logged, or put on a command line. */
  slackWebhookUrl: string | undefined;
  maxParallel: number | undefined;
  retries: number;
  /**
   * The host is an EC2 instance orch can start and stop (PRODUCT.md §7); from ORCH_EC2_* for
   * the single host. Optional so that configurations built by hand (tests) need not name it.
   */
  ec2?: Ec2BoxSpec;
  /**
   * Idle minutes before the host powers itself off (PRODUCT.md §7 autostop; `autostop_minutes`,
   * else ORCH_AUTOSTOP_MINUTES); undefined: never. Sent to the host in seconds, so a test may
   * give a fraction. Never applied to the local target.
   */
  autostopMinutes?: number;
  /** Replaces `sudo -n shutdown -h now` as the autostop action (hosts.yaml `autostop_command`). */
  autostopCommand?: string;
  /** The host's declared GPU inventory (hosts.yaml `gpus:`); undefined: the host asks `nvidia-smi -L`. */
  gpus?: number;
  /** `slurm`: a Slurm login node, jobs are batch jobs (PRODUCT.md §8); undefined or `tmux`: tmux sessions. */
  hostKind?: HostKind;
  /** `private` (owner only, the default) or `group` (the user's group may read the logs; PRODUCT.md §10). */
  logMode: 'private' | 'group';
  /** `run` uploads the workspace first unless told not to (ORCH_SYNC=1; the extension's syncBeforeRun). */
  sync?: boolean;
  /** Output dir recorded for `pull` when `run` is given none (relative to the workdir). */
  outputDir?: string;
  /** The CloudWatch Logs group every job of the host ships its log to (ORCH_CLOUDWATCH, hosts.yaml `cloudwatch:`; PRODUCT.md §7). */
  cloudwatch?: string;
  /** The workspace root: nearest ancestor of cwd with scripts/cloud/.env, else cwd. */
  workspaceRoot: string;
  /** The scripts/cloud/.env that was read, if any. */
  envFile: string | undefined;
  /** Where each value came from, for messages: `--host`, `ORCH_HOST (environment)`, `/w/scripts/cloud/.env:3`, `setting cloudJobs.host`, `default`. */
  origin: Partial<Record<ConfigKey, string>>;
}
