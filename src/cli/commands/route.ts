import type { Command } from '../command';
import { UserError } from '../../core/errors';

// Placeholder until the routing policy lands (issue 2); replaced by the policy work.
export const routeCommand: Command = {
  name: 'route',
  summary: 'Explain where a task would run (cloud or local) and why.',
  help: 'Usage: orch route [facts] [--json] [-- <cmd...>]',
  async run() {
    throw new UserError('orch route is not built yet.');
  },
};
