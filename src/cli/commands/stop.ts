import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch stop`.
export const stopCommand: Command = {
  name: 'stop',
  summary: '(not built yet)',
  help: 'Usage: orch stop',
  async run() {
    throw new UserError('orch stop is not built yet.');
  },
};
