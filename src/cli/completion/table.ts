import type { OptionSpec } from '../args';
import type { Command, Operands } from '../command';

/**
 * The data the completion scripts read: one line per command,
 *   name|options|options taking a value|options taking a list|operands
 * (lists space-separated; operands: none, files, job, active-job, new-job, or words:a,b,c),
 * and a first line `@global|<global options>|||words:<commands>`. The scripts themselves
 * (orch.bash, orch.zsh, orch.fish) are fixed text that parse this table, so the shell code is
 * linted and tested as it ships and only data is generated.
 */
export function completionTable(commands: readonly Command[]): string {
  const visible = commands.filter((c) => !c.hidden).map((c) => c.name);
  const lines = [`@global|--help -h --version -V --debug|||words:${visible.join(',')}`];
  for (const c of commands) lines.push(row(c.name, c.options ?? {}, c.operands ?? 'files'));
  const table = lines.join('\n');
  // the table is pasted between single quotes in three shells: only these characters are safe
  if (!/^[\w@|:,\n -]*$/.test(table)) throw new Error(`completion table has a character the scripts cannot quote: ${table}`);
  return table;
}

function row(name: string, specs: Record<string, OptionSpec>, operands: Operands): string {
  const all: string[] = [];
  const valued: string[] = [];
  const lists: string[] = [];
  for (const [long, spec] of Object.entries(specs)) {
    const forms = [`--${long}`, ...(spec.short ? [`-${spec.short}`] : [])];
    all.push(...forms);
    if (spec.kind === 'string' || spec.kind === 'repeat') valued.push(...forms);
    if (spec.kind === 'list') lists.push(...forms);
  }
  all.push('--help');
  const ops = typeof operands === 'string' ? operands : `words:${operands.words.join(',')}`;
  return [name, all.join(' '), valued.join(' '), lists.join(' '), ops].join('|');
}
