/**
 * Secret variables for a job (PRODUCT.md §9): what `--env NAME`, `--env NAME=VALUE` and
 * `--env-file F` mean, and how the values travel to the host (src/host/lib/secrets.sh). Every
 * error names a variable or a file line, never a value.
 */
import { UserError, usageError } from '../errors';
import { parseEnvText } from '../config/envFile';

/** Variable name → value. */
export type JobEnv = Record<string, string>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The host's runner sets these itself, and a login shell needs the others as they are. */
const RESERVED = new Set(['PYTHONUNBUFFERED', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'PATH', 'PWD', 'TMUX']);

export function checkEnvName(name: string, where = '--env'): void {
  if (!NAME.test(name)) throw usageError(`${where}: "${name}" is not a variable name (letters, digits and "_", not starting with a digit).`);
  if (RESERVED.has(name)) throw usageError(`${where}: ${name} is set by the host for every job; it cannot be given with --env.`);
}

/** One `--env` word: `NAME` takes the value from `local` (this process's environment). */
export function envFromWord(word: string, local: Record<string, string | undefined>): [string, string] {
  const eq = word.indexOf('=');
  const name = eq < 0 ? word : word.slice(0, eq);
  checkEnvName(name);
  if (eq >= 0) return [name, word.slice(eq + 1)];
  const value = local[name];
  if (value === undefined) throw usageError(`--env ${name}: ${name} is not set in this environment; set it, or give --env ${name}=VALUE or --env-file F.`);
  return [name, value];
}

/**
 * An env file (`NAME=VALUE` lines, `#` comments, quotes as in bash; read, never run). A line it
 * cannot read is reported by file and line only: the line may hold a secret.
 */
export function envFromFile(text: string, file: string, local: Record<string, string | undefined>): JobEnv {
  let values: Record<string, string>;
  try {
    values = parseEnvText(text, { file, env: local }).values;
  } catch (e) {
    const at = e instanceof UserError ? /^(.*?:\d+):/.exec(e.message)?.[1] : undefined;
    throw usageError(`--env-file ${at ?? file}: not a NAME=VALUE line as bash would read it (the line is not shown: it may hold a secret).`);
  }
  for (const name of Object.keys(values)) checkEnvName(name, `--env-file ${file}`);
  return values;
}

/** The text of the run call's `env` field: NAME=VALUE lines, `\` as `\\` and a newline as `\n` (printf %b undoes it). */
export function encodeJobEnv(env: JobEnv): string {
  return Object.entries(env)
    .map(([name, value]) => {
      checkEnvName(name);
      if (value.includes('\0')) throw usageError(`--env ${name}: the value contains a NUL character, which an environment cannot carry.`);
      return `${name}=${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`;
    })
    .join('');
}
