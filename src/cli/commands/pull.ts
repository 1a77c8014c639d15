import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch pull`.
export const pullCommand: Command = {
  name: 'pull',
  summary: '(not built yet)',
  help: 'Usage: orch pull',
  async run() {
    throw new UserError('orch pull is not built yet.');
  },
};
