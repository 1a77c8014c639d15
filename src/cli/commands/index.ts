import type { Command } from '../command';
import { runCommand } from './run';
import { logsCommand } from './logs';
import { attachCommand } from './attach';
import { stopCommand } from './stop';
import { statusCommand } from './status';
import { listCommand } from './list';
import { pullCommand } from './pull';
import { rollbackCommand } from './rollback';
import { routeCommand } from './route';
import { experimentCommand } from './experiment';

/** `orch` commands, in the order `orch --help` lists them. */
export const orchCommands: Command[] = [
  runCommand,
  logsCommand,
  attachCommand,
  stopCommand,
  statusCommand,
  listCommand,
  pullCommand,
  rollbackCommand,
  routeCommand,
  experimentCommand,
];
