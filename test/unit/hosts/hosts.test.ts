import assert from 'node:assert/strict';
import { hostByName, hostConfig, resolveHostSet } from '../../../src/core/config/hosts';
import { parseHostsFile } from '../../../src/core/config/hostsFile';
import type { OrchConfig } from '../../../src/core/config/types';

const base = (over: Partial<OrchConfig> = {}): OrchConfig => ({
  host: undefined, user: 'me', port: undefined, identityFile: '/home/me/.ssh/id', knownHosts: '/home/me/.ssh/known_hosts',
  strictHostKeyChecking: 'yes', logRoot: '~/logs', logRetentionDays: 30, remoteWorkdir: '~/work/p', project: 'p',
  slackWebhookUrl: undefined, maxParallel: 2, retries: 0, logMode: 'private', workspaceRoot: '/ws', envFile: undefined, origin: {}, ...over,
});
const file = (text: string) => ({ ...parseHostsFile(text, '/ws/scripts/cloud/hosts.yaml'), file: '/ws/scripts/cloud/hosts.yaml' });
const env = { HOME: '/home/me' };

describe('host set', () => {
  it('without hosts.yaml is the single ORCH_HOST host, named by its value, with the configuration as is', () => {
    const c = base({ host: 'box.example' });
    const set = resolveHostSet(c, undefined, env);
    assert.deepEqual(set.hosts.map((h) => h.name), ['box.example']);
    assert.equal(set.hosts[0]!.config, c);
    assert.equal(set.defaultHost, 'box.example');
    assert.deepEqual(resolveHostSet(base(), undefined, env).hosts, []);
  });

  it('gives each entry its own values over the ORCH_* ones, and the ORCH_* ones where it has none', () => {
    const set = resolveHostSet(base({ host: 'ignored' }), file('hosts:\n  a:\n    port: 2222\n    identity_file: keys/a\n    max_parallel: 5\n  b:\n    host: 10.0.0.9\n    log_root: /shared/logs\ndefault: b\n'), env);
    const [a, b] = set.hosts;
    assert.deepEqual([a!.config.host, a!.config.port, a!.config.identityFile, a!.config.maxParallel, a!.config.user, a!.config.logRoot], ['a', 2222, '/ws/keys/a', 5, 'me', '~/logs']);
    assert.deepEqual([b!.config.host, b!.config.port, b!.config.logRoot, b!.config.maxParallel], ['10.0.0.9', undefined, '/shared/logs', 2]);
    assert.equal(a!.config.origin.ORCH_PORT, '/ws/scripts/cloud/hosts.yaml:2 (hosts.a)');
    assert.equal(set.defaultHost, 'b');
  });

  it('defaults to ORCH_HOST, else the first host; a command-line flag wins over every entry', () => {
    assert.equal(resolveHostSet(base({ host: 'b' }), file('hosts:\n  a:\n  b:\n'), env).defaultHost, 'b');
    assert.equal(resolveHostSet(base(), file('hosts:\n  a:\n  b:\n'), env).defaultHost, 'a');
    const flagged = base({ logRoot: '/tmp/l', origin: { ORCH_LOG_ROOT: '--log-root' } });
    assert.equal(hostConfig(flagged, file('hosts:\n  a:\n    log_root: /x\n').hosts[0]!, '/f', env).logRoot, '/tmp/l');
  });

  it('takes a --host value that is no entry as an SSH host, as before, and refuses a bad one', () => {
    const set = resolveHostSet(base(), file('hosts:\n  a:\n'), env);
    assert.equal(hostByName(set, base(), 'a').entry?.name, 'a');
    const adHoc = hostByName(set, base(), 'other.example');
    assert.deepEqual([adHoc.name, adHoc.config.host, adHoc.entry], ['other.example', 'other.example', undefined]);
    // If it does not resolve, the sentence says it is none of the file's entries (a typo shows).
    assert.equal(adHoc.config.origin.ORCH_HOST, `--host (${set.file} lists a, not other.example)`);
    assert.throws(() => hostByName(set, base(), '-oProxyCommand=x'), /--host must be a host name/);
  });
});
