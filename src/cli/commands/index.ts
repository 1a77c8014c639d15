import type { Command } from '../command';
import { routeCommand } from './route';

/** `orch` commands, in the order `orch --help` lists them. */
export const orchCommands: Command[] = [
  routeCommand,
];
