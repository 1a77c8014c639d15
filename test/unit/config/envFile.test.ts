import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { parseEnvText, readEnvFile } from '../../../src/core/config/envFile';
import { UserError } from '../../../src/core/errors';

const run = promisify(execFile);

interface ValidCase {
  name: string;
  text: string;
  env?: Record<string, string>;
  want: Record<string, string>;
  /** false where we deliberately differ from bash (documented in docs/configuration.md). */
  sameAsBash?: boolean;
}

const valid: ValidCase[] = [
  { name: 'blank lines and full-line comments', text: '\n# comment\n   # indented comment\n\nA=1\n', want: { A: '1' } },
  { name: 'export prefix', text: 'export A=1\nexport\tB=two\n', want: { A: '1', B: 'two' } },
  { name: 'export of a name alone assigns nothing', text: 'export A\nB=2\n', want: { B: '2' } },
  { name: 'trailing comment after a blank', text: 'A=1 # note\nB="x # y"   # note\n', want: { A: '1', B: 'x # y' } },
  { name: '# inside a word is not a comment', text: 'A=a#b\nB=#x\n', want: { A: 'a#b', B: '#x' } },
  { name: 'single quotes are literal', text: `A='$HOME "q" \\n \${X:-y}'\n`, want: { A: '$HOME "q" \\n ${X:-y}' } },
  { name: 'double quotes with escapes', text: 'A="a\\"b\\\\c\\$d \\x"\n', want: { A: 'a"b\\c$d \\x' } },
  { name: 'unquoted backslash escapes', text: 'A=a\\ b\\#c\n', want: { A: 'a b#c' } },
  { name: 'line continuation', text: 'A=abc\\\ndef\n', want: { A: 'abcdef' } },
  { name: 'multi-line double-quoted value', text: 'A="l1\nl2"\nB=3\n', want: { A: 'l1\nl2', B: '3' } },
  { name: '$VAR and ${VAR} from the environment', text: 'A=$U/${U}x\n', env: { U: 'u' }, want: { A: 'u/ux' } },
  { name: 'earlier keys of the same file', text: 'A=1\nB=${A}2\nC="$B-$A"\n', want: { A: '1', B: '12', C: '12-1' } },
  { name: 'a key of the file hides the environment', text: 'A=file\nB=$A\n', env: { A: 'env' }, want: { A: 'file', B: 'file' } },
  { name: 'unset expands to empty', text: 'A=$NOPE\nB="[${NOPE}]"\n', want: { A: '', B: '[]' } },
  { name: '${VAR:-default} when unset', text: 'A=${NOPE:-d}\n', want: { A: 'd' } },
  { name: '${VAR:-default} when empty', text: 'A=${E:-d}\n', env: { E: '' }, want: { A: 'd' } },
  { name: '${VAR-default} keeps an empty value', text: 'A=${E-d}\nB=${NOPE-d}\n', env: { E: '' }, want: { A: '', B: 'd' } },
  { name: '${VAR:=default} gives the default', text: 'A=${NOPE:=d}\nB=${S:=d}\n', env: { S: 's' }, want: { A: 'd', B: 's' } },
  { name: '${VAR:+alt}', text: 'A=${S:+alt}\nB=${NOPE:+alt}\n', env: { S: 's' }, want: { A: 'alt', B: '' } },
  { name: 'nested and quoted defaults', text: 'A=${NOPE:-${U:-x}/y}\nB="${NOPE:-"a b"}"\nC=${NOPE:-\'$U\'}\n', env: { U: 'u' }, want: { A: 'u/y', B: 'a b', C: '$U' } },
  { name: 'single quotes inside a double-quoted default are literal', text: 'A="${NOPE:-\'x\'}"\n', want: { A: "'x'" } },
  { name: 'unquoted default with spaces', text: 'A=${NOPE:-a b}\n', want: { A: 'a b' } },
  { name: 'COMPUTE_TARGET default (unset)', text: 'COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n', want: { COMPUTE_TARGET: 'local' } },
  { name: 'COMPUTE_TARGET default (set)', text: 'COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n', env: { COMPUTE_TARGET: 'ec2' }, want: { COMPUTE_TARGET: 'ec2' } },
  { name: 'COMPUTE_TARGET default (empty)', text: 'COMPUTE_TARGET="${COMPUTE_TARGET:-local}"\n', env: { COMPUTE_TARGET: '' }, want: { COMPUTE_TARGET: 'local' } },
  { name: 'a lone $ is literal', text: 'A=a$\nB="$"\nC=$/x\n', want: { A: 'a$', B: '$', C: '$/x' } },
  { name: 'several assignments on one line', text: 'A=1 B=$A\n', want: { A: '1', B: '1' } },
  { name: 'empty values', text: 'A=\nB=""\nC=\'\'\n', want: { A: '', B: '', C: '' } },
  { name: 'indented assignment, no final newline', text: '  A=1', want: { A: '1' } },
  { name: 'command substitution inside single quotes stays literal', text: "A='$(touch canary) `id`'\n", want: { A: '$(touch canary) `id`' } },
  { name: 'last assignment wins', text: 'A=1\nA=2\n', want: { A: '2' } },
  { name: 'unicode values', text: 'A="héllo wörld ✓"\n', want: { A: 'héllo wörld ✓' } },
  { name: 'keys named like object properties are plain keys', text: 'constructor=1\n__proto__=2\nA="$toString$hasOwnProperty"\n', want: { constructor: '1', ['__proto__']: '2', A: '' }, sameAsBash: true },
  { name: 'tilde is kept (the resolver decides local or remote home)', text: 'A=~/logs\n', want: { A: '~/logs' }, sameAsBash: false },
  { name: 'Windows line ends are ignored', text: 'A=1\r\nB="2"\r\n', want: { A: '1', B: '2' }, sameAsBash: false },
  { name: 'a byte-order mark is ignored', text: '\uFEFFA=1\n', want: { A: '1' }, sameAsBash: false },
];

/** What bash itself assigns when it sources `text` with only `env` set. */
async function bashValues(dir: string, text: string, env: Record<string, string>, keys: string[]): Promise<Record<string, string>> {
  const file = path.join(dir, `case-${Math.random().toString(36).slice(2)}.env`);
  await writeFile(file, text);
  const script = 'source "$1" >/dev/null 2>&1; shift; for k in "$@"; do printf "%s\\0" "${!k}"; done';
  const { stdout } = await run('bash', ['--noprofile', '--norc', '-c', script, 'bash', file, ...keys], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    cwd: dir,
  });
  const parts = stdout.split('\0');
  return Object.fromEntries(keys.map((k, i) => [k, parts[i]]));
}

describe('env file parser', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'orch-envfile-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of valid) {
    it(`reads ${c.name}`, async () => {
      const got = parseEnvText(c.text, { file: '/w/.env', env: c.env ?? {} });
      assert.deepEqual(got.values, c.want);
      if (c.sameAsBash !== false) {
        // The same file sourced by bash gives the same values: we read it as bash would.
        assert.deepEqual(await bashValues(dir, c.text, c.env ?? {}, Object.keys(c.want)), c.want);
      }
    });
  }

  it('records the line of each key’s last assignment, where a multi-line value starts', () => {
    const got = parseEnvText('# head\nA=1\n\nB="x\ny"\nA=2 C=3\n', { file: '/w/.env', env: {} });
    assert.deepEqual(got.lines, { A: 6, B: 4, C: 6 });
  });

  const errors: { text: string; line: number; says: RegExp }[] = [
    { text: 'foo bar\n', line: 1, says: /"foo bar" is not an assignment; write KEY=value/ },
    { text: 'A=1\n\nfoo\n', line: 3, says: /"foo" is not an assignment/ },
    { text: 'A="abc\n', line: 1, says: /double quote opened here is never closed/ },
    { text: "A=1\nB='x\ny\n", line: 2, says: /single quote opened here is never closed/ },
    { text: '1A=x\n', line: 1, says: /"1A" is not a valid key/ },
    { text: 'A-B=x\n', line: 1, says: /"A-B" is not a valid key/ },
    { text: 'A.B=x\n', line: 1, says: /"A.B" is not a valid key/ },
    { text: 'A =1\n', line: 1, says: /no spaces around "="/ },
    { text: 'A=1 2\n', line: 1, says: /value of A contains an unquoted space; put the whole value in quotes/ },
    { text: 'A=x;y\n', line: 1, says: /unquoted ";"/ },
    { text: 'A=x|y\n', line: 1, says: /unquoted "\|"/ },
    { text: 'A=x>y\n', line: 1, says: /unquoted ">"/ },
    { text: 'A=x&\n', line: 1, says: /unquoted "&"/ },
    { text: 'A=${X/a/b}\n', line: 1, says: /expansion \$\{X\/\.\.\.\} is not supported/ },
    { text: 'A=${#X}\n', line: 1, says: /is not supported/ },
    { text: 'A=$1\n', line: 1, says: /"\$1" \(a shell special parameter\) is not supported/ },
    { text: 'A=${X\n', line: 1, says: /never closed/ },
    { text: 'A=${X:-abc\n', line: 1, says: /never closed/ },
    { text: 'A=${X:?must be set}\n', line: 1, says: /X is not set: must be set/ },
    { text: 'A=$((1+2))\n', line: 1, says: /command substitution/ },
  ];
  for (const e of errors) {
    it(`refuses ${JSON.stringify(e.text)} naming file and line ${e.line}`, () => {
      assert.throws(
        () => parseEnvText(e.text, { file: '/w/scripts/cloud/.env', env: {} }),
        (err: unknown) => {
          assert.ok(err instanceof UserError, 'a UserError');
          assert.ok(err.message.startsWith(`/w/scripts/cloud/.env:${e.line}: `), err.message);
          assert.match(err.message, e.says);
          assert.ok(!err.message.includes('\n'), 'one line');
          return true;
        },
      );
    });
  }

  it('never runs a command substitution: a canary file is never created', async () => {
    const canary = path.join(dir, 'canary');
    const forms = [
      `A=$(touch ${canary})`,
      `A="$(touch ${canary})"`,
      `A=\`touch ${canary}\``,
      `A="x\`touch ${canary}\`"`,
      `A=\${NOPE:-$(touch ${canary})}`,
      `A="\${NOPE:-\`touch ${canary}\`}"`,
      `A=$((0)) ; touch ${canary}`,
      `A=1; touch ${canary}`,
      `touch ${canary}`,
    ];
    for (const [i, form] of forms.entries()) {
      const file = path.join(dir, `canary-${i}.env`);
      await writeFile(file, `OK=1\n${form}\n`);
      await assert.rejects(readEnvFile(file, {}), (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.ok(err.message.startsWith(`${file}:2: `), err.message);
        return true;
      });
      assert.equal(existsSync(canary), false, `not executed: ${form}`);
    }
    // The control: the same canary command really does create the file when bash runs it.
    await run('bash', ['-c', `touch ${canary}`]);
    assert.equal(existsSync(canary), true);
  });

  it('readEnvFile gives undefined for a missing file and an error for a directory', async () => {
    assert.equal(await readEnvFile(path.join(dir, 'missing.env'), {}), undefined);
    const sub = path.join(dir, 'a-directory');
    await mkdir(sub);
    await assert.rejects(readEnvFile(sub, {}), (err: unknown) => err instanceof UserError && err.message.startsWith(`Could not read ${sub}`));
  });

  it('readEnvFile reads a real file with its lines', async () => {
    const file = path.join(dir, 'real.env');
    await writeFile(file, '# cloud box\nexport ORCH_HOST="${BOX:-gpu-1}"\nORCH_PORT=2222 # ssh\n');
    const got = await readEnvFile(file, { BOX: 'gpu-7' });
    assert.deepEqual(got, { values: { ORCH_HOST: 'gpu-7', ORCH_PORT: '2222' }, lines: { ORCH_HOST: 2, ORCH_PORT: 3 } });
  });
});
