import * as path from 'node:path';
import { readFile, writeFile } from 'node:fs/promises';
import { UserError } from '../errors';
import { parseEnvText, type EnvFileResult as ParsedEnv } from './envFile';
import { COMPUTE_TARGETS, type ComputeTarget } from '../jobs/where';

/** The research kit's env file, at the workspace root. */
export const KIT_ENV_FILE = '.orchestration-kit.env';

export interface ComputeTargetInfo {
  target: ComputeTarget;
  /** The env file whose line decided (absent when no line assigns COMPUTE_TARGET). */
  file?: string;
  line?: number;
  /** Where the value came from, for messages and tooltips. */
  source: string;
}

/** What the experiment flow reads from `.orchestration-kit.env` (sourced like bash would). */
export interface KitSettings {
  computeTarget: ComputeTargetInfo;
  envFile: string;
  /** `RESULTS_DIR` as written (may hold `{spec}`), if set. */
  resultsDir: string | undefined;
  /** `DATA_DIR`, default `data`. */
  dataDir: string;
  /** `MAX_GPU_HOURS`, default `4`. */
  maxGpuHours: string;
  /** `ORCHESTRATION_KIT_ROOT`, if set. */
  orchestrationKitRoot: string | undefined;
}

export function kitEnvFile(workspaceRoot: string): string {
  return path.join(workspaceRoot, KIT_ENV_FILE);
}

/**
 * The workspace's compute target. The file is read with bash semantics, so
 * `COMPUTE_TARGET="${COMPUTE_TARGET:-local}"` is the environment's value when set and non-empty,
 * else `local`; a plain `COMPUTE_TARGET=ec2` wins over the environment as `source` would make it.
 * No file or no such line: the environment's value, else `local`.
 */
export async function readComputeTarget(workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<ComputeTargetInfo> {
  const file = kitEnvFile(workspaceRoot);
  return computeTargetOf(file, await load(file, env), env);
}

interface Loaded {
  parsed: ParsedEnv;
  /** COMPUTE_TARGET as the file gives it when the environment has none: tells whether the environment decided. */
  targetWithoutEnv: string | undefined;
}

async function load(file: string, env: NodeJS.ProcessEnv): Promise<Loaded | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UserError(`Cannot read ${file}: ${(e as Error).message}.`, { cause: e });
  }
  const parsed = parseEnvText(text, { file, env });
  if (env.COMPUTE_TARGET === undefined) return { parsed, targetWithoutEnv: parsed.values.COMPUTE_TARGET };
  const { COMPUTE_TARGET: _ignored, ...rest } = env;
  return { parsed, targetWithoutEnv: parseEnvText(text, { file, env: rest }).values.COMPUTE_TARGET };
}

export async function readKitSettings(workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<KitSettings> {
  const file = kitEnvFile(workspaceRoot);
  const loaded = await load(file, env);
  const parsed = loaded?.parsed;
  const get = (key: string): string | undefined => {
    const v = parsed && key in parsed.values ? parsed.values[key] : env[key];
    return v === undefined || v === '' ? undefined : v;
  };
  const maxGpuHours = get('MAX_GPU_HOURS') ?? '4';
  if (!/^\d+(\.\d+)?$/.test(maxGpuHours) || Number(maxGpuHours) <= 0) {
    const line = parsed?.lines.MAX_GPU_HOURS;
    const [at, origin] = line === undefined ? ['', ' (from the environment)'] : [`${file}:${line}: `, ''];
    throw new UserError(`${at}MAX_GPU_HOURS must be a positive number of hours, not "${maxGpuHours}"${origin}.`, { exitCode: 2 });
  }
  return {
    computeTarget: computeTargetOf(file, loaded, env),
    envFile: file,
    resultsDir: get('RESULTS_DIR'),
    dataDir: get('DATA_DIR') ?? 'data',
    maxGpuHours,
    orchestrationKitRoot: get('ORCHESTRATION_KIT_ROOT'),
  };
}

function computeTargetOf(file: string, loaded: Loaded | undefined, env: NodeJS.ProcessEnv): ComputeTargetInfo {
  const line = loaded?.parsed.lines.COMPUTE_TARGET;
  if (loaded === undefined || line === undefined) {
    const fromEnv = env.COMPUTE_TARGET;
    if (fromEnv === undefined || fromEnv === '') return { target: 'local', source: 'default (no COMPUTE_TARGET set)' };
    return { target: checkTarget(fromEnv, '', ' (from the environment)'), source: 'COMPUTE_TARGET in the environment' };
  }
  const value = loaded.parsed.values.COMPUTE_TARGET;
  const envDecided = value !== loaded.targetWithoutEnv;
  const at = `${file}:${line}`;
  const source = envDecided ? `COMPUTE_TARGET in the environment (through ${at})` : at;
  return { target: checkTarget(value, `${at}: `, envDecided ? ' (from the environment)' : ''), file, line, source };
}

function checkTarget(value: string, prefix: string, origin = ''): ComputeTarget {
  if ((COMPUTE_TARGETS as readonly string[]).includes(value)) return value as ComputeTarget;
  throw new UserError(`${prefix}COMPUTE_TARGET must be "local" or "ec2", not "${value}"${origin}.`, { exitCode: 2 });
}

/** What Set Compute Target wrote: the new text, and what of the old value it could not keep. */
export interface ComputeTargetEdit {
  text: string;
  /**
   * `default`: the line was `"${COMPUTE_TARGET:-old}"` (the kit's form) and only its default
   * changed, so a COMPUTE_TARGET in the environment still wins; `plain`: `COMPUTE_TARGET=<target>`.
   */
  form: 'default' | 'plain';
  /** The value replaced when it was neither plain nor the kit's form (`$OTHER`, `$(cmd)`): it is gone. */
  dropped?: string;
}

/**
 * Sets the workspace's compute target the way a user would by hand (see withComputeTarget); the
 * file is created when missing. Every other line stays as it was.
 */
export async function setComputeTarget(file: string, target: ComputeTarget, options: { plain?: boolean } = {}): Promise<ComputeTargetEdit> {
  checkTarget(target, 'setComputeTarget: ');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new UserError(`Cannot read ${file}: ${(e as Error).message}.`, { cause: e });
  }
  const edit = withComputeTarget(text, target, options);
  await writeFile(file, edit.text);
  return edit;
}

/** `${COMPUTE_TARGET:-x}` (also `-`, `:=`, `=`), bare or in double quotes: the kit's "environment, else x". */
const DEFAULT_FORM = /^("?)\$\{COMPUTE_TARGET(:?[-=])([^}"'$`\\]*)\}\1$/;

/**
 * The text of an env file with its COMPUTE_TARGET set to `target` (pure). The line that assigns it
 * (the last one: the one bash keeps) keeps `export ` and a trailing comment; in the kit's form
 * `"${COMPUTE_TARGET:-local}"` only the default changes (quotes kept), so the environment still
 * decides when it sets COMPUTE_TARGET; a plain value is replaced; any other expansion is replaced
 * by the plain value and reported as dropped. Without such a line one is appended. `plain`: write
 * the plain value even over the kit's form (the user chose to override the environment).
 */
export function withComputeTarget(text: string, target: ComputeTarget, options: { plain?: boolean } = {}): ComputeTargetEdit {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.split(/\r?\n/);
  const re = /^(\s*(?:export\s+)?COMPUTE_TARGET=)(.*)$/;
  let last = -1;
  lines.forEach((l, i) => {
    if (re.test(l)) last = i;
  });
  if (last >= 0) {
    const m = re.exec(lines[last])!;
    const word = m[2].slice(0, valueLength(m[2]));
    const rest = m[2].slice(word.length);
    const kit = options.plain ? null : DEFAULT_FORM.exec(word);
    if (kit) {
      lines[last] = `${m[1]}${kit[1]}\${COMPUTE_TARGET${kit[2]}${target}}${kit[1]}${rest}`;
      return { text: lines.join(eol), form: 'default' };
    }
    lines[last] = `${m[1]}${target}${rest}`;
    const literal = /^(["']?)[A-Za-z0-9_.-]*\1$/.test(word);
    return { text: lines.join(eol), form: 'plain', ...(literal ? {} : { dropped: word }) };
  }
  if (text === '') return { text: `COMPUTE_TARGET=${target}${eol}`, form: 'plain' };
  const sep = text.endsWith('\n') ? '' : eol;
  return { text: `${text}${sep}COMPUTE_TARGET=${target}${eol}`, form: 'plain' };
}

/** Length of the shell word at the start of `s` (quotes and `${...}` included), so a comment after it survives. */
function valueLength(s: string): number {
  let i = 0;
  while (i < s.length && !/\s/.test(s[i])) {
    if (s[i] === "'" || s[i] === '"') {
      const end = s.indexOf(s[i], i + 1);
      i = end < 0 ? s.length : end + 1;
    } else if (s[i] === '$' && s[i + 1] === '{') {
      const end = s.indexOf('}', i);
      i = end < 0 ? s.length : end + 1;
    } else if (s[i] === '\\') i += 2;
    else i++;
  }
  return Math.min(i, s.length);
}
