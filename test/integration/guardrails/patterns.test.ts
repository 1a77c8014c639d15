/**
 * The same pattern text is matched by JavaScript on the laptop and by `grep -E` on the host: for
 * the default patterns both must find the same lines and the same text.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NO_RETRY_PATTERNS, DEFAULT_WATCH_PATTERNS } from '../../../src/core/guardrails/patterns';

const LINES = [
  'Traceback (most recent call last):',
  'ValueError: ERRORS are fine here',
  '[ERROR] disk',
  'FATAL: boom',
  'NO_ERROR_HERE',
  'errors: 0',
  'torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB',
  'RuntimeError: CUDA error: out of memory',
  'bash: line 1:  4242 Killed                  python train.py',
  'Out of memory: Killed process 4242 (python)',
  'MemoryError',
  'write error: No space left on device',
  'Segmentation fault (core dumped)',
  '  File "x.py", line 1 SyntaxError: invalid syntax',
  'IndentationError: unexpected indent',
  "ModuleNotFoundError: No module named 'torch'",
  'ImportError: cannot import name x',
  'bash: foo: command not found',
  '日本語 ✓ ok',
];

describe('patterns read the same by JavaScript and grep -E', () => {
  it('every default pattern matches the same lines and text on both sides', () => {
    const dir = mkdtempSync(join(tmpdir(), 'orch-pat-'));
    try {
      const input = join(dir, 'log');
      writeFileSync(input, LINES.join('\n') + '\n');
      for (const regex of [...DEFAULT_WATCH_PATTERNS.map((p) => p.regex), ...DEFAULT_NO_RETRY_PATTERNS]) {
        writeFileSync(join(dir, 'pat'), `${regex}\n`);
        let grep = '';
        try {
          grep = execFileSync('grep', ['-a', '-n', '-o', '-E', '-f', join(dir, 'pat'), input], { env: { ...process.env, LC_ALL: 'C' } }).toString();
        } catch {
          grep = '';
        }
        const firstPerLine = new Map<string, string>();
        for (const l of grep.trim().split('\n').filter(Boolean)) {
          const [n, ...rest] = l.split(':');
          if (!firstPerLine.has(n!)) firstPerLine.set(n!, rest.join(':'));
        }
        const js = new Map<string, string>();
        LINES.forEach((line, i) => {
          const m = new RegExp(regex).exec(line);
          if (m) js.set(String(i + 1), m[0]);
        });
        assert.deepEqual([...firstPerLine], [...js], `pattern ${regex}`);
        assert.ok(js.size > 0, `pattern ${regex} matches a sample`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
