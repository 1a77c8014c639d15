import * as path from 'node:path';
import { access, chmod, constants, readFile } from 'node:fs/promises';
import { UserError } from '../errors';
import { isFile } from '../fsProbe';

export interface KitSearch {
  workspaceRoot: string;
  /** Set explicitly (`--kit`, a setting): the only place looked at. */
  explicit?: string;
  /** `ORCHESTRATION_KIT_ROOT` (environment, or the kit env file). */
  orchestrationKitRoot?: string;
}

/** The places `findKit` looks, in order. */
export function kitCandidates(search: KitSearch): string[] {
  if (search.explicit) return [path.resolve(search.workspaceRoot, search.explicit)];
  const places = [path.join(search.workspaceRoot, 'experiment.sh')];
  if (search.orchestrationKitRoot) {
    places.push(path.resolve(search.workspaceRoot, search.orchestrationKitRoot, 'research-kit', 'experiment.sh'));
  }
  return places;
}

/** The research kit's `experiment.sh`; a UserError naming every place looked at when there is none. */
export async function findKit(search: KitSearch): Promise<string> {
  const places = kitCandidates(search);
  for (const p of places) if (await isFile(p)) return p;
  const looked = places.join(', ');
  const hint = search.explicit
    ? ''
    : search.orchestrationKitRoot
      ? ' Set the kit with --kit PATH (in VS Code: the cloudJobs.experimentScript setting).'
      : ' Set ORCHESTRATION_KIT_ROOT, or the kit with --kit PATH (in VS Code: the cloudJobs.experimentScript setting).';
  throw new UserError(`No research kit found: looked for experiment.sh at ${looked}.${hint}`, { exitCode: 2 });
}

/**
 * This project's `cloud-run` bin, by an absolute path that works from any working directory:
 * `override` when given (must be executable), else `bin/cloud-run` of the package this code was
 * loaded from (the bundle in dist/, or the sources under tsx).
 */
export async function findCloudRun(override?: string): Promise<string> {
  if (override) {
    const p = path.resolve(override);
    if (!(await isExecutable(p))) throw new UserError(`cloud-run override ${p} is not an executable file.`, { exitCode: 2 });
    return p;
  }
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'bin', 'cloud-run');
    if ((await isOwnPackage(dir)) && (await isFile(candidate))) {
      // an installed .vsix may not keep the bins' executable bits
      for (const bin of ['cloud-run', 'orch']) await makeExecutable(path.join(dir, 'bin', bin));
      if (await isExecutable(candidate)) return candidate;
    }
    const up = path.dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  throw new UserError(`Cannot find this package's bin/cloud-run above ${__dirname}; set ORCH_CLOUD_RUN to its path.`);
}

async function makeExecutable(p: string): Promise<void> {
  if ((await isFile(p)) && !(await isExecutable(p))) await chmod(p, 0o755).catch(() => undefined);
}

async function isOwnPackage(dir: string): Promise<boolean> {
  try {
    const pkg = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as { bin?: Record<string, string> };
    return typeof pkg.bin?.['cloud-run'] === 'string';
  } catch {
    return false;
  }
}


export async function isExecutable(p: string): Promise<boolean> {
  if (!(await isFile(p))) return false;
  try {
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
