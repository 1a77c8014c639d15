/** The engine suite on the local target: local bash and the local tmux server. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTarget } from '../../../src/host/localTarget';
import type { OrchConfig } from '../../../src/core/config/types';
import { basicSuite } from './basicSuite';
import { cleanupHost, type EngineFixture } from './fixture';
import { hostSuite } from './hostSuite';

function requireTools(): void {
  for (const tool of ['tmux', 'bash']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`]);
    } catch {
      throw new Error(`${tool} is required for the engine integration tests`);
    }
  }
}

describe('engine on the local target', function () {
  this.timeout(60_000);
  const names: string[] = [];
  let dir = '';
  let fixture: EngineFixture;

  before(() => {
    requireTools();
    dir = mkdtempSync(join(tmpdir(), 'orch-engine-'));
    const base: OrchConfig = {
      host: undefined, user: undefined, port: undefined, identityFile: undefined, knownHosts: '',
      strictHostKeyChecking: 'yes', logRoot: join(dir, 'logs'), logRetentionDays: 30,
      remoteWorkdir: join(dir, 'work'), project: 'it', slackWebhookUrl: undefined, maxParallel: undefined,
      retries: 0, logMode: 'private', workspaceRoot: dir, envFile: undefined, origin: {},
    };
    fixture = {
      label: 'local',
      target: createLocalTarget(),
      config: (overrides) => ({ ...base, ...overrides }),
      targetWithPath: (path) => createLocalTarget({ env: { ...process.env, PATH: path } }),
      close: async () => undefined,
    };
  });

  after(async () => {
    await cleanupHost(fixture, names, dir);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('basics', () => basicSuite(() => fixture, names));
  describe('host features', () => hostSuite(() => fixture, names, { localPath: true }));
});
