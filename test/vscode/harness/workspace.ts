/**
 * A throwaway workspace folder like a user's: scripts/cloud/.env pointing at the test sshd, the
 * research kit's .orchestration-kit.env, experiment.sh and specs.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestSshd } from '../../integration/harness/sshd';

export const KIT_ENV_TEXT = [
  '# research kit settings',
  'export DATA_DIR=data   # inputs',
  '',
  '# where experiments run',
  'COMPUTE_TARGET="${COMPUTE_TARGET:-local}"  # local or ec2',
  'MAX_GPU_HOURS=2',
  '',
].join('\n');

export function makeWorkspace(dir: string, sshd: TestSshd | undefined): string {
  const ws = join(dir, 'demo-project');
  mkdirSync(join(ws, 'scripts/cloud'), { recursive: true });
  if (sshd) {
    const c = sshd.config();
    writeFileSync(
      join(ws, 'scripts/cloud/.env'),
      [
        '# Cloud Jobs: the EC2 box (here: the test sshd on loopback)',
        `ORCH_HOST=${c.host}`,
        `ORCH_PORT=${c.port}`,
        `ORCH_USER=${c.user}`,
        `ORCH_IDENTITY_FILE=${c.identityFile}`,
        `ORCH_KNOWN_HOSTS=${c.knownHosts}`,
        `ORCH_LOG_ROOT=${c.logRoot}`,
        `ORCH_REMOTE_WORKDIR=${c.remoteWorkdir}`,
        'ORCH_PROJECT=demo',
        '',
      ].join('\n'),
    );
  }
  writeFileSync(join(ws, '.orchestration-kit.env'), KIT_ENV_TEXT);
  writeFileSync(join(ws, 'README.md'), '# demo project\n');
  // the fixture research kit (test/fixtures/research-kit) and two specs for the experiment commands
  copyFileSync(join(__dirname, '../../fixtures/research-kit/experiment.sh'), join(ws, 'experiment.sh'));
  mkdirSync(join(ws, 'specs'));
  for (const spec of ['alpha', 'beta']) writeFileSync(join(ws, `specs/${spec}.md`), `# ${spec}\nHypothesis: ${spec} beats the baseline.\n`);
  writeFileSync(join(ws, 'train.py'), 'import time\nfor epoch in range(3):\n    print(f"epoch {epoch}", flush=True)\n    time.sleep(1)\n');
  // a user's project is a git repository: Run on EC2 syncs its files to the host first
  writeFileSync(join(ws, '.gitignore'), 'results/\n');
  execFileSync('git', ['init', '-q'], { cwd: ws });
  return ws;
}
