import { usageError } from '../errors';
import type { RoutingPolicy } from './types';

/** The protocol's Agent Affinity table. */
export const DEFAULT_AGENTS: RoutingPolicy['agents'] = {
  // builds, data processing, scanning, test runs, pipelines / optimisation
  cloud: ['Builder', 'Artisan', 'Forge', 'Anvil', 'Analyst', 'Schema', 'Tuner', 'Scout', 'Sentinel', 'Probe', 'Radar', 'Voyager', 'Stream', 'Bolt'],
  // read-only, judgement only, document generation
  local: ['Lens', 'Judge', 'Cipher', 'CEO', 'Magi', 'Bridge', 'Canvas', 'Scribe', 'Quill'],
  // Rally: by its parallel count; Nexus: decides, then delegates
  depends: ['Rally', 'Nexus'],
};

export type AgentGroup = 'cloud' | 'local' | 'depends';

export interface AgentMatch {
  /** The name as the table spells it. */
  name: string;
  group: AgentGroup;
}

/** Every agent the policy knows, in table order. */
export function knownAgents(policy: RoutingPolicy): string[] {
  return [...policy.agents.cloud, ...policy.agents.local, ...policy.agents.depends];
}

/** Finds an agent case-insensitively; an unknown name is a usage error listing the known ones. */
export function findAgent(name: string, policy: RoutingPolicy): AgentMatch {
  const wanted = name.trim().toLowerCase();
  for (const group of ['cloud', 'local', 'depends'] as const) {
    const hit = policy.agents[group].find((a) => a.toLowerCase() === wanted);
    if (hit) return { name: hit, group };
  }
  throw usageError(`Unknown agent "${name}"; known agents: ${knownAgents(policy).join(', ')}.`);
}
