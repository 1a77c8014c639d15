import { readFile } from 'node:fs/promises';
import { UserError } from '../errors';

/**
 * Reader for bash-style env files (`scripts/cloud/.env`, `.orchestration-kit.env`).
 *
 * The files are written for `source` in bash, so we read them the way bash would assign them,
 * but we only ever *interpret* them: nothing is executed. Anything that would make bash run a
 * command (`$(...)`, backticks, `;`, pipes, redirections) is refused with the file and line.
 * `~` is kept literally (bash would expand it at assignment): whether `~` means the local or the
 * remote home is decided per key by the config resolver.
 */
export interface EnvFileResult {
  values: Record<string, string>;
  /** 1-based line of each key's last assignment. */
  lines: Record<string, number>;
}

export type EnvLookup = Record<string, string | undefined>;

const NAME_START = /[A-Za-z_]/;
const NAME_CHAR = /[A-Za-z0-9_]/;
const SPECIAL_PARAMS = '0123456789@*#?$!-';
const SHELL_OPERATORS = ';&|<>()';

export function parseEnvText(text: string, opts: { file: string; env: EnvLookup }): EnvFileResult {
  return new EnvParser(text, opts.file, opts.env).parse();
}

/** Reads and parses an env file; undefined when the file does not exist. */
export async function readEnvFile(file: string, env: EnvLookup): Promise<EnvFileResult | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UserError(`Could not read ${file}: ${(e as Error).message}.`, { cause: e });
  }
  return parseEnvText(text, { file, env });
}

class EnvParser {
  private readonly src: string;
  private pos = 0;
  private line = 1;
  private readonly values: Record<string, string> = {};
  private readonly lines: Record<string, number> = {};
  /** The key being assigned, for messages. */
  private key = '';

  constructor(
    text: string,
    private readonly file: string,
    private readonly env: EnvLookup,
  ) {
    // A BOM and Windows line ends would otherwise end up inside the first key and every value.
    this.src = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n');
  }

  parse(): EnvFileResult {
    while (!this.eof()) {
      this.skipBlanks();
      const c = this.peek();
      if (c === undefined) break;
      if (c === '\n') {
        this.advance();
      } else if (c === '#') {
        this.skipComment();
      } else {
        this.statement();
      }
    }
    return { values: this.values, lines: this.lines };
  }

  /** One line of assignments: `[export] KEY=value [KEY=value...] [# comment]`. */
  private statement(): void {
    const startLine = this.line;
    let exported = false;
    if (this.src.startsWith('export', this.pos) && /[ \t]/.test(this.src[this.pos + 6] ?? '')) {
      this.pos += 6;
      this.skipBlanks();
      exported = true;
    }
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined || c === '\n') return;
      if (c === '#') return this.skipComment();
      const name = this.readName();
      if (name === undefined || this.peek() !== '=') {
        // `export KEY` only marks a variable for export: nothing to assign.
        if (exported && name !== undefined && /^[ \t\n#]?$/.test(this.peek() ?? '')) {
          this.skipBlanks();
          continue;
        }
        this.notAnAssignment(name, first);
      }
      this.advance(); // '='
      this.key = name;
      const value = this.readWord('top');
      // defineProperty: a key like `__proto__` is data here, never the object's prototype.
      define(this.values, name, value);
      define(this.lines, name, startLine);
      first = false;
      this.skipBlanks();
    }
  }

  private notAnAssignment(name: string | undefined, first: boolean): never {
    const rest = this.restOfLine();
    if (!first) {
      this.fail(`the value of ${this.key} contains an unquoted space; put the whole value in quotes`);
    }
    if (name !== undefined && /^[ \t]+=/.test(rest)) {
      this.fail(`"${name}" is followed by a space; write ${name}=value with no spaces around "="`);
    }
    const before = rest.split('=')[0];
    if (rest.includes('=') && !/[ \t]/.test((name ?? '') + before)) {
      this.fail(`"${(name ?? '') + before}" is not a valid key; use letters, digits and "_", not starting with a digit`);
    }
    const shown = ((name ?? '') + rest).trim();
    this.fail(`"${shown}" is not an assignment; write KEY=value`);
  }

  /**
   * Reads one shell word. `top`: an unquoted assignment value, ends at a blank or line end.
   * `brace`: the default of `${VAR:-default}`, ends at `}`. `braceInDouble`: the same inside
   * double quotes, where single quotes are literal (as in bash).
   */
  private readWord(ctx: 'top' | 'brace' | 'braceInDouble'): string {
    let out = '';
    const openLine = this.line;
    for (;;) {
      const c = this.peek();
      if (c === undefined) {
        if (ctx === 'top') return out;
        this.fail('"${" is never closed with "}"', openLine);
      }
      if (ctx === 'top' && (c === ' ' || c === '\t' || c === '\n')) return out;
      if (ctx !== 'top' && c === '}') {
        this.advance();
        return out;
      }
      if (c === "'" && ctx !== 'braceInDouble') {
        out += this.readSingleQuoted();
      } else if (c === '"') {
        out += this.readDoubleQuoted();
      } else if (c === '\\') {
        this.advance();
        const next = this.peek();
        if (next === undefined) out += '\\';
        else if (next === '\n') this.advance(); // line continuation
        else out += this.advance();
      } else if (c === '$') {
        out += this.readExpansion(ctx === 'braceInDouble');
      } else if (c === '`') {
        this.commandSubstitution();
      } else if (ctx === 'top' && SHELL_OPERATORS.includes(c)) {
        this.fail(`the value of ${this.key} contains an unquoted "${c}", which bash would treat as a command; put the value in quotes`);
      } else {
        out += this.advance();
      }
    }
  }

  private readSingleQuoted(): string {
    const openLine = this.line;
    this.advance();
    const end = this.src.indexOf("'", this.pos);
    if (end < 0) this.fail(`the single quote opened here is never closed`, openLine);
    const s = this.src.slice(this.pos, end);
    this.consumeTo(end + 1);
    return s;
  }

  private readDoubleQuoted(): string {
    const openLine = this.line;
    this.advance();
    let out = '';
    for (;;) {
      const c = this.peek();
      if (c === undefined) this.fail(`the double quote opened here is never closed`, openLine);
      if (c === '"') {
        this.advance();
        return out;
      }
      if (c === '\\') {
        this.advance();
        const next = this.peek();
        if (next === undefined) continue;
        if (next === '\n') this.advance();
        else if ('"\\$`'.includes(next)) out += this.advance();
        else out += '\\';
      } else if (c === '$') {
        out += this.readExpansion(true);
      } else if (c === '`') {
        this.commandSubstitution();
      } else {
        out += this.advance();
      }
    }
  }

  /** `$NAME`, `${NAME}` and `${NAME<op>word}` for op in `:- - := = :+ + :? ?`. */
  private readExpansion(inDouble: boolean): string {
    this.advance(); // '$'
    const c = this.peek();
    if (c === '(') this.commandSubstitution();
    if (c === '{') {
      this.advance();
      const name = this.readName();
      if (name === undefined) this.unsupportedExpansion();
      if (this.peek() === '}') {
        this.advance();
        return this.lookup(name) ?? '';
      }
      if (this.peek() === undefined || this.peek() === '\n') this.fail('"${" is never closed with "}"');
      const colon = this.peek() === ':';
      if (colon) this.advance();
      const op = this.peek();
      if (op === undefined || !'-=+?'.includes(op)) this.unsupportedExpansion(name);
      this.advance();
      const word = this.readWord(inDouble ? 'braceInDouble' : 'brace');
      const value = this.lookup(name);
      const missing = value === undefined || (colon && value === '');
      if (op === '+') return missing ? '' : word;
      if (op === '?' && missing) this.fail(`${name} is not set${word ? `: ${word}` : ''}`);
      // `:=` would also assign in bash; for a config file the default alone is what matters.
      return missing && op !== '?' ? word : (value ?? '');
    }
    if (c !== undefined && NAME_START.test(c)) return this.lookup(this.readName()!) ?? '';
    if (c !== undefined && SPECIAL_PARAMS.includes(c)) {
      this.fail(`"$${c}" (a shell special parameter) is not supported in an env file`);
    }
    return '$'; // a lone `$` is literal in bash too
  }

  /** Keys assigned earlier in the file win over the environment, as after `source` in bash. */
  private lookup(name: string): string | undefined {
    if (hasOwn(this.values, name)) return this.values[name];
    const v = hasOwn(this.env, name) ? this.env[name] : undefined;
    return typeof v === 'string' ? v : undefined;
  }

  private commandSubstitution(): never {
    this.fail('command substitution ("$(...)" or backticks) is not allowed in an env file, which is read, never run; use a literal value or single quotes');
  }

  private unsupportedExpansion(name?: string): never {
    const shown = name === undefined ? '${...}' : `\${${name}${this.peek() ?? ''}...}`;
    this.fail(`the expansion ${shown} is not supported; use $VAR, \${VAR}, \${VAR:-default}, \${VAR-default} or \${VAR:=default}`);
  }

  private readName(): string | undefined {
    if (!NAME_START.test(this.peek() ?? '')) return undefined;
    const start = this.pos;
    while (NAME_CHAR.test(this.peek() ?? '')) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private fail(sentence: string, line = this.line): never {
    throw new UserError(`${this.file}:${line}: ${sentence}.`, { exitCode: 2 });
  }

  private restOfLine(): string {
    const end = this.src.indexOf('\n', this.pos);
    return this.src.slice(this.pos, end < 0 ? undefined : end);
  }

  private skipBlanks(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  private skipComment(): void {
    const end = this.src.indexOf('\n', this.pos);
    this.pos = end < 0 ? this.src.length : end;
  }

  private peek(): string | undefined {
    return this.src[this.pos];
  }

  private eof(): boolean {
    return this.pos >= this.src.length;
  }

  private advance(): string {
    const c = this.src[this.pos++];
    if (c === '\n') this.line++;
    return c;
  }

  private consumeTo(end: number): void {
    while (this.pos < end) this.advance();
  }
}

function hasOwn(o: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, key);
}

function define<T>(o: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}
