// Just enough shell syntax to profile a command line: split it into simple commands at
// `&&`, `||`, `;`, `|`, `&` and newlines (outside quotes), split each into words, drop
// redirections and the wrappers that do not change what runs (env, sudo, nohup, ...).
// It is a heuristic for routing, not a shell parser; anything it does not understand
// simply stays unknown, which routes to cloud.

export interface SimpleCommand {
  /** Words with quotes removed, wrappers and redirections dropped, the program's path stripped. */
  words: string[];
  /** The same words with the program as written (`bin/report`, `./gradlew`). */
  written: string[];
  /** Ended by a single `&`: runs in the background, alongside what follows. */
  background: boolean;
}

/** Splits at control operators outside quotes. */
function splitOperators(line: string): { text: string; background: boolean }[] {
  const out: { text: string; background: boolean }[] = [];
  let cur = '';
  let quote: '"' | "'" | undefined;
  const push = (background: boolean) => {
    out.push({ text: cur, background });
    cur = '';
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"' && i + 1 < line.length) {
        cur += c + line[++i];
        continue;
      }
      if (c === quote) quote = undefined;
      cur += c;
      continue;
    }
    if (c === '\\' && i + 1 < line.length) {
      cur += c + line[++i];
      continue;
    }
    if (c === '"' || c === "'") {
      quote = c;
      cur += c;
      continue;
    }
    const next = line[i + 1];
    const prev = line[i - 1];
    if ((c === '&' && next === '&') || (c === '|' && next === '|')) {
      push(false);
      i++;
    } else if (c === '|') {
      if (next === '&') i++;
      push(false);
    } else if (c === ';' || c === '\n') {
      push(false);
    } else if (c === '&' && prev !== '>' && prev !== '<' && next !== '>') {
      push(true);
    } else {
      cur += c;
    }
  }
  push(false);
  return out.filter((s) => s.text.trim() !== '');
}

/** Splits one simple command into words, removing quotes. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let cur: string | undefined;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur = (cur ?? '') + text[++i];
      else cur = (cur ?? '') + c;
    } else if (c === '"' || c === "'") {
      quote = c;
      cur = cur ?? '';
    } else if (c === '\\' && i + 1 < text.length) {
      cur = (cur ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (cur !== undefined) words.push(cur);
      cur = undefined;
    } else {
      cur = (cur ?? '') + c;
    }
  }
  if (cur !== undefined) words.push(cur);
  return words;
}

const REDIRECT_ALONE = /^\d*(>>?|<<?<?|&>>?|>&|<&)$/;
const REDIRECT_ATTACHED = /^\d*(>>?|<<?<?|&>>?|>&|<&)\S+$/;

function dropRedirections(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (REDIRECT_ALONE.test(words[i])) i++;
    else if (!REDIRECT_ATTACHED.test(words[i])) out.push(words[i]);
  }
  return out;
}

const ASSIGNMENT = /^[A-Za-z_][A-Za-z0-9_]*=/;
/** Wrappers that run the rest of the words as the real command; value = options taking an argument. */
const WRAPPERS: Record<string, string[]> = {
  env: ['-u', '--unset', '-C', '--chdir', '-S'],
  sudo: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T'],
  doas: ['-u', '-C'],
  nohup: [],
  time: ['-f', '-o'],
  nice: ['-n'],
  ionice: ['-c', '-n', '-p'],
  exec: ['-a'],
  command: [],
  builtin: [],
  stdbuf: [],
  npx: ['-p', '--package'],
  bunx: [],
  caffeinate: ['-t', '-w'],
};

/** Removes leading assignments and wrappers (`env X=1 sudo -u me nohup cmd` → `cmd`). */
function unwrap(words: string[]): string[] {
  let w = words.filter((x) => x !== '(' && x !== ')' && x !== '{' && x !== '}');
  for (;;) {
    while (w.length > 1 && ASSIGNMENT.test(w[0])) w = w.slice(1);
    const head = basename(w[0] ?? '');
    if (head === 'timeout' && w.length > 2) {
      let i = 1;
      while (i < w.length && w[i].startsWith('-')) i += w[i] === '-s' || w[i] === '-k' ? 2 : 1;
      w = w.slice(i + 1); // the duration
      continue;
    }
    const takesArg = WRAPPERS[head];
    if (takesArg === undefined || w.length < 2) break;
    let i = 1;
    while (i < w.length && (w[i].startsWith('-') || (head === 'env' && ASSIGNMENT.test(w[i])))) {
      i += takesArg.includes(w[i]) ? 2 : 1;
    }
    if (i >= w.length) break; // `env` alone prints the environment: keep it as the command
    w = w.slice(i);
  }
  return w;
}

function basename(word: string): string {
  const slash = word.lastIndexOf('/');
  return slash >= 0 && slash < word.length - 1 ? word.slice(slash + 1) : word;
}

/** The simple commands of a command line; `bash -c '...'` is opened up and profiled inside. */
export function simpleCommands(line: string, depth = 0): SimpleCommand[] {
  const out: SimpleCommand[] = [];
  for (const part of splitOperators(line)) {
    const written = unwrap(dropRedirections(splitWords(part.text)));
    if (written.length === 0) continue;
    const words = [basename(written[0]), ...written.slice(1)];
    const inner = /^(bash|sh|zsh|dash)$/.test(words[0]) ? words.findIndex((x) => /^-[a-z]*c[a-z]*$/.test(x)) : -1;
    if (inner > 0 && inner + 1 < words.length && depth < 3) {
      out.push(...simpleCommands(words[inner + 1], depth + 1).map((c) => ({ ...c, background: c.background || part.background })));
      continue;
    }
    out.push({ words, written, background: part.background });
  }
  return out;
}
