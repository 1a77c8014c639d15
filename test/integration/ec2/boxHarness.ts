/**
 * An EC2 box for the CLI tests: a real test sshd behind the EC2 stand-in, a workspace, and
 * `node bin/orch` run as the user runs it (the bundle, which loads the separate AWS bundle),
 * with the environment a user of that box would have.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureBundle, ORCH_BIN, REPO } from '../faults/harness';
import { startEc2Endpoint, type Ec2Endpoint, type TestInstance } from '../harness/ec2Endpoint';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, makeWorkspace } from '../cli/cliHarness';

export interface BinResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestBox {
  sshd: TestSshd;
  ec2: Ec2Endpoint;
  instance: TestInstance;
  ws: string;
  /** An empty known_hosts file of this box's user (the key gets pinned here). */
  knownHosts: string;
  /** The environment of a user whose scripts/cloud/.env names the box (no ORCH_HOST). */
  env: Record<string, string>;
  orch(argv: string[], extra?: Record<string, string | undefined>): Promise<BinResult>;
  close(): Promise<void>;
}

export async function startTestBox(o: { state?: 'running' | 'stopped' } = {}): Promise<TestBox> {
  ensureBundle();
  const sshd = await startSshd();
  const ec2 = await startEc2Endpoint();
  const instance = await ec2.addInstance({ sshd, state: o.state ?? 'stopped', region: 'ap-northeast-1' });
  const ws = makeWorkspace('orch-ec2-ws-');
  const scratch = mkdtempSync(join(tmpdir(), 'orch-ec2-'));
  const knownHosts = join(scratch, 'known_hosts');
  const c = sshd.config();
  const env: Record<string, string> = {
    ...(baseEnv() as Record<string, string>),
    ORCH_USER: c.user!,
    ORCH_PORT: String(c.port),
    ORCH_IDENTITY_FILE: c.identityFile!,
    ORCH_KNOWN_HOSTS: knownHosts,
    ORCH_LOG_ROOT: c.logRoot,
    ORCH_REMOTE_WORKDIR: c.remoteWorkdir,
    ORCH_EC2_INSTANCE_ID: instance.id,
    ORCH_EC2_REGION: 'ap-northeast-1',
    ...ec2.awsEnv(),
  };
  const box: TestBox = {
    sshd,
    ec2,
    instance,
    ws,
    knownHosts,
    env,
    orch: (argv, extra = {}) => runBin(argv, ws, withExtra(env, extra)),
    async close() {
      await runBin(['stop', '--all'], ws, { ...env, ORCH_EC2_WAKE: 'ask' }).catch(() => undefined);
      await sshd.stop();
      await ec2.close();
      rmSync(ws, { recursive: true, force: true });
      rmSync(scratch, { recursive: true, force: true });
    },
  };
  return box;
}

function withExtra(env: Record<string, string>, extra: Record<string, string | undefined>): Record<string, string> {
  const out = { ...env };
  for (const [k, v] of Object.entries(extra)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** `node -r reportAwsBundle bin/orch argv...`: stderr ends with whether the AWS bundle was loaded. */
export function runBin(argv: string[], cwd: string, env: Record<string, string>): Promise<BinResult> {
  const preload = join(REPO, 'test', 'fixtures', 'reportAwsBundle.cjs');
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', preload, ORCH_BIN, ...argv], { cwd, env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** stderr without the preload's report line. */
export function userStderr(r: BinResult): string {
  return r.stderr.replace(/\[aws-bundle-loaded: (true|false)\]\n$/, '');
}

export function awsBundleLoaded(r: BinResult): boolean {
  return /\[aws-bundle-loaded: true\]\n$/.test(r.stderr);
}
