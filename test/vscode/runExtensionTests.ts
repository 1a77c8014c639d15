/**
 * `npm run test:vscode`: the extension's integration suite in the real VS Code extension host
 * (code-server), against the real OpenSSH sshd and tmux. Two runs: a trusted workspace (the
 * full suite) and an untrusted one (Restricted Mode). Exit code = result.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../integration/harness/sshd';
import { startSlurm } from '../integration/harness/slurm';
import { startTestBoxEnv, type TestBoxEnv } from './harness/ec2Box';
import { buildExtension, buildSuite, REPO } from './harness/build';
import { startCodeServer } from './harness/codeServer';
import { runInExtensionHost } from './harness/extensionHost';
import { toolsOrExit, type WorkbenchTools } from './harness/tools';
import { makeWorkspace } from './harness/workspace';
import { suiteEnv } from './harness/suiteEnv';

async function runSuite(tools: WorkbenchTools, dir: string, suite: 'main' | 'restricted', sshd: TestSshd, second: TestSshd, testsPath: string, box: TestBoxEnv): Promise<number> {
  const sdir = join(dir, suite);
  const folder = makeWorkspace(sdir, sshd);
  const uiBridgeDir = join(sdir, 'ui-bridge');
  mkdirSync(uiBridgeDir, { recursive: true });
  const server = await startCodeServer(tools, {
    dir: sdir,
    trust: suite === 'restricted',
    smokeTestDriver: true,
    env: {
      ...suiteEnv(sdir, suite, folder, sshd, second, box),
      ORCH_UI_BRIDGE: uiBridgeDir,
    },
  });
  try {
    console.log(`\n=== ${suite} suite: code-server ${server.url} folder ${folder}`);
    const code = await runInExtensionHost(tools, server, { extensionPath: REPO, testsPath, folder, timeoutMs: 480_000, uiBridgeDir, hostControl: { kill: () => sshd.kill(), restart: () => sshd.restart() } });
    console.log(`=== ${suite} suite: exit code ${code}`);
    return code;
  } finally {
    await server.stop();
  }
}

async function main(): Promise<number> {
  const tools = toolsOrExit('test:vscode');
  const dir = mkdtempSync(join(tmpdir(), 'orch-vscode-it-'));
  await buildExtension();
  const testsPath = await buildSuite();
  // The second server is also a Slurm login node (hosts.test.ts names it with kind: slurm).
  const slurm = await startSlurm();
  const [sshd, second] = await Promise.all([startSshd(), startSshd({ extraConfig: slurm.sshdConfigLines() })]);
  const box = await startTestBoxEnv(dir);
  try {
    const only = process.env.ORCH_VSCODE_SUITES?.split(',') ?? ['main', 'restricted'];
    let failed = 0;
    for (const suite of ['main', 'restricted'] as const) {
      if (only.includes(suite) && (await runSuite(tools, dir, suite, sshd, second, testsPath, box)) !== 0) failed++;
    }
    if (only.includes('restricted')) {
      // Restricted Mode must not have reached the host at all.
      const probe = await sshd.runAsUser(`test ! -e ${sshd.config().logRoot}/restricted-must-not-run`);
      if (probe.code !== 0) {
        console.error('FAIL: a job was started on the host from an untrusted workspace');
        failed++;
      }
    }
    return failed ? 1 : 0;
  } finally {
    await box.close();
    await Promise.all([sshd.stop(), second.stop()]);
    await slurm.stop();
    if (!process.env.KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
