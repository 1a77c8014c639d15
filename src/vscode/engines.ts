import type * as vscode from 'vscode';
import type { OrchConfig } from '../core/config/types';
import type { ShellTarget } from '../host/target';
import { UserError } from '../core/errors';
import type { ConfigService } from './config';
import type { EngineOpener, OpenedEngine } from '../core/jobs/jobsService';
import { LOCAL_HOST, type HostName } from '../core/jobs/where';
import { passphraseAsker } from './secrets';

/**
 * Opens the engine of a target (`local`, or a host by its name) from the current configuration. Opening makes no connection:
 * the SSH target connects on its first command, so activation never waits for the network.
 */
export function engineOpener(config: ConfigService, secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): EngineOpener {
  const open = targetOpener(config, secrets, log);
  return async (host): Promise<OpenedEngine> => {
    const { createEngine } = await import('../core/engine/engine.js');
    const { config: c, target } = await open(host);
    // the target is kept with the engine: sync, pull and the change watch use its connection
    const engine = createEngine(c, target);
    // hosts.yaml's gpus: needs no round trip; else the host's nvidia-smi -L, as its queue counts them
    const gpuInventory = async (): Promise<number | undefined> => (c.gpus !== undefined ? c.gpus : c.hostKind === 'slurm' ? undefined : (await engine.probe?.())?.gpus);
    return { engine, target, logRoot: c.logRoot, gpuInventory };
  };
}

/** A target (`local`, or a host by its name) and its configuration; Check Host uses one of its own. */
export function targetOpener(config: ConfigService, secrets: vscode.SecretStorage, log: vscode.LogOutputChannel): (host: HostName) => Promise<{ config: OrchConfig; target: ShellTarget }> {
  return async (host) => {
    // Loaded on first need, so activation does not pay for the SSH stack.
    const [{ createLocalTarget }, { createSshTarget }] = await Promise.all([import('../host/localTarget.js'), import('../core/ssh/sshTarget.js')]);
    // The local target is this machine: never powered off by autostop.
    if (host === LOCAL_HOST) return { config: { ...(await config.get()), autostopMinutes: undefined, autostopCommand: undefined }, target: createLocalTarget() };
    const c: OrchConfig = await config.hostConfig(host);
    if (!c.host) throw new UserError('No cloud host is configured: set cloudJobs.host in the settings or ORCH_HOST in scripts/cloud/.env.');
    const target = createSshTarget(c, {
      name: host,
      askPassphrase: passphraseAsker(secrets),
      log: (line: string) => log.debug(`ssh ${host}: ${line}`),
      // An EC2 box is reached at its current address with its key pinned under the instance id.
      // Never woken from here (a tree refresh must not start it): Run on EC2 and Start Box ask.
      connection: c.ec2 ? { locate: (await import('../core/ec2/locate.js')).boxLocator(c.ec2, { wake: false, hostName: host, progress: (l: string) => log.info(`box ${host}: ${l}`) }) } : undefined,
    });
    return { config: c, target };
  };
}
