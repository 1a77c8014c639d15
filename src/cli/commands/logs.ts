import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch logs`.
export const logsCommand: Command = {
  name: 'logs',
  summary: '(not built yet)',
  help: 'Usage: orch logs',
  async run() {
    throw new UserError('orch logs is not built yet.');
  },
};
