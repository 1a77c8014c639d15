import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch attach`.
export const attachCommand: Command = {
  name: 'attach',
  summary: '(not built yet)',
  help: 'Usage: orch attach',
  async run() {
    throw new UserError('orch attach is not built yet.');
  },
};
