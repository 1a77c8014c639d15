/**
 * Entry loaded by the extension host (test-electron's `run()` contract). Runs the mocha suite
 * named by ORCH_VSCODE_SUITE; resolves when every test passed.
 */
import Mocha from 'mocha';

export async function run(): Promise<void> {
  // ORCH_VSCODE_GREP runs only the matching tests (while working on them)
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec', grep: process.env.ORCH_VSCODE_GREP || undefined });
  mocha.suite.emit('pre-require', globalThis, 'vscode-suite', mocha);
  if (process.env.ORCH_VSCODE_SUITE === 'restricted') {
    await import('./restricted.test.js');
  } else {
    // these read the notifications the workbench showed through the UI bridge (a browser on
    // the page), which the code-server runner has and test:electron (desktop VS Code) has not
    const uiBridge = process.env.ORCH_VSCODE_RUNNER !== 'electron';
    await import('./activation.test.js');
    await import('./jobs.test.js');
    await import('./routing.test.js');
    await import('./tasks.test.js');
    await import('./experiment.test.js');
    if (uiBridge) await import('./notices.test.js');
    if (uiBridge) await import('./tree.test.js');
    if (uiBridge) await import('./sweep.test.js');
    if (uiBridge) await import('./guardrails.test.js');
    if (uiBridge) await import('./research.test.js');
    await import('./cliPath.test.js');
    await import('./hosts.test.js');
    await import('./firstRun.test.js');
    if (uiBridge) await import('./replace.test.js');
    if (uiBridge) await import('./computeTarget.test.js');
    // last: it switches the workspace to an EC2 box (and checks nothing before loaded AWS)
    await import('./ec2.test.js');
  }
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
}
