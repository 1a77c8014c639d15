import { z } from 'zod';
import { normalizeKind } from './decide';
import { parseAllowClause, parseForceRule, type Parsed } from './rules';

// The routing file: the protocol's CLOUD_ROUTING block (optionally under that key), plus the
// sections this tool adds. Every section is optional; a missing one keeps the default.

function expression<T>(parse: (s: string) => Parsed<T>) {
  return z.string().transform((s, ctx) => {
    const p = parse(s);
    if (p.ok) return p.value;
    ctx.addIssue({ code: 'custom', message: p.message });
    return z.NEVER;
  });
}

const name = z.string().trim().min(1, 'must not be empty');
const kind = z.string().trim().min(1, 'must not be empty').transform(normalizeKind);
const nonNegative = z.number().nonnegative();

const localDefaults = z.strictObject({
  runtime_minutes: nonNegative.optional(),
  memory_gb: nonNegative.optional(),
  ui_centric: z.boolean().optional(),
  lightweight: z.boolean().optional(),
});

const agents = z.strictObject({
  cloud: z.array(name).optional(),
  local: z.array(name).optional(),
  depends: z.array(name).optional(),
  local_defaults: localDefaults.optional(),
});

const profile = z
  .strictObject({
    pattern: z.string().min(1, 'must not be empty'),
    ignore_case: z.boolean().optional(),
    why: z.string().trim().min(1, 'must not be empty'),
    runtime_minutes: nonNegative.optional(),
    memory_gb: nonNegative.optional(),
    parallel: z.number().int().min(1).optional(),
    heavy_logs: z.boolean().optional(),
    heavy_kinds: z.array(kind).optional(),
    ui_centric: z.boolean().optional(),
    lightweight: z.boolean().optional(),
  })
  .refine((p) => Object.keys(p).some((k) => !['pattern', 'ignore_case', 'why'].includes(k)), {
    message: 'a profile needs at least one fact (runtime_minutes, memory_gb, parallel, heavy_logs, heavy_kinds, ui_centric, lightweight)',
  });

export const routingBlockSchema = z
  .strictObject({
    default: z.enum(['cloud', 'local']).optional(),
    force_cloud: z.array(expression(parseForceRule)).optional(),
    allow_local: z.array(expression(parseAllowClause)).optional(),
    heavy_kinds: z.array(kind).optional(),
    agents: agents.optional(),
    profiles: z.array(profile).optional(),
  })
  .superRefine((b, ctx) => {
    const seen = new Map<string, number>();
    b.force_cloud?.forEach((r, i) => {
      const key = r.kind === 'compare' ? r.fact : r.id;
      const first = seen.get(key);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['force_cloud', i], message: `${key} is already set by force_cloud[${first}]` });
      else seen.set(key, i);
    });
    const owner = new Map<string, string>();
    for (const group of ['cloud', 'local', 'depends'] as const) {
      b.agents?.[group]?.forEach((a, i) => {
        const prev = owner.get(a.toLowerCase());
        if (prev !== undefined) ctx.addIssue({ code: 'custom', path: ['agents', group, i], message: `agent "${a}" is already listed in ${prev}` });
        else owner.set(a.toLowerCase(), `agents.${group}`);
      });
    }
    b.profiles?.forEach((p, i) => {
      try {
        new RegExp(p.pattern);
      } catch (e) {
        ctx.addIssue({ code: 'custom', path: ['profiles', i, 'pattern'], message: `not a valid regular expression (${(e as Error).message})` });
      }
      const known = b.heavy_kinds ?? null;
      p.heavy_kinds?.forEach((k, j) => {
        if (known !== null && !known.includes(k)) {
          ctx.addIssue({ code: 'custom', path: ['profiles', i, 'heavy_kinds', j], message: `unknown heavy kind "${k}"; known: ${known.join(', ')}` });
        }
      });
    });
  });

export type RoutingBlock = z.output<typeof routingBlockSchema>;

/** The keys each mapping of the file accepts, for "unknown key" messages. */
export const KNOWN_KEYS: Record<'root' | 'agents' | 'local_defaults' | 'profile', string[]> = {
  root: ['default', 'force_cloud', 'allow_local', 'heavy_kinds', 'agents', 'profiles'],
  agents: ['cloud', 'local', 'depends', 'local_defaults'],
  local_defaults: ['runtime_minutes', 'memory_gb', 'ui_centric', 'lightweight'],
  profile: ['pattern', 'ignore_case', 'why', 'runtime_minutes', 'memory_gb', 'parallel', 'heavy_logs', 'heavy_kinds', 'ui_centric', 'lightweight'],
};
