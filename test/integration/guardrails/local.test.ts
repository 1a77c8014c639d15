/** The guardrail suite on the local target: local bash and the local tmux server. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTarget } from '../../../src/host/localTarget';
import { cleanupHost, localConfig, type EngineFixture } from '../engine/fixture';
import { guardSuite } from './guardSuite';

describe('guardrails on the local target', function () {
  this.timeout(60_000);
  const names: string[] = [];
  let dir = '';
  let fixture: EngineFixture;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'orch-guard-'));
    const base = localConfig(dir);
    fixture = { label: 'local', target: createLocalTarget(), config: (o) => ({ ...base, ...o }), close: async () => undefined };
  });

  after(async () => {
    await cleanupHost(fixture, names, dir);
    rmSync(dir, { recursive: true, force: true });
  });

  guardSuite(() => fixture, names);
});
