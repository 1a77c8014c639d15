import type { Where } from '../jobs/where';

/**
 * What is known about a task. Every field may be unknown (undefined); an unknown fact never
 * fires a rule, but an unknown memory estimate fires `memory_unknown` and an unknown runtime
 * never allows local.
 */
export interface TaskFacts {
  /** Runtime estimate in minutes. */
  runtimeMinutes?: number;
  /** Heavy log output: watch, `tail -f`, dev servers, build logs. */
  heavyLogs?: boolean;
  /** Heavy workload kinds, e.g. llm, embedding, vector-db, scraping, aggregation. */
  heavyKinds?: string[];
  /** Number of jobs run in parallel. */
  parallel?: number;
  /** Memory estimate in GB. */
  memoryGb?: number;
  /** Browser / IDE work. */
  uiCentric?: boolean;
  /** A lightweight check: `git status`, `ls`, a one-off command. */
  lightweight?: boolean;
  /** Agent name from the protocol's affinity table (case-insensitive). */
  agent?: string;
  /** A shell command line; profiled into facts that were not given explicitly. */
  command?: string;
}

/** The routing answer: where, which rules fired (empty when the default or allow_local decided) and why. */
export interface Decision {
  target: Where;
  matched: string[];
  reasons: string[];
}

/** Facts that rules compare with a number, by their protocol names. */
export type NumericFact = 'runtime_estimate' | 'memory_estimate' | 'parallel_execution';

/** A `force_cloud` rule: a comparison (`runtime_estimate > 10min`) or a named flag (`heavy_log_output`). */
export type ForceRule =
  | { kind: 'compare'; id: string; fact: NumericFact; op: '>' | '>='; value: number }
  | { kind: 'flag'; id: 'heavy_log_output' | 'llm_or_embedding' | 'memory_unknown' };

/** One condition of an `allow_local` clause; a comparison needs the fact to be known. */
export type LocalCondition =
  | { kind: 'compare'; fact: 'runtime_estimate' | 'memory_estimate'; op: '<' | '<='; value: number }
  | { kind: 'flag'; id: 'ui_centric' | 'lightweight_check' };

/** `A AND B AND C`: every condition must hold. Several clauses are alternatives. */
export interface AllowClause {
  id: string;
  conditions: LocalCondition[];
}

/** One row of the command-line profiler table. */
export interface ProfilePattern {
  /**
   * Tested against one simple command: wrappers (env, sudo, ...) removed, words joined by single
   * spaces, the program once without its directory (`git status`) and once as written (`bin/report`).
   */
  pattern: RegExp;
  facts: Partial<Omit<TaskFacts, 'agent' | 'command'>>;
  /** Why these facts, in a few words ("a build (long, heavy logs)"); notes read "`make`: <why>." */
  why: string;
}

/** Facts a local-affinity agent supplies for whatever the task leaves unknown. */
export interface LocalAgentDefaults {
  runtimeMinutes: number;
  memoryGb: number;
  uiCentric: boolean;
  lightweight: boolean;
}

/** Everything `decide` needs; DEFAULT_POLICY is the protocol's CLOUD_ROUTING block. */
export interface RoutingPolicy {
  default: Where;
  forceCloud: ForceRule[];
  allowLocal: AllowClause[];
  agents: {
    /** Default to cloud: rule `agent_affinity`. */
    cloud: string[];
    /** Supply local defaults for unknown facts. */
    local: string[];
    /** Decide from the task's facts (Rally by its parallel count, Nexus delegates). */
    depends: string[];
  };
  localDefaults: LocalAgentDefaults;
  /** Known heavy workload kinds; any of them fires `llm_or_embedding`. */
  heavyKinds: string[];
  /** Extra profiler patterns, consulted together with the built-in table. */
  profiles: ProfilePattern[];
}
