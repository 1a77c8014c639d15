import type { CliIO } from './command';
import { UserError } from '../core/errors';

// Placeholder until the engine lands (issue 3).
export async function cloudRunMain(_argv: string[], _io: CliIO): Promise<number> {
  throw new UserError('cloud-run is not built yet.');
}
