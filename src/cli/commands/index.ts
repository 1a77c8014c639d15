import type { CliIO, Command } from '../command';

/**
 * A command whose module is loaded when it is first used: the bundle evaluates a module's
 * imports (ssh2, zod, yaml, tar) when the module is loaded, so `orch status` does not pay for
 * what only `run --sync` or `route` need. `require` (not `import`) is what esbuild keeps lazy.
 */
function lazy(name: string, load: () => Command): Command {
  let loaded: Command | undefined;
  const command = (): Command => (loaded ??= load());
  return {
    name,
    get summary() {
      return command().summary;
    },
    get help() {
      return command().help;
    },
    get options() {
      return command().options;
    },
    get operands() {
      return command().operands;
    },
    get hidden() {
      return command().hidden;
    },
    run: (argv: string[], io: CliIO) => command().run(argv, io),
  };
}

/* eslint-disable @typescript-eslint/no-require-imports */
/** `orch` commands, in the order `orch --help` lists them. */
export const orchCommands: Command[] = [
  lazy('run', () => (require('./run') as typeof import('./run')).runCommand),
  lazy('logs', () => (require('./logs') as typeof import('./logs')).logsCommand),
  lazy('forward', () => (require('./forward') as typeof import('./forward')).forwardCommand),
  lazy('attach', () => (require('./attach') as typeof import('./attach')).attachCommand),
  lazy('stop', () => (require('./stop') as typeof import('./stop')).stopCommand),
  lazy('status', () => (require('./status') as typeof import('./status')).statusCommand),
  lazy('list', () => (require('./list') as typeof import('./list')).listCommand),
  lazy('pull', () => (require('./pull') as typeof import('./pull')).pullCommand),
  lazy('rollback', () => (require('./rollback') as typeof import('./rollback')).rollbackCommand),
  lazy('box', () => (require('./box') as typeof import('./box')).boxCommand),
  lazy('route', () => (require('./route') as typeof import('./route')).routeCommand),
  lazy('doctor', () => (require('./doctor') as typeof import('./doctor')).doctorCommand),
  lazy('disconnect', () => (require('./disconnect') as typeof import('./disconnect')).disconnectCommand),
  lazy('experiment', () => (require('./experiment') as typeof import('./experiment')).experimentCommand),
  lazy('completion', () => (require('./completion') as typeof import('./completion')).completionCommand),
  lazy('__connection-helper', () => (require('./connectionHelper') as typeof import('./connectionHelper')).connectionHelperCommand),
  lazy('__complete-jobs', () => (require('./completeJobs') as typeof import('./completeJobs')).completeJobsCommand),
  lazy('__complete-hosts', () => (require('./completeHosts') as typeof import('./completeHosts')).completeHostsCommand),
];
/* eslint-enable @typescript-eslint/no-require-imports */
