import { errorMessage } from '../core/errors';
import type { Placement } from '../core/hosts/placement';
import type { CloudJobs } from './context';

/**
 * `auto` in VS Code (PRODUCT.md §6), as `orch run --host auto` does: every tmux host of the set is
 * asked at once for its active jobs and its load, through the engines the tree already holds.
 */
export async function placeRun(ctx: CloudJobs, gpus = 0): Promise<Placement> {
  const set = await ctx.config.hosts();
  // Loaded on first use, like the rest of the core (lazyCore.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { placeAmong } = require('../core/hosts/placeJob') as typeof import('../core/hosts/placeJob');
  return placeAmong(
    set.hosts,
    async (h) => {
      try {
        const engine = await ctx.jobs.engine(h.name);
        if (!engine.probe) return { error: 'this engine cannot report its load' };
        const [active, probe] = await Promise.all([engine.status(), engine.probe()]);
        return { value: { active, probe } };
      } catch (e) {
        return { error: errorMessage(e).replace(/\.$/, '') };
      }
    },
    gpus,
  );
}
