import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Guardrail L3 (reset the remote git workdir to the commit recorded before a job) belongs to a
// later issue; the command exists so scripts get a clear answer instead of "unknown command".
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Reset the remote git workdir to the commit recorded before a job (not built yet).',
  help: 'Usage: orch rollback <name>\n\nNot built yet: guardrail L3 comes with a later release.',
  async run() {
    throw new UserError('orch rollback is not built yet (guardrail L3 comes with a later release).');
  },
};
