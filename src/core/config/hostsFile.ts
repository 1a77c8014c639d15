/**
 * `scripts/cloud/hosts.yaml` (PRODUCT.md §6): validated with zod; errors read
 * `hosts.yaml:7: hosts.gpu-box.port: must be a port number (1-65535), got 0` (exit code 2), like
 * the routing and guardrails files. Values use the ORCH_* rules of schema.ts, so a port, a log root
 * or a user is accepted here exactly when it would be in scripts/cloud/.env.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { UserError, usageError } from '../errors';
import { EXPECTED } from './schema';
import { CONFIG_VALUE_SCHEMAS } from './valueSchemas';
import type { ConfigKey } from './types';
import { lineOf, pathText, type YamlKey } from './yamlPositions';
import { AUTO_HOST, type Ec2Settings, type HostEntry, type HostsFile } from './hostsTypes';
import { LOCAL_HOST } from '../jobs/where';

/** A host's name: shown in columns and the tree, typed after --host. */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
/** Names with a meaning of their own on the command line. */
const RESERVED_NAMES = new Set([AUTO_HOST, LOCAL_HOST]);

/** A value checked by the ORCH_* rule of `key`, with that key's "must be ..." sentence. */
function orchValue<K extends ConfigKey>(key: K) {
  return z.unknown().transform((v, ctx) => {
    const r = CONFIG_VALUE_SCHEMAS[key].safeParse(v);
    if (r.success) return r.data;
    ctx.addIssue({ code: 'custom', message: `must be ${EXPECTED[key]}, got ${JSON.stringify(v)}` });
    return z.NEVER;
  });
}

const minutes = z.number({ error: 'must be a number of minutes' }).int('must be a whole number of minutes').min(1, 'must be at least 1');

const ec2Schema = z.strictObject({
  instance_id: z.string({ error: 'must be an instance id like i-0abc12345def67890' }).regex(/^i-[0-9a-f]{8,17}$/, 'must be an instance id like i-0abc12345def67890'),
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region like ap-northeast-1').optional(),
  profile: z.string().trim().min(1, 'must not be empty').optional(),
  autostop_minutes: minutes.optional(),
  wake: z.enum(['auto', 'ask'], { error: 'must be "auto" or "ask"' }).optional(),
  address: z.enum(['public', 'private'], { error: 'must be "public" or "private"' }).optional(),
});

const entrySchema = z.strictObject({
  kind: z.enum(['tmux', 'slurm'], { error: 'must be "tmux" or "slurm"' }).optional(),
  host: orchValue('ORCH_HOST').optional(),
  user: orchValue('ORCH_USER').optional(),
  port: orchValue('ORCH_PORT').optional(),
  identity_file: orchValue('ORCH_IDENTITY_FILE').optional(),
  known_hosts: orchValue('ORCH_KNOWN_HOSTS').optional(),
  log_root: orchValue('ORCH_LOG_ROOT').optional(),
  remote_workdir: orchValue('ORCH_REMOTE_WORKDIR').optional(),
  max_parallel: orchValue('ORCH_MAX_PARALLEL').optional(),
  gpus: z.number({ error: 'must be a whole number of GPUs' }).int('must be a whole number of GPUs').min(0, 'must be 0 or more').max(1024, 'must be at most 1024').optional(),
  ec2: ec2Schema.optional(),
  autostop_minutes: minutes.optional(),
  autostop_command: z.string().trim().min(1, 'must not be empty').optional(),
  cloudwatch: z.string().regex(/^[A-Za-z0-9_\-/.#]{1,512}$/, 'must be a CloudWatch Logs group name (letters, digits, _ - / . #)').optional(),
});
type Entry = z.infer<typeof entrySchema>;

const fileSchema = z.strictObject({
  hosts: z.record(z.string(), entrySchema.nullable(), { error: 'must be a mapping of host names to their settings' }),
  default: z.string({ error: 'must be a host name or "auto"' }).optional(),
});

const KNOWN: Record<'root' | 'entry' | 'ec2', string[]> = {
  root: Object.keys(fileSchema.shape),
  entry: Object.keys(entrySchema.shape),
  ec2: Object.keys(ec2Schema.shape),
};

function knownAt(p: readonly YamlKey[]): string[] {
  if (p.length === 0) return KNOWN.root;
  if (p[p.length - 1] === 'ec2') return KNOWN.ec2;
  return KNOWN.entry;
}

/** 1-based line of the key at a path (of `key` inside it when given); 0 where there are no lines (settings). */
type Locate = (p: readonly YamlKey[], key?: string) => number;

interface Problem {
  line: number;
  message: string;
}

function fail(file: string, problems: Problem[]): never {
  problems.sort((a, b) => a.line - b.line);
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
  throw usageError(`${file}:${problems[0]!.line}: ${problems[0]!.message}${more}.`);
}

function toEc2(e: NonNullable<Entry['ec2']>): Ec2Settings {
  return {
    instanceId: e.instance_id,
    region: e.region,
    profile: e.profile,
    autostopMinutes: e.autostop_minutes,
    wake: e.wake ?? 'ask',
    address: e.address ?? 'public',
  };
}

function toEntry(name: string, e: Entry, line: number): HostEntry {
  const ec2 = e.ec2 ? toEc2(e.ec2) : undefined;
  return {
    name,
    line,
    kind: e.kind ?? 'tmux',
    host: e.host ?? name,
    user: e.user,
    port: e.port,
    identityFile: e.identity_file,
    knownHosts: e.known_hosts,
    logRoot: e.log_root,
    remoteWorkdir: e.remote_workdir,
    maxParallel: e.max_parallel,
    gpus: e.gpus,
    ec2,
    autostopMinutes: e.autostop_minutes ?? ec2?.autostopMinutes,
    autostopCommand: e.autostop_command,
    cloudwatch: e.cloudwatch,
  };
}

/** Checks that zod cannot express with a line: names, the default, one value in two places. */
function crossChecks(locate: Locate, hosts: Record<string, Entry | null>, def: string | undefined): Problem[] {
  const problems: Problem[] = [];
  const names = Object.keys(hosts);
  if (names.length === 0) problems.push({ line: locate([], 'hosts'), message: 'hosts: list at least one host' });
  for (const name of names) {
    const line = locate(['hosts'], name);
    if (!HOST_NAME_PATTERN.test(name)) {
      problems.push({ line, message: `hosts.${name}: a host name must be letters, digits, ".", "-" and "_" (starting with a letter or digit, at most 63)` });
    } else if (RESERVED_NAMES.has(name)) {
      problems.push({ line, message: `hosts.${name}: "${name}" is reserved (--host ${name} has its own meaning); pick another name` });
    }
    const e = hosts[name];
    if (e?.ec2?.autostop_minutes !== undefined && e.autostop_minutes !== undefined && e.ec2.autostop_minutes !== e.autostop_minutes) {
      problems.push({ line: locate(['hosts', name], 'autostop_minutes'), message: `hosts.${name}.autostop_minutes: set it once (here or in ec2:), not two different values` });
    }
  }
  if (def !== undefined && def !== AUTO_HOST && !names.includes(def)) {
    const known = [...names, AUTO_HOST].join(', ');
    problems.push({ line: locate([], 'default'), message: `default: "${def}" is not one of the hosts; known: ${known}` });
  }
  return problems;
}

/** Whether the key at `p` is in the parsed file (a zod type error on an absent key means "missing"). */
function present(raw: unknown, p: readonly YamlKey[]): boolean {
  let v: unknown = raw;
  for (const k of p) {
    if (v === null || typeof v !== 'object' || !(k in v)) return false;
    v = (v as Record<string | number, unknown>)[k];
  }
  return true;
}

type Checked = { ok: true; file: Omit<HostsFile, 'file'> } | { ok: false; problems: Problem[] };

/** Validates the parsed mapping `{ hosts, default }` (from YAML or from settings). */
function checkHosts(raw: unknown, locate: Locate): Checked {
  const result = fileSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((i) => {
      const p = i.path.filter((k): k is YamlKey => typeof k !== 'symbol');
      if (i.code === 'unrecognized_keys') {
        const key = i.keys[0]!;
        return { line: locate(p, key), message: `${pathText([...p, key])}: unknown key "${key}"; known: ${knownAt(p).join(', ')}` };
      }
      if (i.code === 'invalid_type' && p.length > 0 && !present(raw, p)) {
        const parent = p.slice(0, -1);
        const line = parent.length ? locate(parent.slice(0, -1), String(parent[parent.length - 1])) : locate([]);
        return { line, message: `${pathText(p)}: missing (${i.message.replace(/^Invalid input: /, '')})` };
      }
      return { line: locate(p), message: `${pathText(p) || '(top level)'}: ${i.message.replace(/^Invalid (input|option): /, '')}` };
    });
    return { ok: false, problems };
  }
  const problems = crossChecks(locate, result.data.hosts, result.data.default);
  if (problems.length) return { ok: false, problems };
  const hosts = Object.entries(result.data.hosts).map(([name, e]) => toEntry(name, e ?? {}, locate(['hosts'], name)));
  return { ok: true, file: { hosts, default: result.data.default } };
}

/** Parses a hosts file's text; `file` names it in errors. */
export function parseHostsFile(text: string, file: string): HostsFile {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw usageError(`${file}:${lc.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}.`);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined || typeof raw !== 'object' || Array.isArray(raw)) {
    throw usageError(`${file}:${lineOf(doc, lc, [])}: expected a mapping with the keys hosts and default (see docs/hosts.md).`);
  }
  const checked = checkHosts(raw, (p, key) => lineOf(doc, lc, p, key));
  if (!checked.ok) fail(file, checked.problems);
  return { file, ...checked.file };
}

/** The VS Code settings that name hosts like hosts.yaml does (that file wins when present). */
export const HOSTS_SETTING = 'cloudJobs.hosts';
export const DEFAULT_HOST_SETTING = 'cloudJobs.defaultHost';

/**
 * Hosts named in settings: `cloudJobs.hosts` is the mapping under hosts.yaml's `hosts:`,
 * `cloudJobs.defaultHost` its `default:`. Undefined when no host is set. Errors name the setting:
 * `Setting cloudJobs.hosts: gpu-box.port: must be a port number (1-65535), got 0.`
 */
export function hostsFromSettings(hosts: unknown, def: unknown): HostsFile | undefined {
  if (hosts === undefined || hosts === null || (typeof hosts === 'object' && Object.keys(hosts).length === 0)) return undefined;
  const raw = def === undefined || def === null || def === '' ? { hosts } : { hosts, default: def };
  const checked = checkHosts(raw, () => 0);
  if (checked.ok) return { file: `setting ${HOSTS_SETTING}`, ...checked.file };
  const first = checked.problems[0]!;
  const more = checked.problems.length > 1 ? ` (and ${checked.problems.length - 1} more problem${checked.problems.length > 2 ? 's' : ''})` : '';
  const onDefault = first.message.startsWith('default:');
  const setting = onDefault ? DEFAULT_HOST_SETTING : HOSTS_SETTING;
  const text = onDefault ? first.message.slice('default: '.length) : first.message.replace(/^hosts(\.|: )/, '');
  throw usageError(`Setting ${setting}: ${text}${more}.`);
}

/** Reads and validates a hosts file; `label` names it in messages (default: the path). */
export async function loadHostsFile(file: string, label = file): Promise<HostsFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw usageError(`Hosts file ${label} does not exist.`);
    throw new UserError(`Cannot read hosts file ${label}: ${(e as Error).message}.`, { cause: e });
  }
  return { ...parseHostsFile(text, label), file: path.resolve(file) };
}
