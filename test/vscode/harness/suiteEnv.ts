/** What the extension-host suite reads from its environment, the same for every runner. */
import { join } from 'node:path';
import type { TestSshd } from '../../integration/harness/sshd';
import type { TestBoxEnv } from './ec2Box';

export function suiteEnv(sdir: string, suite: 'main' | 'restricted', folder: string, sshd: TestSshd, second: TestSshd, box: TestBoxEnv): Record<string, string> {
  return {
    // the EC2 stand-in and its box (ec2.test.ts of the main suite switches the workspace to it)
    ...(suite === 'main' ? box.env : {}),
    ORCH_VSCODE_SUITE: suite,
    ORCH_TEST_WORKSPACE: folder,
    // the fixture research kit records each phase call here
    EXPERIMENT_LOG: join(sdir, 'experiment-calls.log'),
    // "Install 'orch' Command in PATH" writes here, never into the real ~/.local/bin
    XDG_BIN_HOME: join(sdir, 'bin'),
    // the several-hosts suite names both servers in a hosts.yaml of its own
    ORCH_TEST_HOSTS: JSON.stringify([sshd, second].map((s) => {
      const c = s.config();
      return { host: c.host, port: c.port, user: c.user, identityFile: c.identityFile, knownHosts: c.knownHosts, logRoot: c.logRoot, remoteWorkdir: c.remoteWorkdir };
    })),
  };
}
