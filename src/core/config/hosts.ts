/**
 * The hosts orch knows (PRODUCT.md §6): the entries of hosts.yaml, each with its own
 * configuration (its values over the ORCH_* ones), or without that file the single ORCH_HOST
 * host, named by its value, exactly as before.
 */
import * as os from 'node:os';
import { usageError } from '../errors';
import { expandLocal } from './resolve';
import { parseConfigValue } from './schema';
import type { ConfigKey, OrchConfig } from './types';
import { AUTO_HOST, type HostEntry, type HostsFile } from './hostsTypes';

/** One host with everything needed to reach it and run on it. */
export interface ResolvedHost {
  /** The name in --host, listings and the tree (the hosts.yaml key, else the ORCH_HOST value). */
  name: string;
  /** Its hosts.yaml entry; undefined for the single ORCH_HOST host or a --host SSH host. */
  entry: HostEntry | undefined;
  kind: HostEntry['kind'];
  /** The configuration for this host: `host` is its SSH host, the rest its own values over ORCH_*. */
  config: OrchConfig;
}

export interface HostSet {
  /** Every known host, in file order (one or none without a hosts file). */
  hosts: ResolvedHost[];
  /** Where `orch run` goes without --host: a host name, `auto`, or undefined (no host at all). */
  defaultHost: string | undefined;
  /** The hosts file read, if any. */
  file: string | undefined;
}

/** A key set by a command-line flag keeps its value on every host (the flag is for this call). */
function fromFlag(base: OrchConfig, key: ConfigKey): boolean {
  return base.origin[key]?.startsWith('--') === true;
}

/** The configuration of one hosts.yaml entry: its own values, else the ORCH_* ones. */
export function hostConfig(base: OrchConfig, entry: HostEntry, file: string, env: NodeJS.ProcessEnv = process.env): OrchConfig {
  const home = env.HOME || os.homedir();
  // a file origin reads `hosts.yaml:7 (hosts.gpu-box)`; settings have no lines
  const where = entry.line > 0 ? `${file}:${entry.line} (hosts.${entry.name})` : `${file} (${entry.name})`;
  const origin = { ...base.origin, ORCH_HOST: where };
  const own = <T>(key: ConfigKey, value: T | undefined, current: T): T => {
    if (value === undefined || fromFlag(base, key)) return current;
    origin[key] = where;
    return value;
  };
  const local = (p: string | undefined): string | undefined => (p === undefined ? undefined : expandLocal(p, home, base.workspaceRoot));
  const logRoot = own('ORCH_LOG_ROOT', entry.logRoot, base.logRoot);
  return {
    ...base,
    host: entry.host,
    user: own('ORCH_USER', entry.user, base.user),
    port: own('ORCH_PORT', entry.port, base.port),
    identityFile: own('ORCH_IDENTITY_FILE', local(entry.identityFile), base.identityFile),
    knownHosts: own('ORCH_KNOWN_HOSTS', local(entry.knownHosts), base.knownHosts),
    logRoot,
    remoteWorkdir: own('ORCH_REMOTE_WORKDIR', entry.remoteWorkdir, base.remoteWorkdir),
    maxParallel: own('ORCH_MAX_PARALLEL', entry.maxParallel, base.maxParallel),
    gpus: entry.gpus,
    hostKind: entry.kind,
    // Autostop is a tmux host's (a Slurm login node is not ours to power off).
    autostopMinutes: entry.kind === 'tmux' ? own('ORCH_AUTOSTOP_MINUTES', entry.autostopMinutes, base.autostopMinutes) : undefined,
    autostopCommand: entry.kind === 'tmux' ? entry.autostopCommand : undefined,
    cloudwatch: own('ORCH_CLOUDWATCH', entry.cloudwatch, base.cloudwatch),
    // The box is the entry's own (ORCH_EC2_* name the single host's); --wake holds for every host.
    ec2: entry.ec2 && { ...entry.ec2, wake: fromFlag(base, 'ORCH_EC2_WAKE') ? 'auto' : entry.ec2.wake },
    origin,
  };
}

/**
 * The host set of a configuration. Without a hosts file: the ORCH_HOST host (if any), named by
 * its value. With one: its entries; `default:` (else ORCH_HOST when it names an entry or is set,
 * else the first entry) is where `run` goes without --host.
 */
export function resolveHostSet(base: OrchConfig, file: HostsFile | undefined, env: NodeJS.ProcessEnv = process.env): HostSet {
  if (!file) {
    const hosts: ResolvedHost[] = base.host ? [{ name: base.host, entry: undefined, kind: 'tmux', config: base }] : [];
    return { hosts, defaultHost: base.host, file: undefined };
  }
  const hosts = file.hosts.map((entry) => ({ name: entry.name, entry, kind: entry.kind, config: hostConfig(base, entry, file.file, env) }));
  const defaultHost = file.default ?? base.host ?? hosts[0]?.name;
  return { hosts, defaultHost, file: file.file };
}

/** A host of the set by name, or a --host value that is none of them: an SSH host as before. */
export function hostByName(set: HostSet, base: OrchConfig, name: string, origin = '--host'): ResolvedHost {
  const known = set.hosts.find((h) => h.name === name);
  if (known) return known;
  if (name === AUTO_HOST) throw usageError('"auto" asks for placement; it is not a host name.');
  const host = parseConfigValue('ORCH_HOST', name, origin);
  // Said when the name does not resolve, so a mistyped entry name is seen as one.
  const noted = set.file === undefined ? origin : `${origin} (${set.file} lists ${hostList(set.hosts.map((h) => h.name))}, not ${name})`;
  return { name: host, entry: undefined, kind: 'tmux', config: { ...base, host, origin: { ...base.origin, ORCH_HOST: noted } } };
}

/** `a, b and c` for messages. */
export function hostList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
