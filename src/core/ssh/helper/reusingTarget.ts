/**
 * The CLI's remote target when connection reuse is on: scripts go through the host's helper
 * (started on first need), and through a direct connection of this process when there is no
 * helper to be had (the socket directory is unsafe, the helper cannot start or does not
 * answer). A helper that cannot be reached is never a failure by itself; only what the host
 * or the connection says is.
 */
import type { OrchConfig } from '../../config/types';
import type { ExecOptions, ExecResult, ShellTarget } from '../../../host/target';
import type { AskPassphrase } from '../auth';
import { helperExec, HelperUnavailable } from './client';
import type { HelperSpec } from './server';
import { connectionKey, ensureSocketDir, socketPath } from './socketDir';

export interface ReuseOptions {
  /** The socket directory (see `socketDirFor`). */
  dir: string;
  persistSeconds: number;
  /** Starts a detached helper for `spec`; resolves true once one listens (this one or another). */
  spawnHelper(spec: HelperSpec): Promise<boolean>;
  /** The direct target, made only if needed (it loads the SSH stack). */
  direct(): ShellTarget;
  /** The host's name in listings (a hosts.yaml entry); default `config.host`. */
  name?: string;
  askPassphrase?: AskPassphrase;
  log?: (line: string) => void;
}

export function createReusingTarget(config: OrchConfig, options: ReuseOptions): ShellTarget & { readonly via: 'helper' | 'direct' | 'unknown' } {
  let direct: ShellTarget | undefined;
  let mode: 'helper' | 'direct' | 'unknown' = 'unknown';
  let path: Promise<string | undefined> | undefined;
  let spawning: Promise<boolean> | undefined;
  const log = (s: string): void => options.log?.(`connection helper: ${s}`);
  const key = connectionKey(config);

  const socket = (): Promise<string | undefined> =>
    (path ??= ensureSocketDir(options.dir, (why) => log(`not used: ${why}`)).then((d) => (d === undefined ? undefined : socketPath(d, key))));
  const viaDirect = (script: string, opts: ExecOptions): Promise<ExecResult> => {
    mode = 'direct';
    return (direct ??= options.direct()).exec(script, opts);
  };
  const viaHelper = (p: string, script: string, opts: ExecOptions): Promise<ExecResult> =>
    helperExec(p, script, { ...opts, askPassphrase: options.askPassphrase }).then((r) => ((mode = 'helper'), r));

  return {
    host: options.name ?? config.host ?? '',
    get via() {
      return mode;
    },
    async exec(script: string, opts: ExecOptions = {}): Promise<ExecResult> {
      if (mode === 'direct') return viaDirect(script, opts);
      const p = await socket();
      if (p === undefined) return viaDirect(script, opts);
      try {
        return await viaHelper(p, script, opts);
      } catch (e) {
        if (!(e instanceof HelperUnavailable)) throw e;
        log(`${e.reason}; starting one`);
      }
      // Once per process, shared by calls made at the same time.
      // The helper gets what a connection needs and no secret (it lives on for minutes); the host
      // name's origin goes along for the sentence when the name does not resolve.
      const origin = config.origin.ORCH_HOST === undefined ? {} : { ORCH_HOST: config.origin.ORCH_HOST };
      spawning ??= options.spawnHelper({ config: { ...config, slackWebhookUrl: undefined, origin }, persistSeconds: options.persistSeconds, dir: options.dir, key }).catch((e: unknown) => {
        log(`could not start: ${(e as Error).message}`);
        return false;
      });
      if (await spawning) {
        try {
          return await viaHelper(p, script, opts);
        } catch (e) {
          if (!(e instanceof HelperUnavailable)) throw e;
          log(`${e.reason} after starting it; connecting directly`);
        }
      }
      return viaDirect(script, opts);
    },
    close: async () => {
      await direct?.close();
    },
  };
}
