/**
 * Child process of syncEncoding.test.ts: one workspace sync as a laptop with its own PATH makes it
 * (findZstd looks at the PATH once per process), and without Node's own zstd. Prints one JSON
 * line: what the sync returned or its error, and the streams it sent.
 */
import { syncBuiltinESMExports } from 'node:module';
import { createSshTarget } from '../../../src/core/ssh/sshTarget';
import { syncWorkspace } from '../../../src/core/transfer';
import type { OrchConfig } from '../../../src/core/config/types';
import { recordingTarget } from './recordingTarget';
import { streamsIn } from './sentStreams';

// A Node whose zlib has zstd is made one without: this child is the laptop that lacks it. The
// module object itself (its property is read-only but configurable), then the ESM views of it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
Object.defineProperty(require('node:zlib'), 'createZstdCompress', { value: undefined });
syncBuiltinESMExports();

async function main(): Promise<void> {
  const real = createSshTarget(JSON.parse(process.env.CHILD_CONFIG!) as OrchConfig);
  const { target, stdins } = recordingTarget(real);
  try {
    const result = await syncWorkspace(target, process.env.CHILD_WS!, process.env.CHILD_WORKDIR!);
    process.stdout.write(JSON.stringify({ result, sent: streamsIn(stdins) }) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: (e as Error).message, sent: streamsIn(stdins) }) + '\n');
  } finally {
    await real.close();
  }
}
void main();
