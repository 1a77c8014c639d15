/**
 * An EC2 box for the workbench suite: its own test sshd behind the EC2 stand-in (so moving it to
 * a new address at each start never disturbs the suite's main sshd), and the environment that
 * reaches the extension host: the AWS SDK's endpoint and test credentials, and the
 * scripts/cloud/.env text naming the box (ORCH_TEST_EC2_DOTENV), which ec2.test.ts writes.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEc2Endpoint, type Ec2Endpoint } from '../../integration/harness/ec2Endpoint';
import { startSshd, type TestSshd } from '../../integration/harness/sshd';

export interface TestBoxEnv {
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startTestBoxEnv(dir: string): Promise<TestBoxEnv> {
  const sshd: TestSshd = await startSshd();
  const ec2: Ec2Endpoint = await startEc2Endpoint();
  const instance = await ec2.addInstance({ sshd, state: 'stopped', region: 'ap-northeast-1' });
  const c = sshd.config();
  const knownHosts = join(dir, 'ec2-known_hosts');
  writeFileSync(knownHosts, '', { mode: 0o600 });
  const dotenv = [
    '# Cloud Jobs: an EC2 box (here: the EC2 stand-in and its sshd on loopback)',
    `ORCH_EC2_INSTANCE_ID=${instance.id}`,
    'ORCH_EC2_REGION=ap-northeast-1',
    `ORCH_PORT=${c.port}`,
    `ORCH_USER=${c.user}`,
    `ORCH_IDENTITY_FILE=${c.identityFile}`,
    `ORCH_KNOWN_HOSTS=${knownHosts}`,
    'ORCH_STRICT_HOST_KEY_CHECKING=accept-new',
    `ORCH_LOG_ROOT=${c.logRoot}`,
    `ORCH_REMOTE_WORKDIR=${c.remoteWorkdir}`,
    'ORCH_PROJECT=demo',
    '',
  ].join('\n');
  return {
    // The box's log root as a path on this machine: the autostop test sets its idle clock there.
    env: { ...ec2.awsEnv(), ORCH_TEST_EC2_DOTENV: dotenv, ORCH_TEST_EC2_INSTANCE: instance.id, ORCH_TEST_EC2_LOG_ROOT: join(sshd.home, c.logRoot.slice(2)) },
    async close() {
      await sshd.stop();
      await ec2.close();
    },
  };
}
