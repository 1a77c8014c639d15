/**
 * The host-side suites (engine basics, host features, guardrails) on the local target with a
 * busybox userland on PATH: what the host library does must work on Alpine-like boxes too.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalTarget } from '../../../src/host/localTarget';
import { guardSuite } from '../guardrails/guardSuite';
import { basicSuite } from './basicSuite';
import { busyboxPath } from './busyboxPath';
import { cleanupHost, localConfig, sh, type EngineFixture } from './fixture';
import { hostSuite } from './hostSuite';
import { autostopSuite } from './autostopSuite';

describe('engine on a busybox userland (local target)', function () {
  this.timeout(60_000);
  const names: string[] = [];
  let dir = '';
  let path = '';
  let fixture: EngineFixture;

  before(() => {
    path = busyboxPath();
    dir = mkdtempSync(join(tmpdir(), 'orch-engine-bb-'));
    const base = localConfig(dir);
    const target = createLocalTarget({ env: { ...process.env, PATH: path } });
    fixture = { label: 'busybox', target, config: (o) => ({ ...base, ...o }), close: async () => undefined };
  });

  after(async () => {
    await cleanupHost(fixture, names, dir);
    rmSync(dir, { recursive: true, force: true });
    rmSync(path, { recursive: true, force: true });
  });

  it('really runs busybox applets, without flock, cksum or GNU tail', async () => {
    const out = await sh(fixture.target, 'for t in tail date stat; do readlink "$(command -v $t)"; done; command -v flock cksum; tail --pid=1 -c 0 /dev/null 2>&1; true');
    assert.match(out, /busybox\n.*busybox\n.*busybox\n/);
    assert.doesNotMatch(out, /\/flock|\/cksum/);
    assert.match(out, /unrecognized option|invalid option/);
    assert.ok(execFileSync('busybox', ['--list'], { encoding: 'utf8' }).includes('setsid'));
  });

  describe('basics', () => basicSuite(() => fixture, names));
  describe('host features', () => hostSuite(() => fixture, names, { localPath: false }));
  describe('guardrails', () => guardSuite(() => fixture, names));
  describe('autostop', () => autostopSuite(() => fixture, names));
});
