import type { AllowClause, ForceRule, LocalCondition, NumericFact } from './types';

// The rule expressions of the protocol's CLOUD_ROUTING block, parsed so that thresholds come
// from the text: `runtime_estimate > 20min` moves the runtime threshold to 20 minutes.

/** The id of the agent-affinity rule; not an expression, it comes from the agent lists. */
export const AGENT_AFFINITY = 'agent_affinity';

const FORCE_FLAGS = ['heavy_log_output', 'llm_or_embedding', 'memory_unknown'] as const;
const LOCAL_FLAGS = ['ui_centric', 'lightweight_check'] as const;

/** The forms a `force_cloud` entry may take, for error messages. */
export const FORCE_RULE_FORMS = [
  'runtime_estimate > Nmin',
  'memory_estimate > NGB',
  'parallel_execution >= N',
  ...FORCE_FLAGS,
];
/** The conditions an `allow_local` clause may join with AND, for error messages. */
export const LOCAL_CONDITION_FORMS = ['runtime_estimate <= Nmin', 'memory_estimate <= NGB', ...LOCAL_FLAGS];

const COMPARE = /^(runtime_estimate|memory_estimate|parallel_execution)\s*(>=|<=|>|<)\s*(\d+(?:\.\d+)?)\s*([a-z]*)$/i;

/** Result of parsing one expression: the value, or a message saying what is wrong. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

function toUnit(fact: NumericFact, n: number, unit: string): number | undefined {
  const u = unit.toLowerCase();
  if (fact === 'runtime_estimate') {
    if (u === '' || u === 'min' || u === 'm') return n;
    if (u === 'h') return n * 60;
    return undefined;
  }
  if (fact === 'memory_estimate') {
    if (u === '' || u === 'gb' || u === 'g') return n;
    if (u === 'mb' || u === 'm') return n / 1024;
    if (u === 'tb' || u === 't') return n * 1024;
    return undefined;
  }
  return u === '' ? n : undefined;
}

const UNIT_HINT: Record<NumericFact, string> = {
  runtime_estimate: 'min or h',
  memory_estimate: 'GB, MB or TB',
  parallel_execution: 'no unit',
};

/** Canonical text of a comparison, used as its rule id (`runtime_estimate > 10min`). */
export function formatCompare(fact: NumericFact, op: string, value: number): string {
  const unit = fact === 'runtime_estimate' ? 'min' : fact === 'memory_estimate' ? 'GB' : '';
  return `${fact} ${op} ${value}${unit}`;
}

function parseCompare(text: string): Parsed<{ fact: NumericFact; op: string; value: number }> | undefined {
  const m = COMPARE.exec(text);
  if (!m) return undefined;
  const fact = m[1].toLowerCase() as NumericFact;
  const value = toUnit(fact, Number(m[3]), m[4]);
  if (value === undefined) return { ok: false, message: `unknown unit "${m[4]}" in "${text}"; ${fact} takes ${UNIT_HINT[fact]}` };
  return { ok: true, value: { fact, op: m[2], value } };
}

function squash(text: string): string {
  return text.trim().replace(/\s+/g, ' ');
}

/** Parses one `force_cloud` entry. */
export function parseForceRule(raw: string): Parsed<ForceRule> {
  const text = squash(raw);
  const flag = FORCE_FLAGS.find((f) => f === text.toLowerCase());
  if (flag) return { ok: true, value: { kind: 'flag', id: flag } };
  const cmp = parseCompare(text);
  if (cmp === undefined) return { ok: false, message: `unknown rule "${text}"; known: ${FORCE_RULE_FORMS.join(', ')}` };
  if (!cmp.ok) return cmp;
  const { fact, op, value } = cmp.value;
  if (op !== '>' && op !== '>=') {
    return { ok: false, message: `"${text}" cannot send to cloud: force_cloud rules use > or >=` };
  }
  return { ok: true, value: { kind: 'compare', id: formatCompare(fact, op, value), fact, op, value } };
}

/** Parses one `allow_local` entry: conditions joined by AND. */
export function parseAllowClause(raw: string): Parsed<AllowClause> {
  const parts = squash(raw).split(/ AND /i);
  const conditions: LocalCondition[] = [];
  const ids: string[] = [];
  for (const part of parts) {
    const flag = LOCAL_FLAGS.find((f) => f === part.toLowerCase());
    if (flag) {
      conditions.push({ kind: 'flag', id: flag });
      ids.push(flag);
      continue;
    }
    const cmp = parseCompare(part);
    if (cmp === undefined) {
      return { ok: false, message: `unknown condition "${part}"; known: ${LOCAL_CONDITION_FORMS.join(', ')} (joined by AND)` };
    }
    if (!cmp.ok) return cmp;
    const { fact, op, value } = cmp.value;
    if (fact === 'parallel_execution' || (op !== '<' && op !== '<=')) {
      return { ok: false, message: `"${part}" cannot allow local: use runtime_estimate or memory_estimate with < or <=` };
    }
    conditions.push({ kind: 'compare', fact, op, value });
    ids.push(formatCompare(fact, op, value));
  }
  return { ok: true, value: { id: ids.join(' AND '), conditions } };
}

/** Parses an expression known to be valid (the built-in defaults). */
export function mustParse<T>(p: Parsed<T>): T {
  if (!p.ok) throw new Error(`built-in routing rule is invalid: ${p.message}`);
  return p.value;
}
