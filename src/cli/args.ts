import { usageError } from '../core/errors';

/**
 * How one option is read. `list` collects the words that follow until the next option;
 * `repeat` takes one value each time it is given (`--env A --env B`).
 */
/** `optional`: `--x` alone is true, `--x=VALUE` gives the value (never the next word). */
export type OptionKind = 'boolean' | 'string' | 'list' | 'repeat' | 'optional';

export interface OptionSpec {
  kind: OptionKind;
  /** One-letter alias without the dash, e.g. 'f' for -f. */
  short?: string;
}

export interface ParsedArgs {
  options: Record<string, boolean | string | string[] | undefined>;
  positionals: string[];
  /** Words after the command boundary (see `positionalsBeforeRest`), untouched. */
  rest: string[];
}

/**
 * Parses `argv` against `specs`. When `positionalsBeforeRest` is set, parsing stops after that
 * many positionals and every later word goes to `rest` verbatim: `orch run NAME cmd --flag`
 * gives `--flag` to the command, never to orch (as `ssh host cmd...` does). A bare `--` ends
 * option parsing. A `list` option takes the words after it up to the next option.
 */
export function parseArgs(
  argv: readonly string[],
  specs: Record<string, OptionSpec>,
  positionalsBeforeRest?: number,
): ParsedArgs {
  const options: ParsedArgs['options'] = {};
  const positionals: string[] = [];
  const byShort = new Map<string, string>();
  for (const [name, spec] of Object.entries(specs)) if (spec.short) byShort.set(spec.short, name);

  let i = 0;
  const restFrom = (k: number): ParsedArgs => ({ options, positionals, rest: argv.slice(k) });
  while (i < argv.length) {
    const word = argv[i];
    if (positionalsBeforeRest !== undefined && positionals.length >= positionalsBeforeRest) return restFrom(i);
    if (word === '--') {
      // `--` ends options; with a rest boundary the remaining positionals still come first,
      // so `orch run --data-dirs a b -- NAME cmd...` works.
      const after = argv.slice(i + 1);
      if (positionalsBeforeRest === undefined) return { options, positionals: [...positionals, ...after], rest: [] };
      const need = Math.max(0, positionalsBeforeRest - positionals.length);
      return { options, positionals: [...positionals, ...after.slice(0, need)], rest: after.slice(need) };
    }
    if (!word.startsWith('-') || word === '-') {
      positionals.push(word);
      i++;
      continue;
    }
    let name: string;
    let inline: string | undefined;
    if (word.startsWith('--')) {
      const eq = word.indexOf('=');
      name = eq >= 0 ? word.slice(2, eq) : word.slice(2);
      inline = eq >= 0 ? word.slice(eq + 1) : undefined;
    } else {
      const long = byShort.get(word.slice(1));
      if (!long) throw usageError(`Unknown option ${word}; see --help.`);
      name = long;
    }
    const spec = specs[name];
    if (!spec) throw usageError(`Unknown option --${name}; see --help.`);
    i++;
    if (spec.kind === 'optional') {
      options[name] = inline ?? true;
    } else if (spec.kind === 'boolean') {
      if (inline !== undefined) throw usageError(`Option --${name} takes no value.`);
      options[name] = true;
    } else if (spec.kind === 'string' || spec.kind === 'repeat') {
      const value = inline ?? argv[i++];
      if (value === undefined) throw usageError(`Option --${name} needs a value.`);
      options[name] = spec.kind === 'string' ? value : [...((options[name] as string[] | undefined) ?? []), value];
    } else {
      const values = (options[name] as string[] | undefined) ?? [];
      if (inline !== undefined) values.push(inline);
      while (i < argv.length && !argv[i].startsWith('-')) {
        values.push(argv[i++]);
      }
      if (values.length === 0) throw usageError(`Option --${name} needs at least one value.`);
      options[name] = values;
    }
  }
  return { options, positionals, rest: [] };
}

/** Reads a non-negative number option, or throws a usage error naming it. */
export function numberOption(value: unknown, name: string, opts: { integer?: boolean; min?: number } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const min = opts.min ?? 0;
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n) || n < min || (opts.integer && !Number.isInteger(n))) {
    throw usageError(`--${name} must be ${opts.integer ? 'an integer' : 'a number'} >= ${min}, got "${String(value)}".`);
  }
  return n;
}
