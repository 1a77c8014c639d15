import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  readComputeTarget,
  readKitSettings,
  setComputeTarget,
  withComputeTarget,
} from '../../../src/core/config/computeTarget';
import { UserError } from '../../../src/core/errors';

describe('compute target from .orchestration-kit.env', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'orch-ct-'));
    file = path.join(dir, '.orchestration-kit.env');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const write = (text: string) => writeFile(file, text);

  it('is local when the file is missing and the environment has none', async () => {
    const t = await readComputeTarget(dir, {});
    assert.equal(t.target, 'local');
    assert.equal(t.file, undefined);
  });

  it('takes the environment when the file is missing', async () => {
    const t = await readComputeTarget(dir, { COMPUTE_TARGET: 'ec2' });
    assert.equal(t.target, 'ec2');
    assert.match(t.source, /environment/);
  });

  it('reads "${COMPUTE_TARGET:-local}" as local when the environment has none (or an empty one)', async () => {
    await write('# kit settings\nCOMPUTE_TARGET="${COMPUTE_TARGET:-local}"   # "local" or "ec2"\n');
    for (const env of [{}, { COMPUTE_TARGET: '' }]) {
      const t = await readComputeTarget(dir, env);
      assert.deepEqual([t.target, t.file, t.line, t.source], ['local', file, 2, `${file}:2`]);
    }
  });

  it('lets the environment override the default of "${COMPUTE_TARGET:-local}"', async () => {
    await write('COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n');
    const t = await readComputeTarget(dir, { COMPUTE_TARGET: 'ec2' });
    assert.equal(t.target, 'ec2');
    assert.equal(t.line, 1);
    assert.equal(t.source, `COMPUTE_TARGET in the environment (through ${file}:1)`);
  });

  it('keeps a plain COMPUTE_TARGET=ec2 over the environment, as bash `source` would', async () => {
    await write('export COMPUTE_TARGET=ec2\n');
    const t = await readComputeTarget(dir, { COMPUTE_TARGET: 'local' });
    assert.equal(t.target, 'ec2');
    assert.equal(t.source, `${file}:1`);
  });

  it('refuses any other value with the file and line', async () => {
    await write('DATA_DIR=data\nCOMPUTE_TARGET=gpu\n');
    await assert.rejects(readComputeTarget(dir, {}), (e: unknown) => {
      assert.ok(e instanceof UserError);
      assert.equal(e.exitCode, 2);
      assert.equal(e.message, `${file}:2: COMPUTE_TARGET must be "local" or "ec2", not "gpu".`);
      return true;
    });
  });

  it('says when an invalid value came from the environment through the default', async () => {
    await write('COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n');
    await assert.rejects(readComputeTarget(dir, { COMPUTE_TARGET: 'EC2' }), /:1: COMPUTE_TARGET must be "local" or "ec2", not "EC2" \(from the environment\)/);
    await rm(file);
    await assert.rejects(readComputeTarget(dir, { COMPUTE_TARGET: 'cloud' }), /^UserError: COMPUTE_TARGET must be "local" or "ec2", not "cloud" \(from the environment\)\.$/);
  });

  it('reads RESULTS_DIR, DATA_DIR and MAX_GPU_HOURS with their defaults', async () => {
    const d = await readKitSettings(dir, {});
    assert.deepEqual([d.resultsDir, d.dataDir, d.maxGpuHours], [undefined, 'data', '4']);
    await write('RESULTS_DIR="out/{spec}"\nDATA_DIR=/mnt/data\nMAX_GPU_HOURS="${MAX_GPU_HOURS:-2}"\n');
    const s = await readKitSettings(dir, { MAX_GPU_HOURS: '6' });
    assert.deepEqual([s.resultsDir, s.dataDir, s.maxGpuHours], ['out/{spec}', '/mnt/data', '6']);
    await write('MAX_GPU_HOURS=lots\n');
    await assert.rejects(readKitSettings(dir, {}), new RegExp(`${file.replace(/[.]/g, '\\.')}:1: MAX_GPU_HOURS must be a positive number`));
  });
});

describe('setting the compute target', () => {
  it("changes only the default of the kit's form, keeping export, the quotes, the comment and every other line", () => {
    const before = '# research kit\nexport DATA_DIR=data\nexport COMPUTE_TARGET="${COMPUTE_TARGET:-local}"   # "local" or "ec2"\nRESULTS_DIR=out\n';
    assert.deepEqual(withComputeTarget(before, 'ec2'), {
      text: '# research kit\nexport DATA_DIR=data\nexport COMPUTE_TARGET="${COMPUTE_TARGET:-ec2}"   # "local" or "ec2"\nRESULTS_DIR=out\n',
      form: 'default',
    });
    assert.equal(withComputeTarget('COMPUTE_TARGET=${COMPUTE_TARGET-ec2}\n', 'local').text, 'COMPUTE_TARGET=${COMPUTE_TARGET-local}\n');
    assert.equal(withComputeTarget('COMPUTE_TARGET="${COMPUTE_TARGET:=ec2}"', 'local').text, 'COMPUTE_TARGET="${COMPUTE_TARGET:=local}"');
    assert.deepEqual(withComputeTarget(before, 'ec2', { plain: true }).form, 'plain');
    assert.match(withComputeTarget(before, 'ec2', { plain: true }).text, /^export COMPUTE_TARGET=ec2 {3}# "local" or "ec2"$/m);
  });

  it('the kit form keeps the environment in charge, as bash would read it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orch-ct-'));
    try {
      const file = path.join(dir, '.orchestration-kit.env');
      await writeFile(file, 'COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n');
      await setComputeTarget(file, 'ec2');
      assert.equal((await readComputeTarget(dir, {})).target, 'ec2');
      assert.equal((await readComputeTarget(dir, { COMPUTE_TARGET: 'local' })).target, 'local');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('replaces a plain value in place, and says what it drops when the value was another expansion', () => {
    assert.deepEqual(withComputeTarget('COMPUTE_TARGET=ec2\r\nX=1\r\n', 'local'), { text: 'COMPUTE_TARGET=local\r\nX=1\r\n', form: 'plain' });
    assert.deepEqual(withComputeTarget("COMPUTE_TARGET='ec2' # quoted\n", 'local'), { text: 'COMPUTE_TARGET=local # quoted\n', form: 'plain' });
    assert.deepEqual(withComputeTarget('COMPUTE_TARGET="$KIT_TARGET"\n', 'ec2'), { text: 'COMPUTE_TARGET=ec2\n', form: 'plain', dropped: '"$KIT_TARGET"' });
    assert.deepEqual(withComputeTarget('COMPUTE_TARGET=${OTHER:-local}\n', 'ec2').dropped, '${OTHER:-local}');
  });

  it('changes the last assignment (the one bash keeps) and appends when there is none', () => {
    assert.equal(withComputeTarget('COMPUTE_TARGET=local\nCOMPUTE_TARGET=local\n', 'ec2').text, 'COMPUTE_TARGET=local\nCOMPUTE_TARGET=ec2\n');
    assert.equal(withComputeTarget('DATA_DIR=data', 'ec2').text, 'DATA_DIR=data\nCOMPUTE_TARGET=ec2\n');
    assert.equal(withComputeTarget('', 'ec2').text, 'COMPUTE_TARGET=ec2\n');
  });

  it('writes a file that then reads back as the target, creating it when missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orch-ct-'));
    try {
      const file = path.join(dir, '.orchestration-kit.env');
      await setComputeTarget(file, 'ec2');
      assert.equal(await readFile(file, 'utf8'), 'COMPUTE_TARGET=ec2\n');
      assert.equal((await readComputeTarget(dir, { COMPUTE_TARGET: 'local' })).target, 'ec2');
      await setComputeTarget(file, 'local');
      assert.equal((await readComputeTarget(dir, {})).target, 'local');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
