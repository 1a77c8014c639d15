import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { hostsFromSettings, parseHostsFile } from '../../../src/core/config/hostsFile';
import { findHostsFile, resolveHostsFile } from '../../../src/core/config/hostsLookup';
import { isUserError } from '../../../src/core/errors';

const SPEC_EXAMPLE = `hosts:
  gpu-box:                     # the host's name
    host: gpu-box
    user: ubuntu
    gpus: 4
    ec2: { instance_id: i-0abc12345def67890, region: ap-northeast-1, profile: research, autostop_minutes: 30 }
  cluster:
    kind: slurm
    host: pcluster-head
    log_root: /shared/logs
default: gpu-box
`;

function refusal(text: string): string {
  try {
    parseHostsFile(text, 'hosts.yaml');
  } catch (e) {
    assert.ok(isUserError(e), String(e));
    assert.equal(e.exitCode, 2);
    return e.message;
  }
  assert.fail('expected a refusal');
}

describe('hosts.yaml', () => {
  it('reads the example of PRODUCT.md §6, with defaults for what it does not say', () => {
    const f = parseHostsFile(SPEC_EXAMPLE, 'hosts.yaml');
    assert.equal(f.default, 'gpu-box');
    assert.deepEqual(f.hosts.map((h) => [h.name, h.kind, h.host, h.line]), [['gpu-box', 'tmux', 'gpu-box', 2], ['cluster', 'slurm', 'pcluster-head', 7]]);
    const gpu = f.hosts[0]!;
    assert.equal(gpu.user, 'ubuntu');
    assert.equal(gpu.gpus, 4);
    assert.deepEqual(gpu.ec2, { instanceId: 'i-0abc12345def67890', region: 'ap-northeast-1', profile: 'research', autostopMinutes: 30, wake: 'ask', address: 'public' });
    assert.equal(gpu.autostopMinutes, 30);
    assert.equal(f.hosts[1]!.logRoot, '/shared/logs');
    assert.equal(f.hosts[1]!.port, undefined);
  });

  it('takes a host with no settings at all (its name is its SSH host) and every per-host key', () => {
    const f = parseHostsFile(
      'hosts:\n  a:\n  b:\n    host: 10.0.0.2\n    port: 2222\n    identity_file: keys/b\n    known_hosts: ~/kh\n    remote_workdir: ~/w\n    max_parallel: 3\n    cloudwatch: /orch/jobs\n    autostop_minutes: 20\n    autostop_command: sudo poweroff\n    ec2: { instance_id: i-0123456789abcdef0, wake: auto, address: private }\n',
      'hosts.yaml',
    );
    assert.equal(f.hosts[0]!.host, 'a');
    assert.equal(f.default, undefined);
    const b = f.hosts[1]!;
    assert.deepEqual([b.port, b.identityFile, b.knownHosts, b.remoteWorkdir, b.maxParallel, b.cloudwatch, b.autostopMinutes, b.autostopCommand], [2222, 'keys/b', '~/kh', '~/w', 3, '/orch/jobs', 20, 'sudo poweroff']);
    assert.equal(b.ec2!.wake, 'auto');
    assert.equal(b.ec2!.address, 'private');
    assert.equal(b.ec2!.region, undefined);
  });

  it('names file, line and key of a bad value, with the ORCH_* rule for it', () => {
    assert.equal(refusal('hosts:\n  a:\n    user: ubuntu\n    port: 0\n'), 'hosts.yaml:4: hosts.a.port: must be a port number (1-65535), got 0.');
    assert.match(refusal('hosts:\n  a:\n    log_root: logs\n'), /^hosts\.yaml:3: hosts\.a\.log_root: must be an absolute path or one starting with "~\/"/);
    assert.match(refusal('hosts:\n  a:\n    kind: k8s\n'), /^hosts\.yaml:3: hosts\.a\.kind: must be "tmux" or "slurm"\.$/);
    assert.match(refusal('hosts:\n  a:\n    gpus: 1.5\n'), /^hosts\.yaml:3: hosts\.a\.gpus: must be a whole number of GPUs\.$/);
    assert.match(refusal('hosts:\n  a:\n    ec2:\n      instance_id: web-1\n'), /^hosts\.yaml:4: hosts\.a\.ec2\.instance_id: must be an instance id/);
    assert.match(refusal('hosts:\n  a:\n    ec2:\n      region: ap-northeast-1\n'), /^hosts\.yaml:3: hosts\.a\.ec2\.instance_id: missing/);
    assert.match(refusal('hosts:\n  a:\n    host: -oProxyCommand=x\n'), /^hosts\.yaml:3: hosts\.a\.host: must be a host name/);
  });

  it('refuses unknown keys with the known ones, at their line', () => {
    assert.equal(refusal('hosts:\n  a:\n    hostname: x\n'), `hosts.yaml:3: hosts.a.hostname: unknown key "hostname"; known: kind, host, user, port, identity_file, known_hosts, log_root, remote_workdir, max_parallel, gpus, ec2, autostop_minutes, autostop_command, cloudwatch.`);
    assert.match(refusal('hosts:\n  a:\n    ec2: { instance_id: i-0123456789abcdef0, zone: x }\n'), /^hosts\.yaml:3: hosts\.a\.ec2\.zone: unknown key "zone"; known: instance_id, region/);
    assert.match(refusal('hosts:\n  a:\ndefaults: a\n'), /^hosts\.yaml:3: defaults: unknown key "defaults"; known: hosts, default\.$/);
  });

  it('refuses a default that is no host, reserved and bad names, and an empty list', () => {
    assert.equal(refusal('hosts:\n  a:\n  b:\ndefault: c\n'), 'hosts.yaml:4: default: "c" is not one of the hosts; known: a, b, auto.');
    assert.match(refusal('hosts:\n  auto:\n'), /^hosts\.yaml:2: hosts\.auto: "auto" is reserved/);
    assert.match(refusal('hosts:\n  local:\n'), /^hosts\.yaml:2: hosts\.local: "local" is reserved/);
    assert.match(refusal('hosts:\n  "my box":\n'), /^hosts\.yaml:2: hosts\.my box: a host name must be/);
    assert.match(refusal('hosts: {}\n'), /^hosts\.yaml:1: hosts: list at least one host\.$/);
    assert.match(refusal('hosts:\n  - a\n'), /^hosts\.yaml:2: hosts: must be a mapping/);
    assert.match(refusal('- a\n'), /^hosts\.yaml:1: expected a mapping/);
    assert.match(refusal('hosts:\n  a: [\n'), /^hosts\.yaml:\d+: not valid YAML/);
    assert.match(refusal('hosts:\n  a:\n    autostop_minutes: 5\n    ec2: { instance_id: i-0123456789abcdef0, autostop_minutes: 6 }\n'), /hosts\.a\.autostop_minutes: set it once/);
    assert.match(refusal('hosts:\n  a:\n    port: 0\n    max_parallel: 0\n'), /\(and 1 more problem\)\.$/);
    assert.equal(parseHostsFile('hosts:\n  a:\ndefault: auto\n', 'h').default, 'auto');
  });

  it('is found at <workspace>/scripts/cloud/hosts.yaml from a subdirectory, or where ORCH_HOSTS_FILE says', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'orch-hosts-'));
    try {
      mkdirSync(path.join(root, 'scripts/cloud'), { recursive: true });
      mkdirSync(path.join(root, 'src/deep'), { recursive: true });
      assert.equal(await findHostsFile({ cwd: path.join(root, 'src/deep'), env: {} }), undefined);
      writeFileSync(path.join(root, 'scripts/cloud/hosts.yaml'), 'hosts:\n  a:\n');
      assert.equal(await findHostsFile({ cwd: path.join(root, 'src/deep'), env: {} }), path.join(root, 'scripts/cloud/hosts.yaml'));
      const other = path.join(root, 'other.yaml');
      writeFileSync(other, 'hosts:\n  b:\n    port: 99999\n');
      await assert.rejects(resolveHostsFile({ cwd: root, env: { ORCH_HOSTS_FILE: 'other.yaml' } }), (e: Error) => e.message.startsWith(`${other}:3: hosts.b.port:`));
      await assert.rejects(findHostsFile({ cwd: root, env: { ORCH_HOSTS_FILE: 'nope.yaml' } }), /ORCH_HOSTS_FILE points to nope\.yaml, which does not exist/);
      assert.equal((await resolveHostsFile({ cwd: root, env: {} }))!.hosts[0]!.name, 'a');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes the same hosts from the cloudJobs.hosts and cloudJobs.defaultHost settings, errors naming the setting', () => {
    assert.equal(hostsFromSettings(undefined, undefined), undefined);
    assert.equal(hostsFromSettings({}, 'x'), undefined);
    const f = hostsFromSettings({ 'gpu-box': { host: '10.0.0.5', port: 2222 }, other: null }, 'other')!;
    assert.deepEqual(f.hosts.map((h) => [h.name, h.host, h.port, h.line]), [['gpu-box', '10.0.0.5', 2222, 0], ['other', 'other', undefined, 0]]);
    assert.equal(f.default, 'other');
    assert.equal(f.file, 'setting cloudJobs.hosts');
    assert.throws(() => hostsFromSettings({ a: { port: 0 } }, undefined), { message: 'Setting cloudJobs.hosts: a.port: must be a port number (1-65535), got 0.' });
    assert.throws(() => hostsFromSettings({ a: { hostname: 'x' } }, undefined), /^UserError: Setting cloudJobs\.hosts: a\.hostname: unknown key "hostname"; known: kind, host/);
    assert.throws(() => hostsFromSettings({ a: {} }, 'b'), { message: 'Setting cloudJobs.defaultHost: "b" is not one of the hosts; known: a, auto.' });
    assert.throws(() => hostsFromSettings(['a'], undefined), /^UserError: Setting cloudJobs\.hosts: must be a mapping/);
  });
});
