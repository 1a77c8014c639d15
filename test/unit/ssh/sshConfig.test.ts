import assert from 'node:assert/strict';
import { UserError } from '../../../src/core/errors';
import { openSshArgs } from '../../../src/core/ssh/sshTarget';
import { resolveHost, type ResolveDeps } from '../../../src/core/ssh/sshConfig';
import { globMatch, parseSshConfig } from '../../../src/core/ssh/sshConfigParser';
import type { OrchConfig } from '../../../src/core/config/types';

const CONFIG = `
# global defaults come first in many configs
ServerAliveInterval 30

Host gpu gpu-*
    HostName ec2-1-2-3-4.compute.amazonaws.com
    User ubuntu
    Port=2222
    IdentityFile ~/.ssh/aws.pem
    IdentityFile "~/.ssh/with space"
    ProxyJump bastion

Host *.corp !secret.corp
    User corpuser
    IdentityAgent ~/.agent.sock

Host *
    User fallback
    IdentityFile ~/.ssh/id_ed25519
`;

const settings = (over: Partial<OrchConfig> = {}): Pick<OrchConfig, 'host' | 'user' | 'port' | 'identityFile'> => ({
  host: 'gpu',
  user: undefined,
  port: undefined,
  identityFile: undefined,
  ...over,
});

/** Fallback path: no OpenSSH client, ~/.ssh/config read by our parser; every file exists. */
const noSsh = (files: Record<string, string> = { '/home/me/.ssh/config': CONFIG }, existing?: string[]): ResolveDeps => ({
  env: { SSH_AUTH_SOCK: '/tmp/agent.sock' },
  home: '/home/me',
  platform: 'linux',
  runSsh: async () => undefined,
  readText: async (p) => files[p],
  exists: async (p) => (existing ? existing.includes(p) : true),
});

describe('ssh config', () => {
  it('matches Host patterns with *, ? and case-insensitively', () => {
    assert.ok(globMatch('gpu-*', 'gpu-a100'));
    assert.ok(globMatch('web?', 'WEB1'));
    assert.ok(!globMatch('web?', 'web10'));
    assert.ok(!globMatch('a.b', 'axb'), 'dots are literal');
  });

  it('takes the first value per keyword and accumulates IdentityFile', () => {
    const v = parseSshConfig(CONFIG, 'gpu-a100');
    assert.equal(v.hostname, 'ec2-1-2-3-4.compute.amazonaws.com');
    assert.equal(v.user, 'ubuntu');
    assert.equal(v.port, '2222');
    assert.equal(v.proxyjump, 'bastion');
    assert.deepEqual(v.identityfile, ['~/.ssh/aws.pem', '~/.ssh/with space', '~/.ssh/id_ed25519']);
  });

  it('honours negated patterns', () => {
    assert.equal(parseSshConfig(CONFIG, 'build.corp').user, 'corpuser');
    assert.equal(parseSshConfig(CONFIG, 'secret.corp').user, 'fallback');
  });

  it('resolves through the fallback parser, expanding ~ and using the agent', async () => {
    const r = await resolveHost(settings(), noSsh());
    assert.equal(r.hostname, 'ec2-1-2-3-4.compute.amazonaws.com');
    assert.equal(r.port, 2222);
    assert.equal(r.user, 'ubuntu');
    assert.deepEqual(r.identityFiles, ['/home/me/.ssh/aws.pem', '/home/me/.ssh/with space', '/home/me/.ssh/id_ed25519']);
    assert.equal(r.proxyJump, 'bastion');
    assert.equal(r.agent, '/tmp/agent.sock');
    assert.equal(r.sshClient, undefined);
  });

  it('lets ORCH_USER, ORCH_PORT and ORCH_IDENTITY_FILE override the ssh config', async () => {
    const r = await resolveHost(settings({ user: 'me', port: 22, identityFile: '~/keys/box' }), noSsh());
    assert.equal(r.user, 'me');
    assert.equal(r.port, 22);
    assert.deepEqual(r.identityFiles, ['/home/me/keys/box']);
    assert.equal(r.identityExplicit, true);
  });

  it('keeps only identity files that exist (unless named explicitly)', async () => {
    const r = await resolveHost(settings(), noSsh(undefined, ['/home/me/.ssh/id_ed25519', '/tmp/agent.sock']));
    assert.deepEqual(r.identityFiles, ['/home/me/.ssh/id_ed25519']);
    const explicit = await resolveHost(settings({ identityFile: '/nope' }), noSsh(undefined, []));
    assert.deepEqual(explicit.identityFiles, ['/nope']);
  });

  it('uses the host itself, port 22 and the local user without any config', async () => {
    const r = await resolveHost(settings({ host: '10.1.2.3' }), noSsh({}));
    assert.equal(r.hostname, '10.1.2.3');
    assert.equal(r.port, 22);
    assert.ok(r.user.length > 0);
    assert.equal(r.proxyJump, undefined);
  });

  it('uses the Windows agent pipe when SSH_AUTH_SOCK is not set on win32', async () => {
    const r = await resolveHost(settings(), { ...noSsh({}), env: {}, platform: 'win32' });
    assert.equal(r.agent, '\\\\.\\pipe\\openssh-ssh-agent');
    const none = await resolveHost(settings(), { ...noSsh({ '/home/me/.ssh/config': 'Host *\n IdentityAgent none\n' }), platform: 'win32' });
    assert.equal(none.agent, undefined);
  });

  it('reads ssh -G output when OpenSSH is installed, passing our user and port to it', async () => {
    let seen: string[] = [];
    const r = await resolveHost(settings({ port: 2200 }), {
      ...noSsh(),
      runSsh: async (args) => {
        seen = args;
        return 'host gpu\nhostname 10.9.8.7\nuser ubuntu\nport 2200\nidentityfile ~/.ssh/id_rsa\nidentityfile ~/.ssh/%r-%h\nproxyjump none\nuserknownhostsfile ~/.ssh/known_hosts ~/.ssh/known_hosts2\nstricthostkeychecking false\n';
      },
    });
    assert.deepEqual(seen, ['-G', '-p', '2200', '--', 'gpu']);
    assert.equal(r.hostname, '10.9.8.7');
    assert.equal(r.port, 2200);
    assert.equal(r.user, 'ubuntu');
    assert.deepEqual(r.identityFiles, ['/home/me/.ssh/id_rsa', '/home/me/.ssh/ubuntu-10.9.8.7']);
    assert.equal(r.proxyJump, undefined);
    assert.deepEqual(r.sshKnownHostsFiles, ['/home/me/.ssh/known_hosts', '/home/me/.ssh/known_hosts2']);
    assert.equal(r.sshClient, 'ssh');
  });

  it('refuses host values that could be taken for options, and a missing host', async () => {
    await assert.rejects(resolveHost(settings({ host: '-oProxyCommand=x' }), noSsh()), (e: unknown) => e instanceof UserError && e.exitCode === 2);
    await assert.rejects(resolveHost(settings({ host: 'a b' }), noSsh()), UserError);
    await assert.rejects(resolveHost(settings({ host: undefined }), noSsh()), /ORCH_HOST/);
  });

  it('builds OpenSSH client arguments that keep our host key policy', async () => {
    const config = { knownHosts: '/k/known hosts', strictHostKeyChecking: 'accept-new' } as OrchConfig;
    const withSsh = await resolveHost(settings({ identityFile: '/id' }), { ...noSsh(), runSsh: async () => 'hostname 1.2.3.4\nport 2222\nuser u\n' });
    assert.deepEqual(openSshArgs(config, withSsh), [
      '-t', '-p', '2222', '-i', '/id', '-o', 'UserKnownHostsFile="/k/known hosts"', '-o', 'StrictHostKeyChecking=accept-new', 'u@gpu',
    ]);
    assert.equal(openSshArgs(config, await resolveHost(settings(), noSsh())), undefined, 'no OpenSSH client');
  });
});
