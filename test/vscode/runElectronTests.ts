/**
 * `npm run test:electron`: the extension-host suite in a desktop VS Code that
 * @vscode/test-electron downloads (the card's runner), for contributors with a network and a
 * display (`xvfb-run -a npm run test:electron` on a headless Linux). Same suite, same sshd and
 * workspace as `npm run test:vscode`; the tests that read the workbench's notifications through
 * the UI bridge (a browser on the page) need that runner and stay there. Offline it stops at
 * once with one sentence: CI runs the code-server runner.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests, SilentReporter } from '@vscode/test-electron';
import { startSshd, type TestSshd } from '../integration/harness/sshd';
import { startSlurm } from '../integration/harness/slurm';
import { buildExtension, buildSuite, REPO } from './harness/build';
import { WORKBENCH_SETTINGS } from './harness/codeServer';
import { suiteEnv } from './harness/suiteEnv';
import { startTestBoxEnv, type TestBoxEnv } from './harness/ec2Box';
import { makeWorkspace } from './harness/workspace';

/** Where downloaded VS Code builds are kept between runs. */
const CACHE = process.env.ORCH_ELECTRON_CACHE || join(REPO, '.vscode-test');
/** No byte for this long while downloading: give up (the library's idle timeout). */
const IDLE_MS = 15_000;

function fail(sentence: string): never {
  console.error(`test:electron: ${sentence}`);
  process.exit(1);
}

async function desktopVsCode(): Promise<string> {
  try {
    return await downloadAndUnzipVSCode({ version: process.env.ORCH_ELECTRON_VERSION || 'stable', cachePath: CACHE, timeout: IDLE_MS, reporter: new SilentReporter() });
  } catch (e) {
    fail(`cannot download VS Code from update.code.visualstudio.com (${(e as Error).message}); this runner needs the network once (then ${CACHE} keeps the build), and offline the same suite runs with npm run test:vscode.`);
  }
}

async function runSuite(vscode: string, dir: string, suite: 'main' | 'restricted', sshd: TestSshd, second: TestSshd, testsPath: string, box: TestBoxEnv): Promise<number> {
  const sdir = join(dir, suite);
  const folder = makeWorkspace(sdir, sshd);
  const userData = join(sdir, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({ ...WORKBENCH_SETTINGS, 'security.workspace.trust.enabled': suite === 'restricted' }, null, 2));
  console.log(`\n=== ${suite} suite: ${vscode} folder ${folder}`);
  try {
    await runTests({
      vscodeExecutablePath: vscode,
      extensionDevelopmentPath: REPO,
      extensionTestsPath: testsPath,
      launchArgs: [folder, '--disable-extensions', `--user-data-dir=${userData}`, `--extensions-dir=${join(sdir, 'extensions')}`, '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { ...suiteEnv(sdir, suite, folder, sshd, second, box), ORCH_VSCODE_RUNNER: 'electron' },
    });
    console.log(`=== ${suite} suite: passed`);
    return 0;
  } catch (e) {
    console.error(`=== ${suite} suite: ${(e as Error).message}`);
    return 1;
  }
}

async function main(): Promise<number> {
  const vscode = await desktopVsCode();
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    fail('desktop VS Code needs a display; on a headless machine run xvfb-run -a npm run test:electron.');
  }
  const dir = mkdtempSync(join(tmpdir(), 'orch-electron-it-'));
  await buildExtension();
  const testsPath = await buildSuite();
  // The second server is also a Slurm login node (hosts.test.ts names it with kind: slurm).
  const slurm = await startSlurm();
  const [sshd, second] = await Promise.all([startSshd(), startSshd({ extraConfig: slurm.sshdConfigLines() })]);
  const box = await startTestBoxEnv(dir);
  try {
    let failed = 0;
    for (const suite of ['main', 'restricted'] as const) if ((await runSuite(vscode, dir, suite, sshd, second, testsPath, box)) !== 0) failed++;
    // Restricted Mode must not have reached the host at all.
    if ((await sshd.runAsUser(`test ! -e ${sshd.config().logRoot}/restricted-must-not-run`)).code !== 0) {
      console.error('FAIL: a job was started on the host from an untrusted workspace');
      failed++;
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
