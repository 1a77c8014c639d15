// The `orch` task type's definition (tasks.json), pure so it is unit-tested.
import { usageError } from '../core/errors';
import type { Where } from '../core/jobs/where';
import type { TaskFacts } from '../core/policy/types';

export const ORCH_TASK_TYPE = 'orch';

export interface OrchTaskDefinition {
  type: 'orch';
  command: string;
  /** Job name; default from the naming convention. */
  name?: string;
  /** `auto` (default) asks the routing policy. */
  target?: 'auto' | Where;
  runtime?: number;
  memory?: number;
  parallel?: number;
  heavyLogs?: boolean;
  heavy?: string[];
  ui?: boolean;
  light?: boolean;
  agent?: string;
}

/** Facts the policy decides from: the command (profiled) plus whatever tasks.json states. */
export function factsFromDefinition(d: OrchTaskDefinition): TaskFacts {
  if (typeof d.command !== 'string' || d.command.trim() === '') throw usageError('An "orch" task needs a "command" (the shell command line to run).');
  const facts: TaskFacts = { command: d.command };
  if (d.runtime !== undefined) facts.runtimeMinutes = d.runtime;
  if (d.memory !== undefined) facts.memoryGb = d.memory;
  if (d.parallel !== undefined) facts.parallel = d.parallel;
  if (d.heavyLogs !== undefined) facts.heavyLogs = d.heavyLogs;
  if (d.heavy !== undefined) facts.heavyKinds = d.heavy;
  if (d.ui !== undefined) facts.uiCentric = d.ui;
  if (d.light !== undefined) facts.lightweight = d.light;
  if (d.agent !== undefined) facts.agent = d.agent;
  return facts;
}

/** Text for the task terminal: the job's bytes with bare LF turned into CRLF. */
export function toTerminalText(s: string): string {
  return s.replace(/\r?\n/g, '\r\n');
}
