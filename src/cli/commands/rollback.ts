import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch rollback`.
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: '(not built yet)',
  help: 'Usage: orch rollback',
  async run() {
    throw new UserError('orch rollback is not built yet.');
  },
};
