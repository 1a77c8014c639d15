import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { LogRenderer, renderLog } from '../../../src/core/logs/render';

/** Feeds `text` in chunks of `size` characters (splitting lines and escapes anywhere). */
function streamed(text: string, size: number): string {
  const r = new LogRenderer();
  let out = '';
  for (let i = 0; i < text.length; i += size) out += r.push(text.slice(i, i + size)).lines;
  return out + r.end();
}

describe('log rendering for channels (CR updates collapsed, ANSI stripped)', () => {
  it('keeps plain text as it is', () => {
    assert.equal(renderLog('line 1\nline 2\n[EXIT: 0]\n'), 'line 1\nline 2\n[EXIT: 0]\n');
    assert.equal(renderLog('héllo wörld ✓\n'), 'héllo wörld ✓\n');
  });

  it('leaves a carriage-return updated line in its latest state, as a terminal would', () => {
    assert.equal(renderLog('10%\r20%\r100%\ndone\n'), '100%\ndone\n');
    assert.equal(renderLog('abcdef\rXY\n'), 'XYcdef\n', 'a shorter update overwrites only its own width');
    assert.equal(renderLog('windows line\r\nnext\r\n'), 'windows line\nnext\n');
    assert.equal(renderLog('50%\r\x1b[K'), '', 'erase-in-line clears the rest');
  });

  it('strips colours, cursor moves and window titles', () => {
    assert.equal(renderLog('\x1b[1;31mERROR\x1b[0m: bad\n'), 'ERROR: bad\n');
    assert.equal(renderLog('\x1b]0;title\x07a\x1b[Ab\n'), 'ab\n');
  });

  it('gives the same text whatever the chunk boundaries (escapes split across chunks)', () => {
    const text = 'start\n\x1b[32mok\x1b[0m 1/3\r\x1b[32mok\x1b[0m 2/3\r\x1b[32mok\x1b[0m 3/3\nend\n';
    for (const size of [1, 2, 3, 5, 7, 1000]) assert.equal(streamed(text, size), 'start\nok 3/3\nend\n', `chunks of ${size}`);
  });

  it('reports the partial line live, in its latest state', () => {
    const r = new LogRenderer();
    assert.deepEqual(r.push('epoch 1\n 10%|█'), { lines: 'epoch 1\n', partial: ' 10%|█' });
    assert.deepEqual(r.push('\r 20%|██'), { lines: '', partial: ' 20%|██' });
    assert.deepEqual(r.push('\n'), { lines: ' 20%|██\n', partial: '' });
  });

  it('turns real tqdm output (Debian python3-tqdm) into one line per bar', () => {
    const script = [
      'import sys',
      'from tqdm import tqdm',
      'for epoch in range(2):',
      '    for _ in tqdm(range(40), desc=f"epoch {epoch}", file=sys.stdout, mininterval=0, miniters=1, ncols=60, colour="green"):',
      '        pass',
      'print("done")',
    ].join('\n');
    // the system python, where python3-tqdm is installed (scripts/setup-test-env.sh)
    const raw = execFileSync('/usr/bin/python3', ['-c', script], { encoding: 'utf8' });
    assert.ok((raw.match(/\r/g) ?? []).length >= 40, 'tqdm wrote carriage-return updates');
    assert.ok(raw.includes('\x1b['), 'and colour codes');
    const lines = renderLog(raw).split('\n');
    assert.equal(lines.length, 4, JSON.stringify(lines));
    assert.match(lines[0], /^epoch 0: 100%\|█+\| 40\/40 /);
    assert.match(lines[1], /^epoch 1: 100%\|█+\| 40\/40 /);
    assert.equal(lines[2], 'done');
    assert.ok(!lines.join('').includes('\x1b'));
  });
});
