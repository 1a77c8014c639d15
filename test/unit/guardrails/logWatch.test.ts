import assert from 'node:assert/strict';
import { createLogWatcher, describeMatch, lineAt, type LogMatch } from '../../../src/core/guardrails/logWatch';

const feed = (chunks: (string | Buffer)[], opts = {}): LogMatch[] => {
  const w = createLogWatcher(opts);
  const out: LogMatch[] = [];
  for (const c of chunks) out.push(...w.push(typeof c === 'string' ? Buffer.from(c) : c));
  out.push(...w.end());
  return out;
};
const brief = (ms: LogMatch[]) => ms.map((m) => `${m.pattern}@${m.line}:${m.text}`);

const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "train.py", line 3, in <module>',
  '    main()',
  'ValueError: bad shape',
  '',
  'During handling of the above exception, another exception occurred:',
  '',
  'Traceback (most recent call last):',
  '  File "train.py", line 5, in <module>',
  'KeyError: x',
].join('\n') + '\n';

describe('L1 log watch', () => {
  it('finds each default pattern with its line number', () => {
    const log = 'ok\nCUDA out of memory. Tried\nwrite: No space left on device\nSegmentation fault (core dumped)\nbash: line 1: 42 Killed python x\nFATAL: boom\n';
    assert.deepEqual(brief(feed([log])), [
      'cuda-oom@2:CUDA out of memory',
      'disk-full@3:No space left on device',
      'segfault@4:Segmentation fault',
      'oom@5:Killed',
      'error@6:FATAL',
    ]);
  });

  it('matches ERROR only as a word, case-sensitively', () => {
    assert.deepEqual(brief(feed(['ValueError: x\nerrors: 0\nNO_ERRORS\n[ERROR] disk\n'])), ['error@4:ERROR']);
  });

  it('a traceback block, chained exceptions included, fires once', () => {
    assert.deepEqual(brief(feed([TRACEBACK])), ['python-traceback@1:Traceback (most recent call last):']);
  });

  it('handles lines and UTF-8 characters split across chunks, byte by byte', () => {
    const text = Buffer.from('日本語 ok\nへ CUDA out of memory ✓\n');
    const bytes = [...text].map((b) => Buffer.from([b]));
    const ms = feed(bytes);
    assert.deepEqual(brief(ms), ['cuda-oom@2:CUDA out of memory']);
    assert.equal(ms[0]!.lineText, 'へ CUDA out of memory ✓');
    assert.deepEqual(brief(feed(['Trace', 'back (most recent ', 'call last):\n'])), ['python-traceback@1:Traceback (most recent call last):']);
  });

  it('reports a pattern once per window of lines, then again after it', () => {
    const lines = Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? `ERROR ${i}` : 'fine')).join('\n') + '\n';
    // window 4: fires on 1, quiet through 5, fires on 7, quiet through 11.
    assert.deepEqual(brief(feed([lines], { windowLines: 4 })), ['error@1:ERROR', 'error@7:ERROR']);
    // window 0: every matching line.
    assert.equal(feed([lines], { windowLines: 0 }).length, 6);
    // different patterns have their own windows
    assert.deepEqual(brief(feed(['ERROR a\nSegmentation fault\nERROR b\n'])), ['error@1:ERROR', 'segfault@2:Segmentation fault']);
  });

  it("ignores orch's own [EXIT: N] and [RETRY: ...] lines, and matches a last line without newline at the end", () => {
    const patterns = [{ name: 'exit', regex: 'EXIT|RETRY' }];
    assert.deepEqual(brief(feed(['[RETRY: exit 1; attempt 2 of 3]\n[EXIT: 1]\n'], { patterns })), []);
    assert.deepEqual(brief(feed(['a\nEXIT now'], { patterns })), ['exit@2:EXIT']);
  });

  it('counts from startLine and strips a CR; a very long line is matched on its start', () => {
    assert.deepEqual(brief(feed(['x\r\nERROR\r\n'], { startLine: 41 })), ['error@42:ERROR']);
    const long = 'ERROR ' + 'y'.repeat(100_000) + ' Segmentation fault\nnext ERROR\n';
    assert.deepEqual(brief(feed([long], { maxLineBytes: 1000, windowLines: 0 })), ['error@1:ERROR', 'error@2:ERROR']);
  });

  it('lineAt gives the line a byte offset starts, and the CLI line reads as documented', () => {
    assert.equal(lineAt(Buffer.from('')), 1);
    assert.equal(lineAt(Buffer.from('a\nb\n')), 3);
    assert.equal(lineAt(Buffer.from('a\nb')), 2);
    const [m] = feed(['\n'.repeat(1233) + 'RuntimeError: CUDA out of memory.\n']);
    assert.equal(describeMatch('train1', m!), '[L1] job train1: "CUDA out of memory" at line 1234');
  });
});
