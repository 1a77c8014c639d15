/**
 * A subset of `ssh_config(5)` for machines without OpenSSH's client (where `ssh -G` cannot do
 * the resolution for us): `Host` blocks with `*`, `?` and `!` patterns, and the keywords the
 * transport uses. As in OpenSSH, the first value obtained for a keyword wins, except
 * `IdentityFile`, which accumulates. `Match` blocks are not evaluated (treated as not matching).
 */

export interface SshConfigValues {
  hostname?: string;
  user?: string;
  port?: string;
  identityfile: string[];
  proxyjump?: string;
  identityagent?: string;
  userknownhostsfile?: string;
}

const SINGLE = ['hostname', 'user', 'port', 'proxyjump', 'identityagent', 'userknownhostsfile'] as const;
type SingleKey = (typeof SINGLE)[number];

/** Values that apply to `host` in the config text. */
export function parseSshConfig(text: string, host: string): SshConfigValues {
  const out: SshConfigValues = { identityfile: [] };
  let active = true; // lines before the first Host apply to every host
  for (const raw of text.split(/\r?\n/)) {
    const words = splitLine(raw);
    if (words.length === 0) continue;
    const key = words[0]!.toLowerCase();
    const args = words.slice(1);
    if (key === 'host') {
      active = hostMatches(args, host);
      continue;
    }
    if (key === 'match') {
      active = args.length === 1 && args[0]!.toLowerCase() === 'all';
      continue;
    }
    if (!active || args.length === 0) continue;
    if (key === 'identityfile') out.identityfile.push(args[0]!);
    else if ((SINGLE as readonly string[]).includes(key) && out[key as SingleKey] === undefined) {
      out[key as SingleKey] = key === 'userknownhostsfile' ? args.join(' ') : args[0]!;
    }
  }
  return out;
}

/** `Host` line semantics: any positive pattern matches and no negated pattern matches. */
export function hostMatches(patterns: string[], host: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (globMatch(p.slice(1), host)) return false;
    } else if (globMatch(p, host)) {
      matched = true;
    }
  }
  return matched;
}

/** `*` any run of characters, `?` exactly one; case-insensitive like host names. */
export function globMatch(pattern: string, text: string): boolean {
  const re = new RegExp(
    '^' +
      pattern
        .split('')
        .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
        .join('') +
      '$',
    'i',
  );
  return re.test(text);
}

/** Splits `Key value`, `Key=value` and `Key "quoted value"`; drops comments. */
function splitLine(line: string): string[] {
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return [];
  const m = /^([A-Za-z][A-Za-z0-9]*)\s*(?:=\s*|\s+)(.*)$/.exec(trimmed);
  if (!m) return [trimmed];
  const words = [m[1]!];
  const re = /"([^"]*)"|(\S+)/g;
  let w: RegExpExecArray | null;
  while ((w = re.exec(m[2]!)) !== null) {
    if (w[2]?.startsWith('#')) break;
    words.push(w[1] ?? w[2]!);
  }
  return words;
}

/** Lines of `ssh -G` output as keyword → values (keywords lower-case, repeated ones kept). */
export function parseSshG(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const i = line.indexOf(' ');
    if (i <= 0) continue;
    const key = line.slice(0, i).toLowerCase();
    const list = out.get(key) ?? [];
    list.push(line.slice(i + 1));
    out.set(key, list);
  }
  return out;
}

/** Expands the `%` tokens OpenSSH allows in IdentityFile / IdentityAgent, and a leading `~`. */
export function expandTokens(value: string, t: { home: string; host: string; hostname: string; port: number; user: string; localUser: string; localHost: string }): string {
  let v = value.replace(/%([%dhnprlu])/g, (_, c: string) => {
    switch (c) {
      case '%':
        return '%';
      case 'd':
        return t.home;
      case 'h':
        return t.hostname;
      case 'n':
        return t.host;
      case 'p':
        return String(t.port);
      case 'r':
        return t.user;
      case 'u':
        return t.localUser;
      default:
        return t.localHost; // %l
    }
  });
  if (v === '~' || v.startsWith('~/') || v.startsWith('~\\')) v = t.home + v.slice(1);
  return v;
}
