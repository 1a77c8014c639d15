import * as os from 'node:os';
import * as path from 'node:path';
import { readEnvFile, type EnvFileResult } from './envFile';
import { originOf, parseConfigValue, type ConfigValueTypes } from './schema';
import type { ConfigKey, OrchConfig } from './types';
import { isFile, pathExists as exists } from '../fsProbe';
import { ec2SpecOf } from '../ec2/spec';

/** Where the workspace's engine settings live, relative to the workspace root. */
export const ENV_FILE_RELATIVE = path.join('scripts', 'cloud', '.env');

export interface LoadConfigInput {
  cwd: string;
  env: Record<string, string | undefined>;
  flags?: Partial<Record<ConfigKey, string>>;
  settings?: Partial<Record<ConfigKey, unknown>>;
  /** The extension passes its workspace folder; the env file is looked up from there. */
  workspaceRoot?: string;
  /** Default true; false in VS Code Restricted Mode, where no workspace file may be read. */
  readWorkspaceFiles?: boolean;
}

interface Candidate {
  raw: unknown;
  origin: string;
  /** Relative local paths are taken relative to this directory. */
  base: string;
}

/**
 * Resolves the configuration: flags > environment > scripts/cloud/.env > settings > defaults.
 * An empty value at one level counts as unset there, so `ORCH_HOST=` in a template does not
 * hide a host given lower down.
 */
export async function loadConfig(input: LoadConfigInput): Promise<OrchConfig> {
  const home = input.env.HOME || os.homedir();
  const start = path.resolve(input.cwd, input.workspaceRoot ?? '.');
  const envFile = input.readWorkspaceFiles === false ? undefined : await findEnvFile(start);
  const file: EnvFileResult | undefined = envFile ? await readEnvFile(envFile, input.env) : undefined;
  const workspaceRoot = envFile
    ? path.dirname(path.dirname(path.dirname(envFile)))
    : input.workspaceRoot !== undefined
      ? start
      : ((await findGitRoot(path.resolve(input.cwd))) ?? path.resolve(input.cwd));
  const cwd = path.resolve(input.cwd);

  const origin: OrchConfig['origin'] = {};
  const pick = <K extends ConfigKey>(key: K): ConfigValueTypes[K] | undefined => {
    const c = candidates(key).find((x) => !isEmpty(x.raw));
    if (!c) return undefined;
    origin[key] = c.origin;
    return parseConfigValue(key, c.raw, c.origin);
  };
  const candidates = (key: ConfigKey): Candidate[] => {
    const list: Candidate[] = [
      { raw: input.flags?.[key], origin: originOf.flag(key), base: cwd },
      { raw: input.env[key], origin: originOf.env(key), base: cwd },
    ];
    if (file && envFile && key in file.values) {
      list.push({ raw: file.values[key], origin: originOf.file(envFile, file.lines[key]), base: workspaceRoot });
    }
    list.push({ raw: input.settings?.[key], origin: originOf.setting(key), base: workspaceRoot });
    return list;
  };
  const withDefault = <K extends ConfigKey>(key: K, value: ConfigValueTypes[K]): ConfigValueTypes[K] => {
    const v = pick(key);
    if (v !== undefined) return v;
    origin[key] = originOf.default();
    return value;
  };
  const localPath = (key: 'ORCH_IDENTITY_FILE' | 'ORCH_KNOWN_HOSTS', fallback?: string): string | undefined => {
    const v = pick(key);
    if (v === undefined) {
      if (fallback !== undefined) origin[key] = originOf.default();
      return fallback === undefined ? undefined : expandLocal(fallback, home, cwd);
    }
    const base = candidates(key).find((x) => !isEmpty(x.raw))!.base;
    return expandLocal(v, home, base);
  };

  const project = withDefault('ORCH_PROJECT', path.basename(workspaceRoot) || 'workspace');
  const ec2 = ec2SpecOf(pick);
  // --wake holds for every host: a hosts.yaml box reads it from this origin (hostConfig), and
  // without ORCH_EC2_INSTANCE_ID ec2SpecOf never picked it, so the flag was lost.
  if (!ec2 && !isEmpty(input.flags?.ORCH_EC2_WAKE)) origin.ORCH_EC2_WAKE = originOf.flag('ORCH_EC2_WAKE');
  let host = pick('ORCH_HOST');
  // An EC2 box needs no ORCH_HOST: it is named (and resolved through ~/.ssh/config) by its id.
  if (host === undefined && ec2) {
    host = ec2.instanceId;
    origin.ORCH_HOST = origin.ORCH_EC2_INSTANCE_ID;
  }
  const autostopMinutes = pick('ORCH_AUTOSTOP_MINUTES');
  return {
    host,
    user: pick('ORCH_USER'),
    port: pick('ORCH_PORT'),
    identityFile: localPath('ORCH_IDENTITY_FILE'),
    knownHosts: localPath('ORCH_KNOWN_HOSTS', '~/.ssh/known_hosts')!,
    strictHostKeyChecking: withDefault('ORCH_STRICT_HOST_KEY_CHECKING', 'yes'),
    logRoot: withDefault('ORCH_LOG_ROOT', '~/logs'),
    logRetentionDays: withDefault('ORCH_LOG_RETENTION_DAYS', 30),
    remoteWorkdir: withDefault('ORCH_REMOTE_WORKDIR', `~/work/${project}`),
    project,
    slackWebhookUrl: pick('ORCH_SLACK_WEBHOOK_URL'),
    maxParallel: pick('ORCH_MAX_PARALLEL'),
    retries: withDefault('ORCH_RETRIES', 0),
    ...(ec2 ? { ec2 } : {}),
    ...(autostopMinutes !== undefined ? { autostopMinutes } : {}),
    logMode: withDefault('ORCH_LOG_MODE', 'private'),
    sync: withDefault('ORCH_SYNC', false),
    outputDir: pick('ORCH_OUTPUT_DIR')?.replace(/\/+$/, ''),
    cloudwatch: pick('ORCH_CLOUDWATCH'),
    workspaceRoot,
    envFile,
    origin,
  };
}

/** One sentence telling the user where to configure a host. */
export function describeMissingHost(config: OrchConfig): string {
  const file = config.envFile ?? path.join(config.workspaceRoot, ENV_FILE_RELATIVE);
  return `No cloud host is configured: set ORCH_HOST in ${file} (or the ORCH_HOST environment variable, or pass --host), or run the job with --local.`;
}

/** The nearest `scripts/cloud/.env` in `dir` or one of its ancestors. */
export async function findEnvFile(dir: string): Promise<string | undefined> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, ENV_FILE_RELATIVE);
    if (await isFile(candidate)) return candidate;
    if (path.dirname(d) === d) return undefined;
  }
}

/** The nearest ancestor holding `.git` (a directory, or a file in worktrees); no git process. */
export async function findGitRoot(dir: string): Promise<string | undefined> {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (await exists(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return undefined;
  }
}

/** `~` and `~/x` become the local home; relative paths are taken from `base`. */
export function expandLocal(p: string, home: string, base: string): string {
  if (p === '~') return home;
  if (p.startsWith('~/')) return path.join(home, p.slice(2));
  return path.resolve(base, p);
}

function isEmpty(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}


