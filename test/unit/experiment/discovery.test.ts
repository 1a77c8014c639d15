import { strict as assert } from 'node:assert';
import { access, chmod, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { findCloudRun, findKit } from '../../../src/core/experiment/discovery';
import { UserError } from '../../../src/core/errors';

describe('research kit discovery', () => {
  let ws: string;
  beforeEach(async () => {
    ws = await mkdtemp(path.join(tmpdir(), 'orch-kit-'));
  });
  afterEach(() => rm(ws, { recursive: true, force: true }));

  it('finds experiment.sh at the workspace root first', async () => {
    await writeFile(path.join(ws, 'experiment.sh'), '');
    await mkdir(path.join(ws, 'okit/research-kit'), { recursive: true });
    await writeFile(path.join(ws, 'okit/research-kit/experiment.sh'), '');
    assert.equal(await findKit({ workspaceRoot: ws, orchestrationKitRoot: 'okit' }), path.join(ws, 'experiment.sh'));
  });

  it('then $ORCHESTRATION_KIT_ROOT/research-kit/experiment.sh (relative to the workspace)', async () => {
    await mkdir(path.join(ws, 'okit/research-kit'), { recursive: true });
    await writeFile(path.join(ws, 'okit/research-kit/experiment.sh'), '');
    assert.equal(await findKit({ workspaceRoot: ws, orchestrationKitRoot: 'okit' }), path.join(ws, 'okit/research-kit/experiment.sh'));
  });

  it('names every place it looked at when there is no kit', async () => {
    await assert.rejects(findKit({ workspaceRoot: ws, orchestrationKitRoot: '/opt/okit' }), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.exitCode, 2);
      assert.ok(e.message.includes(`${path.join(ws, 'experiment.sh')}, /opt/okit/research-kit/experiment.sh`), e.message);
      assert.match(e.message, /--kit PATH/);
      return true;
    });
    await assert.rejects(findKit({ workspaceRoot: ws }), /ORCHESTRATION_KIT_ROOT/);
  });

  it('uses only the explicit kit when one is set', async () => {
    await writeFile(path.join(ws, 'experiment.sh'), '');
    await assert.rejects(findKit({ workspaceRoot: ws, explicit: 'tools/kit.sh' }), new RegExp(`looked for experiment.sh at ${path.join(ws, 'tools/kit.sh')}\\.`));
  });
});

describe('locating this project\'s cloud-run', () => {
  it('finds the package\'s own bin/cloud-run by an absolute, executable path', async () => {
    const p = await findCloudRun();
    assert.ok(path.isAbsolute(p));
    assert.equal(path.basename(p), 'cloud-run');
    assert.equal(path.basename(path.dirname(p)), 'bin');
    await access(p, constants.X_OK);
  });

  it('takes an override only when it is an executable file', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orch-cr-'));
    try {
      const f = path.join(dir, 'cloud-run');
      await writeFile(f, '#!/bin/sh\n');
      await assert.rejects(findCloudRun(f), /is not an executable file/);
      await chmod(f, 0o755);
      assert.equal(await findCloudRun(f), f);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
