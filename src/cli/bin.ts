import { main, mainCloudRun } from './main';
import type { CliIO } from './command';

/** Process glue: the only place that reads process globals and calls process.exit. */
export function runBin(which: 'orch' | 'cloud-run'): void {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    // a second Ctrl-C means "now": leave at once (the remote job is never affected)
    if (interrupts > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    controller.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    // Read on use: making process.stdin loads stream modules a status never needs.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
    isTTY: Boolean(process.stdout.isTTY),
    signal: controller.signal,
    self: process.argv[1] ? [process.execPath, process.argv[1]] : undefined,
  };
  const argv = process.argv.slice(2);
  const run = which === 'orch' ? main(argv, io) : mainCloudRun(argv, io);
  run.then(
    (code) => {
      process.exitCode = code;
      // pending sockets (keepalive timers) must not hold the process open
      process.stdout.write('', () => process.exit(code));
    },
    (e) => {
      process.stderr.write(`${which}: unexpected error: ${String(e?.stack ?? e)}\n`);
      process.exit(1);
    },
  );
}
