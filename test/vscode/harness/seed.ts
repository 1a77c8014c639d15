/** Jobs that already ran on the test host before the user opens VS Code (for a realistic tree). */
import { createEngine } from '../../../src/core/engine/engine';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import type { TestSshd } from '../../integration/harness/sshd';

export async function seedJobs(sshd: TestSshd): Promise<void> {
  const config = sshd.config();
  const engine = createEngine(config, createSshTarget(config));
  try {
    await engine.run({ name: 'demo-backfill-20261121-0842', command: 'echo "backfilled 120000 rows"', route: 'cloud — aggregation' });
    await engine.run({ name: 'demo-train-20261121-0910', command: 'echo "CUDA out of memory" >&2; exit 1', route: 'cloud — llm_or_embedding' });
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const jobs = await engine.list();
      if (jobs.length >= 2 && jobs.every((j) => j.state === 'DONE' || j.state === 'FAILED')) return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error('seeded jobs did not finish within 20 s');
  } finally {
    await engine.close();
  }
}
