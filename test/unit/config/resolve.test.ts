import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeMissingHost, loadConfig, type LoadConfigInput } from '../../../src/core/config/resolve';
import type { ConfigKey } from '../../../src/core/config/types';
import { UserError } from '../../../src/core/errors';

/** A workspace on disk: `<root>/ws` holding `scripts/cloud/.env`, with a `sub/deeper` directory. */
async function workspace(root: string, envText: string | undefined, name = 'ws'): Promise<{ ws: string; envFile: string; deep: string }> {
  const ws = path.join(root, name);
  const deep = path.join(ws, 'sub', 'deeper');
  await mkdir(deep, { recursive: true });
  const envFile = path.join(ws, 'scripts', 'cloud', '.env');
  if (envText !== undefined) {
    await mkdir(path.dirname(envFile), { recursive: true });
    await writeFile(envFile, envText);
  }
  return { ws, envFile, deep };
}

function rejectsWith(p: Promise<unknown>, check: (message: string) => void): Promise<void> {
  return assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof UserError, `a UserError, got ${String(e)}`);
    check(e.message);
    return true;
  });
}

describe('config resolution', () => {
  let root: string;
  let home: string;
  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'orch-config-'));
    home = path.join(root, 'home');
    await mkdir(home);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('uses the defaults when nothing is set, each with origin "default"', async () => {
    const { deep, ws } = await workspace(root, undefined, 'plain');
    await mkdir(path.join(ws, '.git'));
    const c = await loadConfig({ cwd: deep, env: { HOME: home } });
    assert.equal(c.host, undefined);
    assert.equal(c.user, undefined);
    assert.equal(c.port, undefined);
    assert.equal(c.identityFile, undefined);
    assert.equal(c.knownHosts, path.join(home, '.ssh', 'known_hosts'));
    assert.equal(c.strictHostKeyChecking, 'yes');
    assert.equal(c.logRoot, '~/logs');
    assert.equal(c.logRetentionDays, 30);
    assert.equal(c.project, 'plain');
    assert.equal(c.remoteWorkdir, '~/work/plain');
    assert.equal(c.slackWebhookUrl, undefined);
    assert.equal(c.maxParallel, undefined);
    assert.equal(c.retries, 0);
    assert.equal(c.logMode, 'private');
    assert.equal(c.sync, false);
    assert.equal(c.outputDir, undefined);
    assert.equal(c.workspaceRoot, ws, 'the git top level of cwd');
    assert.equal(c.envFile, undefined);
    assert.deepEqual(c.origin, {
      ORCH_LOG_MODE: 'default',
      ORCH_KNOWN_HOSTS: 'default',
      ORCH_STRICT_HOST_KEY_CHECKING: 'default',
      ORCH_LOG_ROOT: 'default',
      ORCH_SYNC: 'default',
      ORCH_LOG_RETENTION_DAYS: 'default',
      ORCH_REMOTE_WORKDIR: 'default',
      ORCH_PROJECT: 'default',
      ORCH_RETRIES: 'default',
    });
  });

  it('falls back to cwd as the workspace root without an env file or .git', async () => {
    const dir = path.join(root, 'lonely', 'dir');
    await mkdir(dir, { recursive: true });
    const c = await loadConfig({ cwd: dir, env: { HOME: home } });
    assert.equal(c.workspaceRoot, dir);
    assert.equal(c.project, 'dir');
  });

  it('finds scripts/cloud/.env in the nearest ancestor of cwd and reads every key', async () => {
    const text = [
      '# the cloud box',
      'export ORCH_HOST=gpu-box',
      'ORCH_USER=ubuntu',
      'ORCH_PORT=2222',
      'ORCH_IDENTITY_FILE=~/.ssh/id_box',
      'ORCH_KNOWN_HOSTS=keys/known_hosts',
      'ORCH_STRICT_HOST_KEY_CHECKING=accept-new',
      'ORCH_LOG_ROOT=~/joblogs',
      'ORCH_LOG_RETENTION_DAYS=7',
      'ORCH_REMOTE_WORKDIR=/srv/work',
      'ORCH_PROJECT="My Proj"',
      'ORCH_SLACK_WEBHOOK_URL=https://hooks.slack.com/services/T/B/X',
      'ORCH_MAX_PARALLEL=3',
      'ORCH_RETRIES=2',
    ].join('\n');
    const { ws, envFile, deep } = await workspace(root, text, 'full');
    const c = await loadConfig({ cwd: deep, env: { HOME: home } });
    assert.equal(c.envFile, envFile);
    assert.equal(c.workspaceRoot, ws);
    assert.equal(c.host, 'gpu-box');
    assert.equal(c.user, 'ubuntu');
    assert.equal(c.port, 2222);
    assert.equal(c.identityFile, path.join(home, '.ssh', 'id_box'), '~ is the local home for a local key');
    assert.equal(c.knownHosts, path.join(ws, 'keys', 'known_hosts'), 'relative to the workspace root');
    assert.equal(c.strictHostKeyChecking, 'accept-new');
    assert.equal(c.logRoot, '~/joblogs', '~ is kept: it means the home on the target');
    assert.equal(c.logRetentionDays, 7);
    assert.equal(c.remoteWorkdir, '/srv/work');
    assert.equal(c.project, 'My Proj');
    assert.equal(c.slackWebhookUrl, 'https://hooks.slack.com/services/T/B/X');
    assert.equal(c.maxParallel, 3);
    assert.equal(c.retries, 2);
    assert.equal(c.origin.ORCH_HOST, `${envFile}:2`);
    assert.equal(c.origin.ORCH_RETRIES, `${envFile}:14`);
  });

  it('reads the EC2 box of the single host; without ORCH_HOST the host is named by the instance id', async () => {
    const text = ['ORCH_EC2_INSTANCE_ID=i-0123456789abcdef0', 'ORCH_EC2_REGION=ap-northeast-1', 'ORCH_EC2_PROFILE=research'].join('\n');
    const { ws, envFile } = await workspace(root, text, 'box');
    const c = await loadConfig({ cwd: ws, env: { HOME: home } });
    assert.deepEqual(c.ec2, { instanceId: 'i-0123456789abcdef0', region: 'ap-northeast-1', profile: 'research', wake: 'ask', address: 'public' });
    assert.equal(c.host, 'i-0123456789abcdef0');
    assert.equal(c.origin.ORCH_HOST, `${envFile}:1`);
    const named = await loadConfig({ cwd: ws, env: { HOME: home, ORCH_HOST: 'gpu-box', ORCH_EC2_WAKE: 'auto', ORCH_EC2_ADDRESS: 'private' } });
    assert.equal(named.host, 'gpu-box');
    assert.equal(named.ec2?.wake, 'auto');
    assert.equal(named.ec2?.address, 'private');
    const wakeFlag = await loadConfig({ cwd: ws, env: { HOME: home }, flags: { ORCH_EC2_WAKE: 'auto' } });
    assert.equal(wakeFlag.ec2?.wake, 'auto');
    const plain = await loadConfig({ cwd: root, env: { HOME: home, ORCH_HOST: 'gpu-box' } });
    assert.equal(plain.ec2, undefined, 'no instance id: not a box');
  });

  it('refuses a malformed instance id naming the file and line', async () => {
    const { ws, envFile } = await workspace(root, 'ORCH_HOST=gpu-box\nORCH_EC2_INSTANCE_ID=gpu-box\n', 'badbox');
    await rejectsWith(loadConfig({ cwd: ws, env: { HOME: home } }), (m) =>
      assert.equal(m, `${envFile}:2: ORCH_EC2_INSTANCE_ID must be an EC2 instance id such as i-0123456789abcdef0, got "gpu-box".`),
    );
  });

  it('prefers the nearest env file over one further up', async () => {
    const outer = await workspace(root, 'ORCH_HOST=outer\nORCH_USER=outer-user\n', 'nest');
    const inner = await workspace(outer.ws, 'ORCH_HOST=inner\n', 'inner');
    const c = await loadConfig({ cwd: inner.deep, env: { HOME: home } });
    assert.equal(c.host, 'inner');
    assert.equal(c.user, undefined, 'only one file is read');
    assert.equal(c.envFile, inner.envFile);
    assert.equal(c.project, 'inner');
  });

  it('looks the env file up from workspaceRoot when the extension gives one', async () => {
    const { ws } = await workspace(root, 'ORCH_HOST=from-ws\n', 'extws');
    const elsewhere = path.join(root, 'elsewhere');
    await mkdir(elsewhere, { recursive: true });
    const c = await loadConfig({ cwd: elsewhere, env: { HOME: home }, workspaceRoot: ws });
    assert.equal(c.host, 'from-ws');
    assert.equal(c.workspaceRoot, ws);
  });

  it('reads no workspace file in Restricted Mode', async () => {
    const { ws } = await workspace(root, 'ORCH_HOST=untrusted\n', 'restricted');
    const c = await loadConfig({ cwd: ws, env: { HOME: home }, workspaceRoot: ws, readWorkspaceFiles: false, settings: { ORCH_HOST: 'setting-host' } });
    assert.equal(c.host, 'setting-host');
    assert.equal(c.envFile, undefined);
    assert.equal(c.workspaceRoot, ws);
    assert.equal(c.project, 'restricted');
  });

  describe('precedence: flags > environment > env file > settings > defaults', () => {
    let ws: string;
    let envFile: string;
    before(async () => {
      ({ ws, envFile } = await workspace(root, '\nORCH_HOST=file-host\nORCH_PORT=2203\nORCH_LOG_ROOT=/file/logs\n', 'prec'));
    });

    const levels: { name: string; input: (key: ConfigKey, v: string) => Partial<LoadConfigInput> }[] = [
      { name: 'flag', input: (k, v) => ({ flags: { [k]: v } }) },
      { name: 'environment', input: (k, v) => ({ env: { [k]: v } }) },
      { name: 'settings', input: (k, v) => ({ settings: { [k]: v } }) },
    ];
    const load = (parts: Partial<LoadConfigInput>[], withFile: boolean) =>
      loadConfig({
        cwd: ws,
        readWorkspaceFiles: withFile,
        flags: Object.assign({}, ...parts.map((p) => p.flags ?? {})),
        settings: Object.assign({}, ...parts.map((p) => p.settings ?? {})),
        env: Object.assign({ HOME: home }, ...parts.map((p) => p.env ?? {})),
      });

    const table: { key: ConfigKey; field: 'host' | 'port' | 'logRoot'; values: [string, string, string]; fileValue: string | number; fileLine: number; flag: string; fallback: unknown }[] = [
      { key: 'ORCH_HOST', field: 'host', values: ['flag-host', 'env-host', 'setting-host'], fileValue: 'file-host', fileLine: 2, flag: '--host', fallback: undefined },
      { key: 'ORCH_PORT', field: 'port', values: ['2201', '2202', '2204'], fileValue: 2203, fileLine: 3, flag: '--port', fallback: undefined },
      { key: 'ORCH_LOG_ROOT', field: 'logRoot', values: ['/flag/logs', '/env/logs', '/setting/logs'], fileValue: '/file/logs', fileLine: 4, flag: '--log-root', fallback: '~/logs' },
    ];
    for (const row of table) {
      it(`${row.key}: each level beats the next`, async () => {
        const [flagV, envV, settingV] = row.values;
        const all = [levels[0].input(row.key, flagV), levels[1].input(row.key, envV), levels[2].input(row.key, settingV)];
        const norm = (v: string) => (row.field === 'port' ? Number(v) : v);

        let c = await load(all, true);
        assert.equal(c[row.field], norm(flagV));
        assert.equal(c.origin[row.key], row.flag);

        c = await load(all.slice(1), true);
        assert.equal(c[row.field], norm(envV));
        assert.equal(c.origin[row.key], `${row.key} (environment)`);

        c = await load(all.slice(2), true);
        assert.equal(c[row.field], row.fileValue);
        assert.equal(c.origin[row.key], `${envFile}:${row.fileLine}`);

        c = await load(all.slice(2), false);
        assert.equal(c[row.field], norm(settingV));
        assert.equal(c.origin[row.key], `setting cloudJobs.${row.field}`);

        c = await load([], false);
        assert.equal(c[row.field], row.fallback);
        assert.equal(c.origin[row.key], row.fallback === undefined ? undefined : 'default');
      });
    }

    it('an empty value at one level falls through to the next', async () => {
      const c = await load([{ flags: { ORCH_HOST: '' } }, { env: { ORCH_HOST: '  ' } }], true);
      assert.equal(c.host, 'file-host');
    });
  });

  it('lets the env file use the environment: ORCH_HOST=${BOX:-fallback}', async () => {
    const { ws } = await workspace(root, 'ORCH_HOST=${BOX:-fallback}\n', 'refs');
    assert.equal((await loadConfig({ cwd: ws, env: { HOME: home } })).host, 'fallback');
    assert.equal((await loadConfig({ cwd: ws, env: { HOME: home, BOX: 'gpu-9' } })).host, 'gpu-9');
  });

  it('derives the remote workdir from ORCH_PROJECT', async () => {
    const { ws } = await workspace(root, undefined, 'derive');
    const c = await loadConfig({ cwd: ws, env: { HOME: home, ORCH_PROJECT: 'research' } });
    assert.equal(c.project, 'research');
    assert.equal(c.remoteWorkdir, '~/work/research');
    assert.equal(c.origin.ORCH_PROJECT, 'ORCH_PROJECT (environment)');
  });

  it('expands ~ of a local path from the environment with HOME, and a relative flag path from cwd', async () => {
    const { deep } = await workspace(root, undefined, 'paths');
    const c = await loadConfig({ cwd: deep, env: { HOME: home, ORCH_IDENTITY_FILE: '~/k/id' }, flags: { ORCH_KNOWN_HOSTS: 'kh' } });
    assert.equal(c.identityFile, path.join(home, 'k', 'id'));
    assert.equal(c.knownHosts, path.join(deep, 'kh'));
  });

  it('accepts numbers from settings', async () => {
    const { ws } = await workspace(root, undefined, 'numbers');
    const c = await loadConfig({ cwd: ws, env: { HOME: home }, settings: { ORCH_PORT: 2222, ORCH_RETRIES: 1, ORCH_MAX_PARALLEL: 4 } });
    assert.deepEqual([c.port, c.retries, c.maxParallel], [2222, 1, 4]);
  });

  describe('validation errors name the source', () => {
    let ws: string;
    let envFile: string;
    before(async () => {
      ({ ws, envFile } = await workspace(root, '# box\nORCH_HOST=box\nORCH_PORT=abc\n', 'invalid'));
    });

    it('a file value: file:line first', async () => {
      await rejectsWith(loadConfig({ cwd: ws, env: { HOME: home } }), (m) =>
        assert.equal(m, `${envFile}:3: ORCH_PORT must be a port number (1-65535), got "abc".`),
      );
    });
    it('a flag', async () => {
      await rejectsWith(loadConfig({ cwd: ws, env: { HOME: home }, flags: { ORCH_PORT: '70000' } }), (m) =>
        assert.equal(m, '--port must be a port number (1-65535), got "70000".'),
      );
    });
    it('an environment variable', async () => {
      await rejectsWith(loadConfig({ cwd: ws, env: { HOME: home, ORCH_PORT: '0' } }), (m) =>
        assert.equal(m, 'ORCH_PORT (environment) must be a port number (1-65535), got "0".'),
      );
    });
    it('a setting', async () => {
      await rejectsWith(loadConfig({ cwd: ws, env: { HOME: home }, readWorkspaceFiles: false, settings: { ORCH_PORT: 22.5 } }), (m) =>
        assert.equal(m, 'Setting cloudJobs.port must be a port number (1-65535), got 22.5.'),
      );
    });
    it('a syntax error in the env file', async () => {
      const bad = await workspace(root, 'ORCH_HOST=ok\nORCH_USER=$(whoami)\n', 'syntax');
      await rejectsWith(loadConfig({ cwd: bad.deep, env: { HOME: home } }), (m) => assert.match(m, new RegExp(`^${escape(bad.envFile)}:2: command substitution`)));
    });
  });

  it('never echoes the webhook URL, wherever it comes from', async () => {
    const secret = 'T000/B000/s3cr3t-t0ken';
    const { ws, envFile } = await workspace(root, `ORCH_SLACK_WEBHOOK_URL=ftp://hooks.example/${secret}\n`, 'secret');
    const cases: [Partial<LoadConfigInput>, RegExp][] = [
      [{}, new RegExp(`^${escape(envFile)}:1: ORCH_SLACK_WEBHOOK_URL must be an http\\(s\\) URL`)],
      [{ env: { HOME: home, ORCH_SLACK_WEBHOOK_URL: `not a url ${secret}` } }, /^ORCH_SLACK_WEBHOOK_URL \(environment\) must be/],
      [{ flags: { ORCH_SLACK_WEBHOOK_URL: `javascript:${secret}` } }, /^--slack-webhook-url must be/],
      [{ readWorkspaceFiles: false, settings: { ORCH_SLACK_WEBHOOK_URL: `x${secret}` } }, /^The Slack webhook URL in secret storage must be/],
    ];
    for (const [extra, subject] of cases) {
      await rejectsWith(loadConfig({ cwd: ws, env: { HOME: home }, ...extra }), (m) => {
        assert.match(m, subject);
        assert.ok(!m.includes('s3cr3t'), `no secret in: ${m}`);
        assert.match(m, /not shown because it is a secret/);
      });
    }
    const ok = await loadConfig({ cwd: ws, env: { HOME: home, ORCH_SLACK_WEBHOOK_URL: `http://127.0.0.1:9/${secret}` } });
    assert.equal(ok.slackWebhookUrl, `http://127.0.0.1:9/${secret}`);
    assert.ok(!describeMissingHost(ok).includes('s3cr3t'));
  });

  it('loads the example scripts/cloud/.env of docs/configuration.md', async () => {
    const doc = await readFile(path.join(__dirname, '..', '..', '..', 'docs', 'configuration.md'), 'utf8');
    const example = /## Example `scripts\/cloud\/\.env`\s+```bash\n([\s\S]*?)```/.exec(doc)?.[1];
    assert.ok(example, 'the example block is there');
    const { deep } = await workspace(root, example, 'docexample');
    const c = await loadConfig({ cwd: deep, env: { HOME: home } });
    assert.equal(c.host, 'gpu-box.example.com');
    assert.equal(c.identityFile, path.join(home, '.ssh', 'gpu-box.pem'));
    assert.equal(c.strictHostKeyChecking, 'accept-new');
    assert.equal(c.remoteWorkdir, '~/work/my-project');
    assert.deepEqual([c.logRetentionDays, c.maxParallel, c.retries], [14, 2, 1]);
  });

  it('describeMissingHost tells where to set ORCH_HOST', async () => {
    const { ws } = await workspace(root, undefined, 'nohost');
    const c = await loadConfig({ cwd: ws, env: { HOME: home } });
    const m = describeMissingHost(c);
    assert.match(m, new RegExp(`set ORCH_HOST in ${escape(path.join(ws, 'scripts', 'cloud', '.env'))}`));
    assert.match(m, /--host/);
    assert.match(m, /--local/);
  });
});

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
