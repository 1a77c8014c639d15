import { DEFAULT_AGENTS } from './agents';
import { mustParse, parseAllowClause, parseForceRule } from './rules';
import type { RoutingPolicy } from './types';

/** The protocol's CLOUD_ROUTING block, as text: the YAML file uses the same expressions. */
export const DEFAULT_FORCE_CLOUD = [
  'runtime_estimate > 10min',
  'heavy_log_output',
  'llm_or_embedding',
  'parallel_execution >= 2',
  'memory_estimate > 8GB',
  'memory_unknown',
];
export const DEFAULT_ALLOW_LOCAL = ['runtime_estimate <= 3min AND ui_centric AND lightweight_check'];

/** Heavy workload kinds of the protocol (LLM / embedding / vector DB / scraping / aggregation). */
export const DEFAULT_HEAVY_KINDS = ['llm', 'embedding', 'vector-db', 'scraping', 'aggregation'];

/** The policy used when no routing file is configured. */
export const DEFAULT_POLICY: RoutingPolicy = Object.freeze({
  default: 'cloud',
  forceCloud: DEFAULT_FORCE_CLOUD.map((r) => mustParse(parseForceRule(r))),
  allowLocal: DEFAULT_ALLOW_LOCAL.map((r) => mustParse(parseAllowClause(r))),
  agents: DEFAULT_AGENTS,
  // short, UI-centric, lightweight, small memory: what a read-only or document agent does
  localDefaults: { runtimeMinutes: 1, memoryGb: 1, uiCentric: true, lightweight: true },
  heavyKinds: DEFAULT_HEAVY_KINDS,
  profiles: [],
}) as RoutingPolicy;
