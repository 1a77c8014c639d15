// Text for routing decisions, pure so it is unit-tested.
import { whereOf, type ComputeTarget, type Where } from '../core/jobs/where';
import type { Decision } from '../core/policy/types';

export function targetIcon(target: Where): string {
  return target === 'cloud' ? '$(cloud)' : '$(device-desktop)';
}

/** What the routing indicator explains: the selection, the active file, or a running `orch` task. */
export type ActiveTaskKind = 'selection' | 'file' | 'task';

const SUBJECT: Record<ActiveTaskKind, string> = { selection: 'selection', file: 'this file', task: 'this task' };

/**
 * The routing indicator's status-bar text, in words: `$(cloud) Target: ec2 · this file → cloud`
 * (the workspace's COMPUTE_TARGET, then where the policy sends the active task, when there is one).
 */
export function routingBarText(compute: ComputeTarget, task?: { kind: ActiveTaskKind; decided: Where }): string {
  const head = `${targetIcon(whereOf(compute))} Target: ${compute}`;
  return task ? `${head} · ${SUBJECT[task.kind]} → ${task.decided}` : head;
}

/** One line: "cloud — heavy_log_output, memory_unknown" or "local — allow_local". */
export function decisionSummary(d: Decision): string {
  return `${d.target}${d.matched.length ? ` — ${d.matched.join(', ')}` : ''}`;
}

/** The reasons as a list for a modal's detail or a tooltip. */
export function decisionDetail(d: Decision): string {
  return d.reasons.map((r) => `• ${r}`).join('\n');
}

/** A job-name task part from a command line: the script's base name, else the program name. */
export function taskFromCommand(command: string): string {
  // a compound command (`for …; do …`) names nothing in particular
  if (/^\s*(?:(?:for|while|until|if|case)\b|[{(])/.test(command)) return 'job';
  const words = command.trim().split(/\s+/).filter((w) => !/^-|=/.test(w));
  const script = words.find((w) => /\.[A-Za-z0-9]+$/.test(w) && !/^(python\d*|node|bash|sh)$/.test(w));
  const pick = script ?? words.find((w) => !/^(sudo|env|nohup|time|nice|python\d*|node|bash|sh|npx|uv|poetry)$/.test(w)) ?? words[0] ?? 'job';
  return (pick.split('/').pop() ?? pick).replace(/\.[A-Za-z0-9]+$/, '') || 'job';
}

/** What to run for a file: scripts by their interpreter, anything else as is. */
export function commandForFile(relativePath: string): string {
  const q = /^[A-Za-z0-9_./-]+$/.test(relativePath) ? relativePath : `'${relativePath.replace(/'/g, `'\\''`)}'`;
  if (relativePath.endsWith('.py')) return `python3 ${q}`;
  if (relativePath.endsWith('.sh')) return `bash ${q}`;
  if (/\.(js|mjs|cjs)$/.test(relativePath)) return `node ${q}`;
  if (relativePath.endsWith('.ts')) return `npx tsx ${q}`;
  return q.startsWith('/') ? q : `./${q}`;
}
