import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { promisify } from 'node:util';
import { main } from '../../../src/cli/main';
import type { CliIO } from '../../../src/cli/command';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../../..');

class Sink extends Writable {
  text = '';
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

interface Result {
  code: number;
  out: string;
  err: string;
}

let cwd: string;

async function orch(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  const stdout = new Sink();
  const stderr = new Sink();
  const io: CliIO = { stdout, stderr, stdin: new PassThrough(), env, cwd, isTTY: false, signal: new AbortController().signal };
  const code = await main(argv, io);
  return { code, out: stdout.text, err: stderr.text };
}

async function routeJson(argv: string[], env: NodeJS.ProcessEnv = {}): Promise<{ target: string; matched: string[]; reasons: string[] }> {
  const r = await orch(['route', '--json', ...argv], env);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, '');
  assert.equal(r.out.split('\n').length, 2, 'one line of JSON');
  const parsed = JSON.parse(r.out);
  assert.deepEqual(Object.keys(parsed), ['target', 'matched', 'reasons']);
  return parsed;
}

describe('orch route', () => {
  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'orch-route-'));
  });
  afterEach(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('a short, UI-centric, lightweight task with small memory runs locally', async () => {
    const d = await routeJson(['--runtime', '2', '--ui', '--light', '--memory', '1']);
    assert.equal(d.target, 'local');
    assert.deepEqual(d.matched, []);
    assert.equal(d.reasons.length, 1);
  });

  it('the same task without a memory estimate goes to cloud by memory_unknown', async () => {
    const d = await routeJson(['--runtime', '2', '--ui', '--light']);
    assert.equal(d.target, 'cloud');
    assert.deepEqual(d.matched, ['memory_unknown']);
  });

  const cases: [string[], string, string[]][] = [
    [['--runtime', '10', '--memory', '1'], 'cloud', []],
    [['--runtime', '10.01', '--memory', '1'], 'cloud', ['runtime_estimate > 10min']],
    [['--memory', '8', '--runtime', '3', '--ui', '--light'], 'local', []],
    [['--memory', '8.01'], 'cloud', ['memory_estimate > 8GB']],
    [['--parallel', '2', '--memory', '1'], 'cloud', ['parallel_execution >= 2']],
    [['--heavy-logs', '--memory', '1'], 'cloud', ['heavy_log_output']],
    [['--heavy', 'llm', '--memory', '1'], 'cloud', ['llm_or_embedding']],
    [['--agent', 'BUILDER', '--memory', '1'], 'cloud', ['agent_affinity']],
    [['--agent', 'scribe'], 'local', []],
    [['--agent', 'Rally', '--parallel', '3'], 'cloud', ['parallel_execution >= 2', 'memory_unknown']],
    [['--', 'npm', 'run', 'build'], 'cloud', ['runtime_estimate > 10min', 'heavy_log_output', 'memory_unknown']],
    [['--ui', '--', 'git', 'status'], 'local', []],
    [['--runtime', '60', '--', 'git', 'status'], 'cloud', ['runtime_estimate > 10min']],
    [['--', './unknown-tool', '--fast'], 'cloud', ['memory_unknown']],
  ];
  for (const [argv, target, matched] of cases) {
    it(`route ${argv.join(' ')} → ${target} ${JSON.stringify(matched)}`, async () => {
      const d = await routeJson(argv);
      assert.equal(d.target, target);
      assert.deepEqual(d.matched, matched);
    });
  }

  it('takes --heavy repeated or as a comma list', async () => {
    const d = await routeJson(['--heavy', 'llm,embedding', '--heavy', 'scraping', '--memory', '1']);
    assert.deepEqual(d.reasons, ['Heavy workload: llm, embedding, scraping.']);
  });

  it('prints target, matched rules and reasons as text', async () => {
    const r = await orch(['route', '--runtime', '45', '--memory', '2']);
    assert.equal(r.code, 0);
    assert.equal(
      r.out,
      [
        'target:  cloud',
        'matched: runtime_estimate > 10min',
        'reasons:',
        '  - Runtime estimate 45 min is over 10 min.',
        "policy:  built-in (the protocol's CLOUD_ROUTING block)",
        '',
      ].join('\n'),
    );
    const none = await orch(['route', '--runtime', '1', '--memory', '1', '--ui', '--light']);
    assert.match(none.out, /^target: {2}local\nmatched: \(none\)\n/);
  });

  const bad: [string[], RegExp][] = [
    [['--runtime', 'ten'], /^orch: --runtime must be a number >= 0, got "ten"\.\n$/],
    [['--memory', '-1'], /^orch: --memory must be a number >= 0, got "-1"\.\n$/],
    [['--parallel', '1.5'], /^orch: --parallel must be an integer >= 1, got "1\.5"\.\n$/],
    [['--agent', 'Merlin'], /^orch: Unknown agent "Merlin"; known agents: Builder, .*, Nexus\.\n$/],
    [['--heavy', 'video'], /^orch: Unknown heavy workload kind "video"; known: llm, embedding, vector-db, scraping, aggregation\.\n$/],
    [['--heavy', ','], /^orch: --heavy needs a workload kind, e\.g\. --heavy llm\.\n$/],
    [['--bogus'], /^orch: Unknown option --bogus; see --help\.\n$/],
    [['git', 'status'], /^orch: Unexpected "git": put the command to profile after --, e\.g\. orch route -- git status\.\n$/],
    [['--'], /^orch: Nothing after --/],
    [['--config', 'nope.yaml'], /^orch: Routing file nope\.yaml does not exist\.\n$/],
  ];
  for (const [argv, message] of bad) {
    it(`route ${argv.join(' ')} → exit 2 with one sentence`, async () => {
      const r = await orch(['route', ...argv]);
      assert.equal(r.code, 2);
      assert.equal(r.out, '');
      assert.match(r.err, message);
    });
  }

  it('reads --config, ORCH_ROUTING_FILE and the workspace routing.yaml', async () => {
    await writeFile(path.join(cwd, 'strict.yaml'), 'force_cloud:\n  - runtime_estimate > 20min\n  - memory_unknown\n');
    assert.deepEqual((await routeJson(['--config', 'strict.yaml', '--runtime', '15', '--memory', '1'])).matched, []);
    assert.deepEqual((await routeJson(['--config', 'strict.yaml', '--runtime', '25', '--memory', '1'])).matched, ['runtime_estimate > 20min']);
    assert.deepEqual((await routeJson(['--runtime', '25', '--memory', '1'], { ORCH_ROUTING_FILE: 'strict.yaml' })).matched, ['runtime_estimate > 20min']);

    await mkdir(path.join(cwd, 'scripts', 'cloud'), { recursive: true });
    await mkdir(path.join(cwd, 'sub'));
    await writeFile(path.join(cwd, 'scripts', 'cloud', 'routing.yaml'), 'CLOUD_ROUTING:\n  default: local\n');
    const sub = cwd;
    cwd = path.join(sub, 'sub');
    try {
      assert.equal((await routeJson(['--memory', '1'])).target, 'local');
      const text = await orch(['route', '--memory', '1']);
      assert.match(text.out, new RegExp(`policy: {2}${path.join(sub, 'scripts', 'cloud', 'routing.yaml').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\n`));
    } finally {
      cwd = sub;
    }
  });

  it('a bad routing file is exit 2 naming file, line and key', async () => {
    await writeFile(path.join(cwd, 'bad.yaml'), 'default: cloud\nforce_cloud:\n  - heavy_log_output\n  - foo\n');
    const r = await orch(['route', '--config', 'bad.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.err, /^orch: bad\.yaml:4: force_cloud\[1\]: unknown rule "foo"; known: /);
  });

  it('has help that names every fact flag', async () => {
    const r = await orch(['route', '--help']);
    assert.equal(r.code, 0);
    for (const flag of ['--runtime', '--memory', '--parallel', '--heavy-logs', '--heavy', '--ui', '--light', '--agent', '--json', '--config']) {
      assert.ok(r.out.includes(flag), flag);
    }
  });
});

/** Newest modification time under a directory. */
async function newest(dir: string): Promise<number> {
  let t = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? await newest(p) : (await stat(p)).mtimeMs);
  }
  return t;
}

describe('orch route from the built bundle', function () {
  this.timeout(120_000);

  before(async () => {
    const built = await stat(path.join(ROOT, 'dist', 'orch.js')).then((s) => s.mtimeMs, () => 0);
    if (built < (await newest(path.join(ROOT, 'src')))) await run(process.execPath, ['esbuild.mjs'], { cwd: ROOT, timeout: 110_000 });
  });

  it('node bin/orch route --json prints the decision and exits 0', async () => {
    const opts = { cwd: tmpdir(), env: { PATH: process.env.PATH } };
    const bin = path.join(ROOT, 'bin', 'orch');
    const local = await run(process.execPath, [bin, 'route', '--json', '--runtime', '2', '--ui', '--light', '--memory', '1'], opts);
    assert.equal(
      local.stdout,
      '{"target":"local","matched":[],"reasons":["No rule matched and the task is short, UI-centric and lightweight (runtime_estimate <= 3min AND ui_centric AND lightweight_check): local is allowed."]}\n',
    );
    const cloud = await run(process.execPath, [bin, 'route', '--json', '--runtime', '2', '--ui', '--light'], opts);
    assert.equal(cloud.stdout, '{"target":"cloud","matched":["memory_unknown"],"reasons":["Memory estimate is unknown, and an unknown memory need goes to cloud."]}\n');
    await assert.rejects(
      run(process.execPath, [bin, 'route', '--agent', 'Merlin'], opts),
      (e: { code?: number; stderr?: string }) => e.code === 2 && /^orch: Unknown agent "Merlin"/.test(e.stderr ?? ''),
    );
  });
});
