/**
 * shellcheck of the host library as it is installed on a host: the parts of src/host joined as
 * library.ts joins them (with the generated constants), so a variable set in one part and used in
 * another is understood; every finding is reported at its part's own file and line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_FILES, HOST_LIB } from '../src/host/library';

interface Finding {
  line: number;
  column: number;
  level: string;
  code: number;
  message: string;
}

/** Where each part starts in the joined library (1-based lines). */
function partStarts(): { file: string; start: number; lines: number }[] {
  const starts: { file: string; start: number; lines: number }[] = [];
  const before = HOST_LIB.slice(0, HOST_LIB.indexOf(Object.values(HOST_FILES)[0]!));
  let line = before.split('\n').length;
  for (const [file, text] of Object.entries(HOST_FILES)) {
    const lines = text.split('\n').length;
    starts.push({ file: `src/host/${file}`, start: line, lines });
    line += lines;
  }
  return starts;
}

function locate(line: number): string {
  for (const p of partStarts()) {
    if (line >= p.start && line < p.start + p.lines) return `${p.file}:${line - p.start + 1}`;
  }
  return `(generated constants):${line}`;
}

const dir = mkdtempSync(join(tmpdir(), 'orch-lint-host-'));
try {
  const file = join(dir, 'lib.sh');
  writeFileSync(file, HOST_LIB);
  const syntax = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
  if (syntax.status !== 0) {
    process.stderr.write(syntax.stderr.replace(/^.*?lib\.sh: line (\d+):/gm, (_m, n: string) => `${locate(Number(n))}:`));
    process.exit(1);
  }
  const res = spawnSync('shellcheck', ['-s', 'bash', '-f', 'json', file], { encoding: 'utf8' });
  if (res.error) throw res.error;
  const findings = JSON.parse(res.stdout || '[]') as Finding[];
  for (const f of findings) console.error(`${locate(f.line)}:${f.column}: ${f.level} SC${f.code}: ${f.message}`);
  if (findings.length > 0 || (res.status !== 0 && res.status !== 1)) process.exit(1);
  console.log(`lint-host: the host library (${Object.keys(HOST_FILES).length} files, ${HOST_LIB.length} bytes) is clean`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
