import * as path from 'node:path';
import { usageError } from '../errors';
import { isFile } from '../fsProbe';
import type { HostsFile } from './hostsTypes';
import { routingWorkspace } from './workspace';

/** Where the workspace's hosts file lives, relative to the workspace root. */
export const HOSTS_FILE_RELATIVE = path.join('scripts', 'cloud', 'hosts.yaml');

/**
 * The hosts file in effect: `ORCH_HOSTS_FILE`, else `<workspace>/scripts/cloud/hosts.yaml` when
 * present (the workspace: `workspaceRoot` when given, else the nearest ancestor of `cwd` with
 * `scripts/cloud/`); undefined without one, and orch then knows the single ORCH_HOST host.
 */
export async function findHostsFile(opts: { cwd: string; env: NodeJS.ProcessEnv; workspaceRoot?: string }): Promise<string | undefined> {
  const fromEnv = opts.env.ORCH_HOSTS_FILE;
  if (fromEnv !== undefined && fromEnv !== '') {
    const file = path.resolve(opts.cwd, fromEnv);
    if (!(await isFile(file))) throw usageError(`ORCH_HOSTS_FILE points to ${fromEnv}, which does not exist.`);
    return file;
  }
  const root = opts.workspaceRoot ?? (await routingWorkspace(opts.cwd));
  const candidate = path.join(root, HOSTS_FILE_RELATIVE);
  return (await isFile(candidate)) ? candidate : undefined;
}

/** The validated hosts file of a workspace, or undefined when it has none. */
export async function resolveHostsFile(opts: { cwd: string; env: NodeJS.ProcessEnv; workspaceRoot?: string }): Promise<HostsFile | undefined> {
  const file = await findHostsFile(opts);
  // The YAML parser is loaded only when there is a file (`orch status` of one host never pays for it).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return file === undefined ? undefined : (require('./hostsFile') as typeof import('./hostsFile')).loadHostsFile(file);
}
