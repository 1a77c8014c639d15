/**
 * The generated table of adversarial job names and commands. Every entry that mentions the
 * canary does so where a correct implementation keeps it literal (a refused name, single quotes,
 * escapes, a quoted here-document, the result of an expansion), so the canary file can only
 * appear if something injected it.
 */

/** Names that must be refused with exit status 2 before anything starts. `C` is the canary path. */
export function invalidNames(C: string): string[] {
  const inserted = [
    ';', '$()', '$', '`', "'", '"', '..', '/', '\\', '\n', '\r', '\t', ' ', '.', ':', '|', '&', '>', '<', '*', '?',
    '[', ']', '{', '}', '(', ')', '~', '!', '#', '%', '^', '=', '+', ',', '@', '\x1b', '\x7f', '\x01',
    'é', 'ジ', '\u200b', '\u202e', '😀', '０', 'ı', '\u212a', // Kelvin sign: not the letter K
  ].map((c) => `a${c}b`);
  const whole = [
    '', '-', '--', '-x', '_x', '.x', '..', '.', '/', '~', '=x', '%1', '@1', '{last}', 'a:0.1', 'a.0', 'job.', 'job:',
    '-t=evil', '--force', 'x'.repeat(81), 'y'.repeat(300), '/etc/passwd', '../../etc', 'x/../../y', 'a/b',
    `$(touch ${C})`, `\`touch ${C}\``, `x;touch ${C}`, `x && touch ${C}`, `x|touch ${C}`, `x'$(touch ${C})'`,
    `x"$(touch ${C})"`, `x\ntouch ${C}`, `x$'\\n'touch${C}`, `x>${C}`, `\ttouch ${C}`, `x\u0000touch ${C}`,
  ];
  return [...inserted, ...whole];
}

/** Unusual but valid names (the suffix makes each run's names unique). */
export function validNames(unique: string): string[] {
  const u = unique.replace(/[^A-Za-z0-9]/g, '');
  return [
    `${u}a`,
    `0${u}`,
    `${u}-b_c`,
    `${u}9-`,
    `${u}_`,
    `${u}--__--`,
    (u + 'x'.repeat(80)).slice(0, 80),
  ];
}

export interface CommandCase {
  /** Words after the job name, as a user types them (several words are joined with spaces). */
  argv: string[];
  /** What the case is about. */
  why: string;
}

/** Command lines whose output bash decides; the job's log must equal bash's own output. */
export function commandCases(C: string, legit: string): CommandCase[] {
  const one = (cmd: string, why: string): CommandCase => ({ argv: [cmd], why });
  return [
    one(`echo '$(touch ${C})'`, 'command substitution in single quotes'),
    one(`echo '\`touch ${C}\`'`, 'backticks in single quotes'),
    one(`printf '%s\\n' '; touch ${C}'`, 'a semicolon in single quotes'),
    one(`echo "\\$(touch ${C})"`, 'an escaped $ in double quotes'),
    one(`echo "\\\`touch ${C}\\\`"`, 'escaped backticks in double quotes'),
    one(`x='$(touch ${C})'; echo "$x"`, 'an expansion result is not parsed again'),
    one(`echo "$(printf '%s' '$(touch ${C})')"`, 'a substitution result is not parsed again'),
    one(`cat <<'EOF'\n$(touch ${C})\n\`touch ${C}\`\nEOF`, 'a quoted here-document'),
    one(`echo '"; touch ${C}; echo "'`, 'double-quote breakout attempt inside single quotes'),
    one(`echo "'; touch ${C}; echo '"`, 'single-quote breakout attempt inside double quotes'),
    one(`echo $'\\x24(touch ${C})'`, 'ANSI-C escapes make text, not code'),
    one(`echo a # ; touch ${C}`, 'a comment'),
    one(`: '\n'touch ${C}'\n'`, 'newlines inside single quotes'),
    one(`echo 'it'"'"'s'`, "the '\"'\"' idiom"),
    one(`echo "double \\"quotes\\" inside"`, 'escaped double quotes'),
    one(`echo $'tab\\there\\nnewline'`, 'ANSI-C quoting'),
    one('echo "unicode: ジョブ 😀 é ü ‮rtl"', 'unicode and an RTL override'),
    one(`printf '%s\\n' "a  b" 'c\\d' "e\\$f"`, 'spacing and backslashes'),
    one('echo `echo backtick-ran`', 'legitimate backticks run'),
    one('echo $(echo subst-ran)', 'legitimate substitution runs'),
    one('echo $((6*7))', 'arithmetic'),
    one('for i in 1 2 3; do echo "n$i"; done', 'a loop'),
    one('echo one\necho two\n\necho three', 'several lines'),
    one(`echo 'a;b' && echo "c|d" || echo never`, 'operators and quoted operators'),
    one('echo ${HOME:+home-is-set}', 'parameter expansion'),
    one(`f() { echo "in f: $1"; }; f 'arg with spaces'`, 'a function'),
    one(`echo '\\\\'`, 'backslashes in single quotes'),
    one('echo "!bang !!"', 'no history expansion'),
    one(`echo '#not a comment'`, 'a hash in quotes'),
    one('echo partial; exit 7', 'a non-zero exit status'),
    one('echo to-stderr >&2; echo to-stdout', 'stderr and stdout'),
    one(`echo -- -n; echo -e 'x\\ty'`, 'dashes'),
    one(`a='x"y'"'"'z'; echo "$a"`, 'mixed quotes in a variable'),
    one(`echo "${'y'.repeat(20_000)}"`, 'a 20 KB word'),
    one('echo "[$1][$2][$#]"', 'no positional parameters'),
    one(`echo '%s %d %n %%'`, 'printf-like text'),
    one('echo "tmux-special: a.b:c %1 @2 {last}"', 'tmux target syntax as text'),
    one('echo "../../etc/passwd"', 'a path as text'),
    one('cd /tmp && pwd', 'cd'),
    one('set -- a b c; echo $#', 'set --'),
    one('IFS=,; x="p,q"; echo $x', 'IFS'),
    one(' echo leading-space', 'a leading space'),
    one(`printf '%b\\n' '\\x41\\x42'`, 'printf %b'),
    one(': $(echo hidden); echo after', 'a discarded substitution'),
    one('echo "line1\\nline2"', 'echo without -e'),
    one(`echo $'\\x01\\x02' | od -An -c`, 'control characters'),
    one(`touch ${legit} && echo made-legit`, 'a command that legitimately creates a file'),
    { argv: ['echo', `'$(touch ${C})'`], why: 'several words: quotes in a word survive the join' },
    { argv: ['printf', "'%s|'", 'a', 'b', "'c d'"], why: 'several words joined with spaces' },
    { argv: ['echo', '"$((1+2))"', "'$((1+2))'"], why: 'several words with quoting' },
    { argv: ['bash', '-c', `'echo "$0" "$1"'`, 'zero', "'o n e'"], why: 'a nested bash -c' },
  ];
}
