import * as path from 'node:path';
import { isDir } from '../fsProbe';

/**
 * The workspace root for the files under `scripts/cloud/` (routing, guardrails, hosts): the
 * nearest ancestor of `cwd` that has `scripts/cloud/`, else `cwd`. Apart from the loaders so a
 * lookup does not load the YAML parser.
 */
export async function routingWorkspace(cwd: string): Promise<string> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (await isDir(path.join(dir, 'scripts', 'cloud'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}
