import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch status`.
export const statusCommand: Command = {
  name: 'status',
  summary: '(not built yet)',
  help: 'Usage: orch status',
  async run() {
    throw new UserError('orch status is not built yet.');
  },
};
