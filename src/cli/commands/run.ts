import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder: replaced by the work that builds `orch run`.
export const runCommand: Command = {
  name: 'run',
  summary: '(not built yet)',
  help: 'Usage: orch run',
  async run() {
    throw new UserError('orch run is not built yet.');
  },
};
