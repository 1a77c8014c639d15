/**
 * The guardrails file: `scripts/cloud/guardrails.yaml` at the workspace root (or the file
 * `ORCH_GUARDRAILS_FILE` names), validated with zod; errors read `guardrails.yaml:4: retry.on_exit:
 * ...` (exit code 2), like the routing file. Every key is optional; the block may sit under a
 * `guardrails:` key.
 */
import { readFile, stat } from 'node:fs/promises';
import * as path from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { lineOf, pathText, type YamlKey } from '../config/yamlPositions';
import { z } from 'zod';
import { UserError, usageError } from '../errors';
import { routingWorkspace } from '../policy/load';
import { checkPattern, DEFAULT_NO_RETRY_PATTERNS, DEFAULT_WATCH_PATTERNS, type WatchPattern } from './patterns';
import { defaultGuardrails, parseRetryExit, type GuardrailSettings, type RetryExitPolicy } from './settings';

const WRAPPER = 'guardrails';

const pattern = z.string().superRefine((s, ctx) => {
  const problem = checkPattern(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const watchPattern = z.union([
  pattern,
  z.strictObject({ name: z.string().trim().min(1, 'must not be empty'), regex: pattern }),
]);

const exitCodes = z.union([z.string(), z.array(z.number().int().min(1).max(255)).min(1)]).transform((v, ctx): RetryExitPolicy => {
  if (Array.isArray(v)) return { kind: 'only', codes: [...new Set(v)].sort((a, b) => a - b) };
  try {
    return parseRetryExit(v, 'on_exit');
  } catch (e) {
    ctx.addIssue({ code: 'custom', message: (e as Error).message.replace(/^on_exit:? ?/, '').replace(/\.$/, '') });
    return z.NEVER;
  }
});

const seconds = z.number().nonnegative();

const blockSchema = z.strictObject({
  watch: z
    .strictObject({
      use_defaults: z.boolean().optional(),
      patterns: z.array(watchPattern).optional(),
      window_lines: z.number().int().nonnegative().optional(),
      stop_on_match: z.boolean().optional(),
    })
    .optional(),
  retry: z
    .strictObject({
      backoff_seconds: seconds.optional(),
      max_backoff_seconds: seconds.optional(),
      on_exit: exitCodes.optional(),
      use_defaults: z.boolean().optional(),
      no_retry_on: z.array(pattern).optional(),
      rollback_on_retry: z.boolean().optional(),
    })
    .optional(),
});
type Block = z.infer<typeof blockSchema>;

const KNOWN: Record<string, string[]> = {
  '': ['watch', 'retry'],
  watch: ['use_defaults', 'patterns', 'window_lines', 'stop_on_match'],
  retry: ['backoff_seconds', 'max_backoff_seconds', 'on_exit', 'use_defaults', 'no_retry_on', 'rollback_on_retry'],
  pattern: ['name', 'regex'],
};




function toSettings(b: Block): GuardrailSettings {
  const s = defaultGuardrails();
  const w = b.watch ?? {};
  const given: WatchPattern[] = (w.patterns ?? []).map((p) => (typeof p === 'string' ? { name: p, regex: p } : p));
  s.watch.patterns = [...(w.use_defaults === false ? [] : DEFAULT_WATCH_PATTERNS.map((p) => ({ ...p }))), ...given];
  s.watch.windowLines = w.window_lines ?? s.watch.windowLines;
  s.watch.stopOnMatch = w.stop_on_match ?? s.watch.stopOnMatch;
  const r = b.retry ?? {};
  s.retry.backoffSeconds = r.backoff_seconds ?? s.retry.backoffSeconds;
  s.retry.maxBackoffSeconds = r.max_backoff_seconds ?? s.retry.maxBackoffSeconds;
  s.retry.onExit = r.on_exit ?? s.retry.onExit;
  s.retry.noRetryOn = [...(r.use_defaults === false ? [] : DEFAULT_NO_RETRY_PATTERNS), ...(r.no_retry_on ?? [])];
  s.retry.rollbackOnRetry = r.rollback_on_retry ?? s.retry.rollbackOnRetry;
  return s;
}

/** Parses a guardrails file's text; `file` names it in errors. */
export function parseGuardrails(text: string, file: string): GuardrailSettings {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw usageError(`${file}:${lc.linePos(e.pos[0]).line}: not valid YAML: ${e.message.split('\n')[0]}.`);
  }
  const raw: unknown = doc.toJS({ maxAliasCount: 100 });
  if (raw === null || raw === undefined) return defaultGuardrails();
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw usageError(`${file}:${lineOf(doc, lc, [])}: expected a mapping with the keys watch and retry.`);
  }
  const wrapped = WRAPPER in raw;
  const schema = wrapped ? z.strictObject({ [WRAPPER]: blockSchema.nullable() }) : blockSchema;
  const result = schema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const p = i.path.filter((k): k is YamlKey => typeof k !== 'symbol');
      if (i.code === 'unrecognized_keys') {
        const key = i.keys[0]!;
        const at = p.filter((k) => k !== WRAPPER);
        const known = wrapped && p.length === 0 ? [WRAPPER] : KNOWN[typeof at[at.length - 1] === 'number' ? 'pattern' : String(at[0] ?? '')] ?? [];
        return { line: lineOf(doc, lc, p, key), message: `${pathText([...p, key])}: unknown key "${key}"; known: ${known.join(', ')}` };
      }
      return { line: lineOf(doc, lc, p), message: `${pathText(p) || '(top level)'}: ${i.message.replace(/^Invalid (input|option): /, '')}` };
    });
    issues.sort((a, b) => a.line - b.line);
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : '';
    throw usageError(`${file}:${issues[0]!.line}: ${issues[0]!.message}${more}.`);
  }
  const block = (wrapped ? (result.data as Record<string, Block | null>)[WRAPPER] : result.data) as Block | null;
  return toSettings(block ?? {});
}

export async function loadGuardrails(file: string, label = file): Promise<GuardrailSettings> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw usageError(`Guardrails file ${label} does not exist.`);
    throw new UserError(`Cannot read guardrails file ${label}: ${(e as Error).message}.`, { cause: e });
  }
  return parseGuardrails(text, label);
}

export interface ResolvedGuardrails {
  settings: GuardrailSettings;
  /** The file read, or undefined for the defaults. */
  file: string | undefined;
}

/** `ORCH_GUARDRAILS_FILE`, else `<workspace>/scripts/cloud/guardrails.yaml` when present, else the defaults. */
export async function resolveGuardrails(opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<ResolvedGuardrails> {
  const fromEnv = opts.env.ORCH_GUARDRAILS_FILE;
  if (fromEnv !== undefined && fromEnv !== '') {
    const file = path.resolve(opts.cwd, fromEnv);
    return { settings: await loadGuardrails(file, fromEnv), file };
  }
  const candidate = path.join(await routingWorkspace(opts.cwd), 'scripts', 'cloud', 'guardrails.yaml');
  const exists = await stat(candidate).then((s) => s.isFile(), () => false);
  return exists ? { settings: await loadGuardrails(candidate), file: candidate } : { settings: defaultGuardrails(), file: undefined };
}
