import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { lineOf, pathText, type YamlKey } from '../config/yamlPositions';
import { z } from 'zod';
import { UserError, usageError } from '../errors';
import { DEFAULT_HEAVY_KINDS, DEFAULT_POLICY } from './defaults';
import { KNOWN_KEYS, routingBlockSchema, type RoutingBlock } from './schema';
import type { ProfilePattern, RoutingPolicy } from './types';
import { isFile } from '../fsProbe';
import { routingWorkspace } from '../config/workspace';

/** The block under this key may also be the whole file. */
const WRAPPER = 'CLOUD_ROUTING';




function knownKeysAt(p: readonly YamlKey[], wrapped: boolean): string[] {
  const last = p[p.length - 1];
  if (last === undefined && wrapped) return [WRAPPER];
  if (last === undefined || last === WRAPPER) return KNOWN_KEYS.root;
  if (typeof last === 'number') return KNOWN_KEYS.profile;
  return last === 'agents' ? KNOWN_KEYS.agents : last === 'local_defaults' ? KNOWN_KEYS.local_defaults : [];
}

function issueText(issue: z.core.$ZodIssue, wrapped: boolean): { path: YamlKey[]; key?: string; message: string } {
  const p = issue.path.filter((k): k is YamlKey => typeof k !== 'symbol');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return { path: p, key, message: `${pathText([...p, key])}: unknown key "${key}"; known: ${knownKeysAt(p, wrapped).join(', ')}` };
  }
  const message = issue.message.replace(/^Invalid (input|option): /, '');
  return { path: p, message: `${pathText(p) || '(top level)'}: ${message}` };
}

function toPolicy(b: RoutingBlock): RoutingPolicy {
  const d = DEFAULT_POLICY;
  const ld = b.agents?.local_defaults;
  const profiles: ProfilePattern[] = (b.profiles ?? []).map((p) => ({
    pattern: new RegExp(p.pattern, p.ignore_case ? 'i' : ''),
    why: p.why,
    facts: Object.fromEntries(
      Object.entries({
        runtimeMinutes: p.runtime_minutes,
        memoryGb: p.memory_gb,
        parallel: p.parallel,
        heavyLogs: p.heavy_logs,
        heavyKinds: p.heavy_kinds,
        uiCentric: p.ui_centric,
        lightweight: p.lightweight,
      }).filter(([, v]) => v !== undefined),
    ),
  }));
  return {
    default: b.default ?? d.default,
    forceCloud: b.force_cloud ?? d.forceCloud,
    allowLocal: b.allow_local ?? d.allowLocal,
    agents: {
      cloud: b.agents?.cloud ?? d.agents.cloud,
      local: b.agents?.local ?? d.agents.local,
      depends: b.agents?.depends ?? d.agents.depends,
    },
    localDefaults: {
      runtimeMinutes: ld?.runtime_minutes ?? d.localDefaults.runtimeMinutes,
      memoryGb: ld?.memory_gb ?? d.localDefaults.memoryGb,
      uiCentric: ld?.ui_centric ?? d.localDefaults.uiCentric,
      lightweight: ld?.lightweight ?? d.localDefaults.lightweight,
    },
    heavyKinds: b.heavy_kinds ?? DEFAULT_HEAVY_KINDS,
    profiles,
  };
}

/**
 * Parses a routing file's text. `file` names it in errors, which read
 * `routing.yaml:4: force_cloud[1]: unknown rule "foo"; known: ...` (exit code 2).
 */
export function parseRoutingPolicy(text: string, file: string): RoutingPolicy {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw usageError(`${file}:${lc.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}.`);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) return DEFAULT_POLICY;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw usageError(`${file}:${lineOf(doc, lc, [])}: expected a mapping with the ${WRAPPER} keys (${KNOWN_KEYS.root.join(', ')}).`);
  }
  const wrapped = WRAPPER in raw;
  const schema = wrapped ? z.strictObject({ [WRAPPER]: routingBlockSchema.nullable() }) : routingBlockSchema;
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const t = issueText(i, wrapped);
      return { line: lineOf(doc, lc, t.path, t.key), message: t.message };
    });
    issues.sort((a, b) => a.line - b.line);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw usageError(`${file}:${issues[0].line}: ${issues[0].message}${more}.`);
  }
  const block = (wrapped ? (result.data as Record<string, RoutingBlock>)[WRAPPER] : result.data) as RoutingBlock | null;
  return toPolicy(block ?? {});
}

/** Reads and validates a routing file; `label` names it in messages (default: the path). */
export async function loadRoutingPolicy(file: string, label = file): Promise<RoutingPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw usageError(`Routing file ${label} does not exist.`);
    throw new UserError(`Cannot read routing file ${label}: ${(e as Error).message}.`, { cause: e });
  }
  return parseRoutingPolicy(text, label);
}



export { routingWorkspace };

/** The routing file in effect: `ORCH_ROUTING_FILE`, else `<workspace>/scripts/cloud/routing.yaml` if present. */
export async function findRoutingFile(cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const fromEnv = env.ORCH_ROUTING_FILE;
  if (fromEnv !== undefined && fromEnv !== '') {
    const file = path.resolve(cwd, fromEnv);
    if (!(await isFile(file))) throw usageError(`ORCH_ROUTING_FILE points to ${fromEnv}, which does not exist.`);
    return file;
  }
  const candidate = path.join(await routingWorkspace(cwd), 'scripts', 'cloud', 'routing.yaml');
  return (await isFile(candidate)) ? candidate : undefined;
}

export interface ResolvedPolicy {
  policy: RoutingPolicy;
  /** The file read, or undefined for the built-in defaults. */
  file: string | undefined;
}

/** The policy for a working directory: an explicit file (e.g. `--config`), else the lookup, else the defaults. */
export async function resolveRoutingPolicy(opts: { cwd: string; env: NodeJS.ProcessEnv; file?: string }): Promise<ResolvedPolicy> {
  if (opts.file !== undefined) {
    return { policy: await loadRoutingPolicy(path.resolve(opts.cwd, opts.file), opts.file), file: path.resolve(opts.cwd, opts.file) };
  }
  const file = await findRoutingFile(opts.cwd, opts.env);
  return { policy: file ? await loadRoutingPolicy(file) : DEFAULT_POLICY, file };
}
