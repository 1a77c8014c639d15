// The routing policy (PRODUCT.md §1): pure decisions, plus the one loader that reads a YAML file.
export type { AllowClause, Decision, ForceRule, LocalAgentDefaults, LocalCondition, ProfilePattern, RoutingPolicy, TaskFacts } from './types';
export { decide, effectiveFacts, normalizeKind, type EffectiveFacts } from './decide';
export { DEFAULT_POLICY, DEFAULT_FORCE_CLOUD, DEFAULT_ALLOW_LOCAL, DEFAULT_HEAVY_KINDS } from './defaults';
export { DEFAULT_AGENTS, findAgent, knownAgents, type AgentGroup, type AgentMatch } from './agents';
export { PROFILE_PATTERNS, profileCommand, explainCommand, type CommandProfile, type ProfileMatch } from './profile';
export { AGENT_AFFINITY, parseForceRule, parseAllowClause } from './rules';
export { loadRoutingPolicy, parseRoutingPolicy, findRoutingFile, routingWorkspace, resolveRoutingPolicy, type ResolvedPolicy } from './load';
