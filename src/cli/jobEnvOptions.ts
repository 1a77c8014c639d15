import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { ParsedArgs } from './args';
import type { CliIO } from './command';
import { UserError } from '../core/errors';
import { envFromFile, envFromWord, type JobEnv } from '../core/secrets/jobEnv';

/** `--env` and `--env-file` of `run` and `cloud-run` (one value each, repeatable). */
export const JOB_ENV_OPTIONS = {
  env: { kind: 'repeat' as const },
  'env-file': { kind: 'repeat' as const },
};

export const JOB_ENV_HELP = [
  '  --env NAME        pass NAME, with its value from this environment, to the job (repeatable);',
  '                    the value travels on stdin into a 0600 file deleted when the job ends,',
  '                    never into cmd.sh, meta.json, the tree or any command line',
  '  --env NAME=VALUE  the same with the value given here (it is then in your shell history)',
  '  --env-file F      NAME=VALUE lines of F (# comments; quotes as in bash; repeatable)',
];

/** The job's secret variables: the files first, then each --env in order (later wins). */
export async function jobEnvOf(io: CliIO, options: ParsedArgs['options']): Promise<JobEnv | undefined> {
  const files = (options['env-file'] as string[] | undefined) ?? [];
  const words = (options.env as string[] | undefined) ?? [];
  if (!files.length && !words.length) return undefined;
  const env: JobEnv = {};
  for (const f of files) {
    const text = await readFile(path.resolve(io.cwd, f), 'utf8').catch((e: NodeJS.ErrnoException) => {
      throw new UserError(`--env-file ${f}: cannot read it (${e.code ?? e.message}).`, { exitCode: 2 });
    });
    Object.assign(env, envFromFile(text, f, io.env));
  }
  for (const w of words) {
    const [name, value] = envFromWord(w, io.env);
    env[name] = value;
  }
  return env;
}
