import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOB_NAME_PATTERN } from '../../../src/core/jobs/names';
import { HOST_FILES, HOST_LIB, HOST_LIST_SLICE, callScript } from '../../../src/host/library';
import { HOST_OPS, HostExit, encodeCall, fieldVar, opFunction, shellName, type HostOp } from '../../../src/host/protocol';
import { shellQuote } from '../../../src/host/target';

const OP_FILES: Record<HostOp, string> = {
  list: 'ops/list.sh',
  run: 'ops/run.sh',
  stop: 'ops/stop.sh',
  readLog: 'ops/read-log.sh',
  follow: 'ops/follow.sh',
  stopAll: 'ops/stop-all.sh',
  rollback: 'ops/rollback.sh',
  probe: 'ops/probe.sh',
  autostop: 'ops/autostop.sh',
  slurmRun: 'ops/slurm-run.sh',
  slurmList: 'ops/slurm-list.sh',
  slurmStop: 'ops/slurm-stop.sh',
  slurmStopAll: 'ops/slurm-stop-all.sh',
  doctor: 'ops/doctor.sh',
  watch: 'ops/watch.sh',
};

/** An op whose function calls another op's (`extends`) reads that op's fields as well. */
const extended = (op: HostOp): HostOp | undefined => {
  const spec = HOST_OPS[op];
  return 'extends' in spec ? spec.extends : undefined;
};

const used = (text: string, prefix: string): Set<string> =>
  new Set([...text.matchAll(new RegExp(`\\$\\{?(${prefix}[A-Z0-9_]+)`, 'g'))].map((m) => m[1]!));

/** Runs a bash snippet with the library sourced; returns stdout. */
function withLib(script: string, args: string[] = []): string {
  const r = spawnSync('bash', ['-c', `. /dev/stdin <<< "$ORCH_LIB"; ${script}`, 'orch-unit', ...args], {
    env: { ...process.env, ORCH_LIB: HOST_LIB },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

describe('host protocol (declared once in src/host/protocol.ts)', () => {
  for (const op of Object.keys(HOST_OPS) as HostOp[]) {
    it(`${op}: its op file defines ${opFunction(op)} and uses exactly the declared fields`, () => {
      const text = HOST_FILES[OP_FILES[op]]!;
      assert.match(text, new RegExp(`^${opFunction(op)}\\(\\) \\{$`, 'm'));
      const base = extended(op);
      if (base) assert.match(text, new RegExp(`^  ${opFunction(base)}$`, 'm'), `${op} calls ${opFunction(base)}`);
      const reads = base ? text + HOST_FILES[OP_FILES[base]]! : text;
      // The log root (F_ROOT) comes with every call; an op need not use it.
      const fields = [...used(reads, 'F_')].filter((f) => f !== 'F_ROOT');
      assert.deepEqual(fields.sort(), HOST_OPS[op].fields.map(fieldVar).sort());
    });
  }

  it('every field of every op file is read by its call script, in the declared order after the log root', () => {
    for (const op of Object.keys(HOST_OPS) as HostOp[]) {
      const reads = [...callScript(op).matchAll(/read -r -d '' (F_[A-Z_]+)/g)].map((m) => m[1]);
      assert.deepEqual(reads, ['F_ROOT', ...HOST_OPS[op].fields.map(fieldVar)]);
    }
  });

  it('no part of the library reads a field outside the op files, and each X_ code it uses is declared', () => {
    const codes = new Set(Object.keys(HostExit).map((k) => `X_${shellName(k)}`));
    for (const [file, text] of Object.entries(HOST_FILES)) {
      if (!file.startsWith('ops/')) assert.deepEqual([...used(text, 'F_')], [], file);
      for (const x of used(text, 'X_')) assert.ok(codes.has(x), `${file} uses ${x}`);
    }
    assert.equal(new Set(Object.values(HostExit)).size, Object.values(HostExit).length, 'exit codes are distinct');
  });

  it('the generated constants are the declared exit codes', () => {
    assert.equal(withLib('printf "%s %s %s" "$X_NOT_FOUND" "$X_ACTIVE" "$X_RESET_FAILED"'), `${HostExit.notFound} ${HostExit.active} ${HostExit.resetFailed}`);
  });

  it('a status call sends at most 2 KB: the call script and its fields', () => {
    const bytes = Buffer.byteLength(callScript('list')) + encodeCall('list', '~/logs', { name: '', mode: 'active' }).length;
    assert.ok(bytes <= 2048, `${bytes} bytes`);
    for (const op of Object.keys(HOST_OPS) as HostOp[]) assert.ok(Buffer.byteLength(callScript(op)) < 1024, op);
  });

  it('bash (valid_name) and TypeScript (JOB_NAME_PATTERN) agree on job names', () => {
    const names = ['a', 'A9', 'run-1_x', '9', '-a', '_a', 'a.b', 'a:b', 'a b', 'ä', 'aé', '', 'x'.repeat(80), 'x'.repeat(81), 'a/b', "a'b", 'a\nb'];
    const out = withLib('for n in "$@"; do valid_name "$n" && printf 1 || printf 0; done', names);
    assert.equal(out, names.map((n) => (JOB_NAME_PATTERN.test(n) ? '1' : '0')).join(''));
  });

  it('bash sq and TypeScript shellQuote quote alike, and bash reads the quote back exactly', () => {
    const texts = ["it's", "''", 'a b', '$HOME `x` "q"', 'new\nline', 'ü ✓', '\\'];
    for (const t of texts) {
      assert.equal(withLib('sq "$1"', [t]), shellQuote(t));
      assert.equal(spawnSync('bash', ['-c', `printf %s ${shellQuote(t)}`], { encoding: 'utf8' }).stdout, t);
    }
  });

  it('the list slice alone lists jobs exactly as the whole library does (every function op_list reaches is in it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-slice-'));
    try {
      const job = join(dir, 'logs', 'j1');
      mkdirSync(job, { recursive: true });
      for (const [f, v] of Object.entries({ 'meta.json': '{}\n', workdir: '/w\n', created: '1\n', exit: '0\n', 'runner.pid': '999999\n', env: 'A=1\n' })) writeFileSync(join(job, f), v);
      mkdirSync(join(dir, 'logs', 'j2'));
      for (const [f, v] of Object.entries({ 'meta.json': '{}\n', started: 'x\n', 'runner.pid': `${process.pid}\n`, 'run.log': ' 42%|####| 42/100\r' })) writeFileSync(join(dir, 'logs', 'j2', f), v);
      const list = (lib: string) => {
        const r = spawnSync('bash', ['-c', `. /dev/stdin <<< "$ORCH_LIB"; F_ROOT=$1 F_NAME= F_MODE=; op_list | tr '\\0' '|' | sed 's/now|[0-9]*|/now|T|/'`, 'orch-unit', join(dir, 'logs')], {
          env: { ...process.env, ORCH_LIB: lib }, encoding: 'utf8',
        });
        assert.equal(r.status, 0, r.stderr);
        return r.stdout;
      };
      const whole = list(HOST_LIB);
      assert.match(whole, /job\|j1\|/);
      assert.equal(list(HOST_LIST_SLICE), whole);
      assert.ok(HOST_LIST_SLICE.length < HOST_LIB.length / 2, `${HOST_LIST_SLICE.length} of ${HOST_LIB.length} bytes`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
