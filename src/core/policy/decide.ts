import { usageError } from '../errors';
import { findAgent, type AgentMatch } from './agents';
import { DEFAULT_POLICY } from './defaults';
import { explainCommand } from './profile';
import { AGENT_AFFINITY } from './rules';
import type { AllowClause, Decision, ForceRule, LocalCondition, NumericFact, RoutingPolicy, TaskFacts } from './types';

/** The facts `decide` works on, after the command is profiled and agent defaults applied. */
export interface EffectiveFacts {
  facts: TaskFacts;
  agent: AgentMatch | undefined;
  /** Sentences on where facts came from (profiler, agent defaults). */
  notes: string[];
}

const NUMBER_FIELDS = ['runtimeMinutes', 'memoryGb', 'parallel'] as const;

/** Normalises a heavy kind the way users type it: `Vector_DB` → `vector-db`. */
export function normalizeKind(kind: string): string {
  const k = kind.trim().toLowerCase().replace(/[_\s]+/g, '-');
  return k === 'vectordb' ? 'vector-db' : k;
}

/**
 * Explicit facts win over profiled ones (from `facts.command`), which win over the local
 * defaults of a local-affinity agent. Throws a usage error for an unknown agent, an unknown
 * heavy kind or a negative number.
 */
export function effectiveFacts(facts: TaskFacts, policy: RoutingPolicy = DEFAULT_POLICY): EffectiveFacts {
  const notes: string[] = [];
  const agent = facts.agent === undefined ? undefined : findAgent(facts.agent, policy);
  const explicit = Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined)) as TaskFacts;
  let merged: TaskFacts = explicit;
  if (facts.command !== undefined && facts.command.trim() !== '') {
    const profile = explainCommand(facts.command, policy);
    notes.push(...profile.notes);
    merged = { ...profile.facts, ...explicit };
  }
  for (const key of NUMBER_FIELDS) {
    const v = merged[key];
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) {
      throw usageError(`The fact ${key} must be a number >= 0, got ${String(v)}.`);
    }
  }
  if (merged.heavyKinds !== undefined) {
    const kinds = [...new Set(merged.heavyKinds.map(normalizeKind))];
    const bad = kinds.find((k) => !policy.heavyKinds.includes(k));
    if (bad !== undefined) throw usageError(`Unknown heavy workload kind "${bad}"; known: ${policy.heavyKinds.join(', ')}.`);
    merged = { ...merged, heavyKinds: kinds };
  }
  if (agent?.group === 'local') {
    const d = policy.localDefaults;
    const filled: string[] = [];
    if (merged.runtimeMinutes === undefined) filled.push(`runtime ${d.runtimeMinutes} min`);
    if (merged.memoryGb === undefined) filled.push(`memory ${d.memoryGb} GB`);
    if (merged.uiCentric === undefined && d.uiCentric) filled.push('UI-centric');
    if (merged.lightweight === undefined && d.lightweight) filled.push('lightweight');
    merged = {
      ...merged,
      runtimeMinutes: merged.runtimeMinutes ?? d.runtimeMinutes,
      memoryGb: merged.memoryGb ?? d.memoryGb,
      uiCentric: merged.uiCentric ?? d.uiCentric,
      lightweight: merged.lightweight ?? d.lightweight,
    };
    notes.push(
      filled.length > 0
        ? `Agent ${agent.name} defaults to local: it supplies ${list(filled)} for what the task leaves unknown.`
        : `Agent ${agent.name} defaults to local, but every fact was given explicitly.`,
    );
  } else if (agent?.group === 'depends') {
    notes.push(
      agent.name.toLowerCase() === 'rally'
        ? `Agent ${agent.name} depends on its parallel count (${merged.parallel ?? 'unknown'}): decided from the task's facts.`
        : `Agent ${agent.name} delegates: decided from the task's facts.`,
    );
  }
  return { facts: merged, agent, notes };
}

function numeric(f: TaskFacts, fact: NumericFact): number | undefined {
  return fact === 'runtime_estimate' ? f.runtimeMinutes : fact === 'memory_estimate' ? f.memoryGb : f.parallel;
}

function compare(v: number, op: string, t: number): boolean {
  return op === '>' ? v > t : op === '>=' ? v >= t : op === '<' ? v < t : v <= t;
}

/** The sentence for a fired rule, or undefined when it does not fire. */
function fire(rule: ForceRule, f: TaskFacts): string | undefined {
  if (rule.kind === 'flag') {
    if (rule.id === 'heavy_log_output') return f.heavyLogs === true ? 'The task produces heavy log output (watch, tail -f, dev servers, build logs).' : undefined;
    if (rule.id === 'llm_or_embedding') return f.heavyKinds && f.heavyKinds.length > 0 ? `Heavy workload: ${f.heavyKinds.join(', ')}.` : undefined;
    return f.memoryGb === undefined ? 'Memory estimate is unknown, and an unknown memory need goes to cloud.' : undefined;
  }
  const v = numeric(f, rule.fact);
  if (v === undefined || !compare(v, rule.op, rule.value)) return undefined;
  const over = rule.op === '>' ? 'over' : 'at least';
  if (rule.fact === 'runtime_estimate') return `Runtime estimate ${v} min is ${over} ${rule.value} min.`;
  if (rule.fact === 'memory_estimate') return `Memory estimate ${v} GB is ${over} ${rule.value} GB.`;
  return `${v} jobs run in parallel, ${over} ${rule.value}.`;
}

const CONDITION_WORD = { runtime_estimate: 'short', memory_estimate: 'small', ui_centric: 'UI-centric', lightweight_check: 'lightweight' };

/** Why a condition fails, or undefined when it holds. */
function failure(c: LocalCondition, f: TaskFacts): string | undefined {
  if (c.kind === 'flag') {
    if (c.id === 'ui_centric') return f.uiCentric === true ? undefined : 'not UI-centric';
    return f.lightweight === true ? undefined : 'not a lightweight check';
  }
  const v = numeric(f, c.fact);
  const name = c.fact === 'runtime_estimate' ? 'runtime' : 'memory';
  const unit = c.fact === 'runtime_estimate' ? ' min' : ' GB';
  if (v === undefined) return `${name} unknown`;
  return compare(v, c.op, c.value) ? undefined : `${name} ${v}${unit} is not ${c.op} ${c.value}${unit}`;
}

/** `a, b and c` */
function list(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function words(clause: AllowClause): string {
  return list(clause.conditions.map((c) => CONDITION_WORD[c.kind === 'flag' ? c.id : c.fact]));
}

/** Cloud or local for a task, with the rules that fired and human reasons. Pure. */
export function decide(facts: TaskFacts, policy: RoutingPolicy = DEFAULT_POLICY): Decision {
  const { facts: f, agent, notes } = effectiveFacts(facts, policy);
  const matched: string[] = [];
  const reasons = [...notes];
  for (const rule of policy.forceCloud) {
    const why = fire(rule, f);
    if (why !== undefined) {
      matched.push(rule.id);
      reasons.push(why);
    }
  }
  if (agent?.group === 'cloud') {
    matched.push(AGENT_AFFINITY);
    reasons.push(`Agent ${agent.name} defaults to cloud (agent affinity).`);
  }
  if (matched.length > 0) return { target: 'cloud', matched, reasons };

  const allowed = policy.allowLocal.find((c) => c.conditions.every((k) => failure(k, f) === undefined));
  if (allowed) {
    reasons.push(`No rule matched and the task is ${words(allowed)} (${allowed.id}): local is allowed.`);
    return { target: 'local', matched, reasons };
  }
  if (policy.default === 'local') {
    reasons.push('No rule matched: the configured default is local.');
    return { target: 'local', matched, reasons };
  }
  const why = policy.allowLocal.map((c) => {
    const fails = c.conditions.map((k) => failure(k, f)).filter((x) => x !== undefined);
    return `not ${words(c)} (${fails.join(', ')})`;
  });
  reasons.push(
    why.length === 0
      ? 'No rule matched and allow_local is empty: when in doubt, cloud.'
      : `No rule matched and the task is ${why.join(', nor ')}: when in doubt, cloud.`,
  );
  return { target: 'cloud', matched, reasons };
}
