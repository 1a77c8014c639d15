/** The engine suite on the local target: local bash and the local tmux server. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTarget } from '../../../src/host/localTarget';
import { basicSuite } from './basicSuite';
import { cleanupHost, localConfig, type EngineFixture } from './fixture';
import { hostSuite } from './hostSuite';
import { autostopSuite } from './autostopSuite';

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
    const base = localConfig(dir);
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
  describe('autostop', () => autostopSuite(() => fixture, names));
});
