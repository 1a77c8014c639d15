/**
 * Malformed configuration files: the workspace env file (scripts/cloud/.env), the routing file
 * (scripts/cloud/routing.yaml), the research kit's settings (.orchestration-kit.env) and the
 * extension's settings. Each must be refused with the file and the line (settings: the setting's
 * name), exit 2, and nothing run — the files are otherwise good enough that a job or the kit
 * would really run against the real sshd and create the canary.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../src/core/config/resolve';
import { settingsFromSection } from '../../../src/core/config/schema';
import { UserError } from '../../../src/core/errors';
import { startSshd, type TestSshd } from '../harness/sshd';
import { dropCronEntries, killSessions, orch, sshEnv, uniqueName } from './harness';

interface FileCase {
  why: string;
  /** File text; `CANARY` is replaced by the canary path. */
  text: string;
  /** 1-based line the error must name. */
  line: number;
}

describe('faults: malformed env, routing and settings files', function () {
  this.timeout(60_000);
  let sshd: TestSshd;
  let ws: string;
  let canaryDir: string;
  let canary: string;
  const names: string[] = [];
  // The orch process gets no ORCH_* variables: the env file is the configuration.
  const env = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8' });

  /** The lines of a good scripts/cloud/.env for the test sshd. */
  const goodEnv = (): string[] =>
    Object.entries(sshEnv(sshd))
      .filter(([k]) => k.startsWith('ORCH_'))
      .map(([k, v]) => `${k}=${v}`);

  const expectRefused = async (argv: string[], file: string, line: number, why: string): Promise<void> => {
    const r = await orch(argv, { env: env(), cwd: ws });
    assert.equal(r.code, 2, `${why}: exit ${r.code}, stderr ${r.stderr}`);
    assert.ok(r.stderr.includes(`${file}:${line}:`), `${why}: stderr names ${file}:${line}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${why}: one sentence: ${r.stderr}`);
    assert.equal(existsSync(canary), false, `${why}: the canary was created`);
  };
  const noSession = async (name: string): Promise<void> =>
    assert.equal((await sshd.runAsUser(`tmux has-session -t '=${name}' 2>/dev/null`)).code, 1, `no session ${name}`);

  before(async () => {
    sshd = await startSshd();
    ws = mkdtempSync(join(tmpdir(), 'orch-faults-ws-'));
    mkdirSync(join(ws, 'scripts/cloud'), { recursive: true });
    canaryDir = mkdtempSync(join(tmpdir(), 'orch-canary-'));
    chmodSync(canaryDir, 0o777);
    canary = join(canaryDir, 'CANARY');
  });
  after(async () => {
    if (sshd) {
      await killSessions(sshd, names);
      await dropCronEntries(sshd);
      await sshd.stop();
    }
    for (const d of [ws, canaryDir]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('a good env file really runs (the control case for the ones below)', async () => {
    writeFileSync(join(ws, 'scripts/cloud/.env'), goodEnv().join('\n') + '\n');
    const n = uniqueName('control');
    names.push(n);
    const r = await orch(['run', '--wait', n, 'echo', 'ran'], { env: env(), cwd: ws });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${n}\nran\n[EXIT: 0]\n`);
  });

  it('scripts/cloud/.env: syntax errors, code in values and bad values are refused with file:line; nothing runs', async () => {
    const bad: Omit<FileCase, 'line'>[] = [
      { why: 'unterminated double quote', text: 'ORCH_LOG_ROOT="/tmp/x' },
      { why: 'command substitution', text: 'ORCH_PROJECT=$(touch CANARY)' },
      { why: 'backticks', text: 'ORCH_PROJECT=`touch CANARY`' },
      { why: 'a second command', text: 'ORCH_PROJECT=p; touch CANARY' },
      { why: 'a redirection', text: 'ORCH_PROJECT=p >CANARY' },
      { why: 'a pipe', text: 'ORCH_PROJECT=p | tee CANARY' },
      { why: 'a port that is not a number', text: 'ORCH_PORT=abc' },
      { why: 'a port out of range', text: 'ORCH_PORT=70000' },
      { why: 'an unknown host key policy', text: 'ORCH_STRICT_HOST_KEY_CHECKING=no' },
      { why: 'a negative parallel limit', text: 'ORCH_MAX_PARALLEL=-1' },
      { why: 'a fractional retention', text: 'ORCH_LOG_RETENTION_DAYS=1.5' },
      { why: 'a key without a value', text: 'ORCH_HOST' },
      { why: 'an unterminated single quote over the end', text: "ORCH_PROJECT='p\nORCH_X=1" },
    ];
    const envFile = join(ws, 'scripts/cloud/.env');
    for (const c of bad) {
      // The bad assignment comes after the good lines (and a comment), so its line is known.
      const good = goodEnv();
      const lines = ['# cloud settings', ...good, c.text.replaceAll('CANARY', canary)];
      writeFileSync(envFile, lines.join('\n') + '\n');
      const line = good.length + 2;
      const n = uniqueName('env');
      names.push(n);
      await expectRefused(['run', n, 'touch', canary], envFile, line, c.why);
      await noSession(n);
    }
    writeFileSync(envFile, goodEnv().join('\n') + '\n');
  });

  it('scripts/cloud/routing.yaml: bad YAML and bad values are refused with file:line by run --auto and route; nothing runs', async () => {
    writeFileSync(join(ws, 'scripts/cloud/.env'), goodEnv().join('\n') + '\n');
    const file = join(ws, 'scripts/cloud/routing.yaml');
    const bad: FileCase[] = [
      { why: 'a duplicate key', text: 'CLOUD_ROUTING:\n  default: cloud\n  default: local\n', line: 3 },
      { why: 'a stray sequence item in a mapping', text: 'CLOUD_ROUTING:\n  default: cloud\n  - stray item\n', line: 3 },
      { why: 'a default that is neither cloud nor local', text: 'CLOUD_ROUTING:\n  default: sometimes\n', line: 2 },
      { why: 'a key beside CLOUD_ROUTING', text: 'CLOUD_ROUTING:\n  default: cloud\n  force_cloud:\n    - heavy_log_output\n  allow_local: []\ndefault_x: 1\n', line: 6 },
      { why: 'an unknown rule', text: 'CLOUD_ROUTING:\n  force_cloud:\n    - heavy_log_output\n    - runtime_estimate > tenmin\n', line: 4 },
      { why: 'an unknown key', text: 'CLOUD_ROUTING:\n  default: cloud\n  agents:\n    locl: [Lens]\n', line: 4 },
      { why: 'a threshold of the wrong type', text: 'CLOUD_ROUTING:\n  agents:\n    local_defaults:\n      runtime_minutes: soon\n', line: 4 },
      { why: 'a profile pattern that is not a RegExp', text: 'CLOUD_ROUTING:\n  profiles:\n    - pattern: "(unclosed"\n      why: x\n      runtime_minutes: 40\n', line: 3 },
      { why: 'a tab-indented mapping', text: 'CLOUD_ROUTING:\n\tdefault: cloud\n', line: 2 },
    ];
    for (const c of bad) {
      writeFileSync(file, c.text);
      const n = uniqueName('yaml');
      names.push(n);
      await expectRefused(['run', '--auto', n, 'touch', canary], file, c.line, `run --auto: ${c.why}`);
      await expectRefused(['route', '--json', '--', 'touch', canary], file, c.line, `route: ${c.why}`);
      await noSession(n);
    }
    rmSync(file);
  });

  it('.orchestration-kit.env: a bad COMPUTE_TARGET or syntax is refused with file:line and the kit is never run', async () => {
    const kit = join(ws, 'experiment.sh');
    writeFileSync(kit, `#!/usr/bin/env bash\ntouch '${canary}'\n`, { mode: 0o755 });
    writeFileSync(join(ws, 'spec.md'), '# spec\n');
    const file = join(ws, '.orchestration-kit.env');
    const bad: FileCase[] = [
      { why: 'an unknown target', text: '# kit\nRESULTS_DIR=results/{spec}\nCOMPUTE_TARGET=gpu\n', line: 3 },
      { why: 'an unknown default in ${:-}', text: 'COMPUTE_TARGET="${COMPUTE_TARGET:-cloud}"\n', line: 1 },
      { why: 'command substitution', text: 'RESULTS_DIR=results\nCOMPUTE_TARGET=$(touch CANARY)\n', line: 2 },
      { why: 'an unterminated quote', text: 'COMPUTE_TARGET=local\nRESULTS_DIR="results\n', line: 2 },
    ];
    try {
      for (const c of bad) {
        writeFileSync(file, c.text.replaceAll('CANARY', canary));
        await expectRefused(['experiment', 'cycle', '--kit', kit, 'spec.md'], file, c.line, c.why);
      }
    } finally {
      rmSync(file, { force: true });
      rmSync(kit, { force: true });
    }
  });

  it('VS Code settings: a bad value is refused naming the setting, before any connection', async () => {
    const settings: Record<string, unknown> = { host: sshd.host, port: sshd.port, user: sshd.user };
    const bad: ({ name: string } & Record<string, unknown>)[] = [
      { port: 'twenty-two', name: 'cloudJobs.port' },
      { port: 0, name: 'cloudJobs.port' },
      { strictHostKeyChecking: 'no', name: 'cloudJobs.strictHostKeyChecking' },
      { maxParallel: 0, name: 'cloudJobs.maxParallel' },
      { logRetentionDays: -3, name: 'cloudJobs.logRetentionDays' },
    ];
    const bare = mkdtempSync(join(tmpdir(), 'orch-faults-settings-'));
    try {
      for (const { name, ...values } of bad) {
        const section: Record<string, unknown> = { ...settings, ...values };
        await assert.rejects(
          loadConfig({ cwd: bare, env: env(), settings: settingsFromSection((k) => section[k]), workspaceRoot: bare }),
          (e: unknown) => e instanceof UserError && e.message.includes(name) && !e.message.includes('\n'),
          `${name} = ${JSON.stringify(values)}`,
        );
      }
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});
