import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch list`.
export const listCommand: Command = {
  name: 'list',
  summary: '(not built yet)',
  help: 'Usage: orch list',
  async run() {
    throw new UserError('orch list is not built yet.');
  },
};
