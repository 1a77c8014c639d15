import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch experiment`.
export const experimentCommand: Command = {
  name: 'experiment',
  summary: '(not built yet)',
  help: 'Usage: orch experiment',
  async run() {
    throw new UserError('orch experiment is not built yet.');
  },
};
