import assert from 'node:assert/strict';
import { createLogWatcher, describeMatch, lineAt, type LogMatch } from '../../../src/core/guardrails/logWatch';
import { DEFAULT_WATCH_PATTERNS } from '../../../src/core/guardrails/patterns';

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

/** The watcher's rule spelled out the slow way: every line decoded and matched on its own. */
function referenceMatches(log: Buffer, opts: { patterns: { name: string; regex: string }[]; windowLines: number; maxLineBytes: number }): string[] {
  const last = new Map<string, number>();
  const out: string[] = [];
  const lines: Buffer[] = [];
  let start = 0;
  for (let nl = log.indexOf(0x0a); nl >= 0; nl = log.indexOf(0x0a, start)) {
    lines.push(log.subarray(start, nl));
    start = nl + 1;
  }
  if (start < log.length) lines.push(log.subarray(start));
  lines.forEach((bytes, i) => {
    const text = bytes.subarray(0, opts.maxLineBytes).toString('utf8').replace(/\r$/, '');
    if (/^\[(EXIT|RETRY): [^\]]*\]\s*$/.test(text)) return;
    for (const p of opts.patterns) {
      const m = new RegExp(p.regex).exec(text);
      if (!m || i + 1 <= (last.get(p.name) ?? -Infinity) + opts.windowLines) continue;
      last.set(p.name, i + 1);
      out.push(`${p.name}@${i + 1}:${m[0]}`);
    }
  });
  return out;
}

describe('L1 log watch: the fast path reports exactly what a line-by-line match would', () => {
  // Pieces chosen to hit the edges: anchors next to CR, words cut by a long line's limit,
  // multi-byte and invalid UTF-8, orch's own lines, empty lines, matches that span lines.
  const pieces = [
    'ERROR', 'FATAL', 'ok', 'fine line', '\r', '\n', '\n', '\n', '\r\n', 'é', '日本', '✓', '\u2028', 'x'.repeat(40),
    '[EXIT: 1]', '[RETRY: exit 2; attempt 2 of 3]', 'Segmentation fault', 'Traceback (most recent call last):', 'done$',
    'CUDA out of memory', 'Killed', 'ERRORS', 'end', ' ', 'a', 'b',
  ];
  const patterns = [
    ...DEFAULT_WATCH_PATTERNS,
    { name: 'anchored', regex: '^ok$' },
    { name: 'tail', regex: 'end\\s*$' },
    { name: 'empty-line', regex: '^$' },
    { name: 'nonascii', regex: '日.|é' },
    { name: 'ab', regex: 'a\\s*b' },
    { name: 'backref', regex: '(x)\\1x' },
  ];
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };

  it('a long line cut at its limit is matched on the cut text, as documented', () => {
    const log = Buffer.from('first\n' + ' '.repeat(10) + 'ERRORS and more\nlast end\n' + '-'.repeat(12) + 'end' + 'x'.repeat(30) + '\n');
    const opts = { patterns, windowLines: 0, maxLineBytes: 15 };
    const got = brief(feed([log], opts));
    assert.deepEqual(got, referenceMatches(log, opts));
    assert.deepEqual(got, ['error@2:ERROR', 'tail@3:end', 'tail@4:end']);
  });

  it('on 300 random logs cut into random chunks', () => {
    for (let round = 0; round < 300; round++) {
      const parts: Buffer[] = [];
      const n = 1 + rand(120);
      for (let i = 0; i < n; i++) {
        const r = rand(40);
        if (r === 0) parts.push(Buffer.from([0xe6, 0x97])); // a cut 3-byte character
        else if (r === 1) parts.push(Buffer.from([0xff]));
        else parts.push(Buffer.from(pieces[rand(pieces.length)]!));
      }
      const log = Buffer.concat(parts as unknown as Uint8Array[]);
      const opts = { patterns, windowLines: rand(4), maxLineBytes: 8 + rand(120) };
      const chunks: Buffer[] = [];
      for (let at = 0; at < log.length; ) {
        const size = 1 + rand(rand(3) === 0 ? 4 : 400);
        chunks.push(log.subarray(at, at + size));
        at += size;
      }
      const got = brief(feed(chunks, opts));
      assert.deepEqual(got, referenceMatches(log, opts), `round ${round}: ${JSON.stringify(log.toString('latin1'))} in ${chunks.length} chunks`);
    }
  });
});
