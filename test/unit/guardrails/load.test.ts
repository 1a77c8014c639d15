import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../../src/core/errors';
import { DEFAULT_NO_RETRY_PATTERNS, DEFAULT_WATCH_PATTERNS } from '../../../src/core/guardrails/patterns';
import { parseGuardrails, resolveGuardrails } from '../../../src/core/guardrails/load';
import { defaultGuardrails } from '../../../src/core/guardrails/settings';

const fails = (text: string, re: RegExp) =>
  assert.throws(() => parseGuardrails(text, 'guardrails.yaml'), (e: unknown) => e instanceof UserError && e.exitCode === 2 && re.test(e.message));

describe('guardrails file', () => {
  it('an empty file is the defaults', () => {
    assert.deepEqual(parseGuardrails('', 'g.yaml'), defaultGuardrails());
  });

  it('adds patterns to the defaults, or replaces them with use_defaults: false; the block may sit under guardrails:', () => {
    const s = parseGuardrails(
      ['guardrails:', '  watch:', '    patterns:', '      - NCCL error', '      - { name: nan, regex: "loss[=:] ?nan" }', '    window_lines: 10', '    stop_on_match: true',
        '  retry:', '    backoff_seconds: 0.5', '    on_exit: "any except 2"', '    no_retry_on: [MyFatal]', '    rollback_on_retry: true'].join('\n'),
      'g.yaml',
    );
    assert.deepEqual(s.watch.patterns.slice(DEFAULT_WATCH_PATTERNS.length), [{ name: 'NCCL error', regex: 'NCCL error' }, { name: 'nan', regex: 'loss[=:] ?nan' }]);
    assert.deepEqual([s.watch.windowLines, s.watch.stopOnMatch], [10, true]);
    assert.deepEqual(s.retry.onExit, { kind: 'except', codes: [2] });
    assert.deepEqual(s.retry.noRetryOn, [...DEFAULT_NO_RETRY_PATTERNS, 'MyFatal']);
    assert.deepEqual([s.retry.backoffSeconds, s.retry.rollbackOnRetry], [0.5, true]);
    const only = parseGuardrails('watch: { use_defaults: false, patterns: [boom] }\nretry: { use_defaults: false, on_exit: [1, 137] }\n', 'g.yaml');
    assert.deepEqual(only.watch.patterns, [{ name: 'boom', regex: 'boom' }]);
    assert.deepEqual(only.retry.noRetryOn, []);
    assert.deepEqual(only.retry.onExit, { kind: 'only', codes: [1, 137] });
  });

  it('names the file, line and key of a mistake', () => {
    fails('watch:\n  patern: [x]\n', /^guardrails\.yaml:2: watch\.patern: unknown key "patern"; known: use_defaults, patterns, window_lines, stop_on_match\.$/);
    fails('retry:\n  backoff_seconds: 1\n  on_exit: "0"\n', /^guardrails\.yaml:3: retry\.on_exit: "0" is not an exit status 1-255/);
    fails('watch:\n  patterns:\n    - ok\n    - "(?=x)"\n', /^guardrails\.yaml:4: watch\.patterns\[1\]/);
    fails('retry:\n  backoff_seconds: -1\n', /^guardrails\.yaml:2: retry\.backoff_seconds:/);
    fails('watch: [\n', /^guardrails\.yaml:\d+: not valid YAML/);
    fails('- a\n', /^guardrails\.yaml:1: expected a mapping/);
  });

  it('is found at scripts/cloud/guardrails.yaml of the workspace, or through ORCH_GUARDRAILS_FILE', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'orch-guard-ws-'));
    mkdirSync(join(ws, 'scripts', 'cloud'), { recursive: true });
    mkdirSync(join(ws, 'sub'));
    assert.equal((await resolveGuardrails({ cwd: join(ws, 'sub'), env: {} })).file, undefined);
    writeFileSync(join(ws, 'scripts', 'cloud', 'guardrails.yaml'), 'watch: { window_lines: 7 }\n');
    const r = await resolveGuardrails({ cwd: join(ws, 'sub'), env: {} });
    assert.equal(r.file, join(ws, 'scripts', 'cloud', 'guardrails.yaml'));
    assert.equal(r.settings.watch.windowLines, 7);
    writeFileSync(join(ws, 'other.yaml'), 'watch: { window_lines: 3 }\n');
    assert.equal((await resolveGuardrails({ cwd: ws, env: { ORCH_GUARDRAILS_FILE: 'other.yaml' } })).settings.watch.windowLines, 3);
    await assert.rejects(resolveGuardrails({ cwd: ws, env: { ORCH_GUARDRAILS_FILE: 'nope.yaml' } }), /Guardrails file nope\.yaml does not exist/);
  });
});
