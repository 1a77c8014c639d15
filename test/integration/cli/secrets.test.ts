/**
 * Secrets for jobs (PRODUCT.md §9) against the real sshd: values given by --env NAME,
 * --env NAME=VALUE and --env-file reach the command (and its retry), and are found nowhere on
 * the host but in the job's 0600 env file while it runs: not in any other file of the log root
 * or workdir, not in `ps` output sampled all along; the file is gone at the end, after a stop,
 * and after the runner was killed.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, sshEnv, uniqueName, waitFor } from './cliHarness';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('orch run --env against a real sshd', function () {
  this.timeout(90_000);
  let sshd: TestSshd;
  let ws: string;
  let env: NodeJS.ProcessEnv;
  let root: string;
  const fromEnv = `tok-env-${randomBytes(8).toString('hex')}`;
  const inline = `tok-inline-${randomBytes(8).toString('hex')}`;
  const inFile = `tok-file-${randomBytes(8).toString('hex')}`;
  const secrets = [fromEnv, inline, inFile];
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });
  const onHost = async (cmd: string) => (await sshd.runAsUser(cmd)).stdout;
  /** Every file under the log root and workdir holding one of the secrets. */
  // The patterns go on stdin: on grep's command line they would be in the ps samples.
  const filesWithSecrets = async () => (await sshd.runAsUser(`grep -rlF -f - ${root} ~/work-it-* 2>/dev/null; true`, { stdin: secrets.join('\n') + '\n' })).stdout;

  before(async () => {
    sshd = await startSshd();
    ws = makeWorkspace();
    env = baseEnv({ ...sshEnv(sshd), WANDB_API_KEY: fromEnv });
    root = join(sshd.home, sshd.config().logRoot.slice(2));
    // git-ignored, as a secrets file must be: `--sync` (and cloud-run) upload the workspace
    writeFileSync(join(ws, 'job.env'), `# tokens\nHF_TOKEN='${inFile}'\n`);
    writeFileSync(join(ws, '.gitignore'), 'data/\nresults/\n*.env\n');
  });
  after(async () => {
    if (env) await orch('stop', '--all');
    await sshd?.stop();
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('reach the command and its retry; on the host only in the 0600 env file, never in ps; gone at the end', async () => {
    const name = uniqueName('sec');
    const command = [
      `printf '%s' "$WANDB_API_KEY" | sha256sum; printf '%s' "$INLINE" | sha256sum; printf '%s' "$HF_TOKEN" | sha256sum`,
      'sleep 4',
      '[ -e tried ] || { touch tried; exit 3; }',
    ].join('; ');
    let sampling = true;
    const seen: string[] = [];
    let samples = 0;
    const sampler = (async () => {
      while (sampling) {
        const ps = await onHost('ps -eo args');
        samples++;
        for (const s of secrets) if (ps.includes(s)) seen.push(s);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    try {
      const r = await orch('run', '--env', 'WANDB_API_KEY', '--env', `INLINE=${inline}`, '--env-file', 'job.env', '--retries', '1', '--retry-backoff', '0', name, command);
      assert.equal(r.code, 0, r.stderr);
      const dir = join(root, name);
      await waitFor('the job to run', async () => (await onHost(`cat ${dir}/run.log`)).includes(sha(inFile)), 15_000);
      assert.equal((await filesWithSecrets()).trim(), `${dir}/env`);
      assert.equal((await onHost(`stat -c %a ${dir}/env`)).trim(), '600');
      for (const f of ['cmd.sh', 'meta.json']) assert.ok(!(await onHost(`cat ${dir}/${f}`)).includes('tok-'), f);
      assert.deepEqual(JSON.parse(await onHost(`cat ${dir}/meta.json`)).env, ['HF_TOKEN', 'WANDB_API_KEY', 'INLINE']);
      const status = await orch('status', '--json');
      assert.ok(!status.stdout.includes('tok-'));
      await waitFor('the retry to end', async () => (await onHost(`cat ${dir}/exit 2>/dev/null`)).trim() === '0', 30_000);
    } finally {
      sampling = false;
      await sampler;
    }
    assert.deepEqual(seen, [], 'a secret was seen in ps output');
    assert.ok(samples > 20, `${samples} ps samples`);
    const log = await onHost(`cat ${root}/${name}/run.log`);
    const hashes = `${sha(fromEnv)}  -\n${sha(inline)}  -\n${sha(inFile)}  -\n`;
    assert.equal(log, `${hashes}[RETRY: exit 3; attempt 2 of 2]\n${hashes}[EXIT: 0]\n`);
    assert.equal((await filesWithSecrets()).trim(), '');
  });

  it('the file is gone after orch stop, and after the runner was killed and the job listed', async () => {
    const stopped = uniqueName('sec-stop');
    assert.equal((await orch('run', '--env', 'WANDB_API_KEY', stopped, 'sleep 60')).code, 0);
    assert.equal((await onHost(`test -f ${root}/${stopped}/env && echo yes`)).trim(), 'yes');
    assert.equal((await orch('stop', stopped)).code, 0);
    assert.equal((await onHost(`test -e ${root}/${stopped}/env || echo gone`)).trim(), 'gone');

    const killed = uniqueName('sec-kill');
    assert.equal((await orch('run', '--env', 'WANDB_API_KEY', killed, 'sleep 60')).code, 0);
    await onHost(`kill -KILL $(cat ${root}/${killed}/runner.pid); kill -KILL -- -$(cat ${root}/${killed}/cmd.pid)`);
    await waitFor('the job to be FAILED', async () => (await orch('list', '--json')).stdout.includes('"FAILED"'), 15_000);
    assert.equal((await onHost(`test -e ${root}/${killed}/env || echo gone`)).trim(), 'gone');
    assert.equal((await filesWithSecrets()).trim(), '');
  });

  it('cloud-run run --env / --env-file: the run gets them too, and the file is gone after', async () => {
    const r = await cli(['run', `printf '%s' "$WANDB_API_KEY$HF_TOKEN" | sha256sum`, '--env', 'WANDB_API_KEY', '--env-file', 'job.env'], { env, cwd: ws, bin: 'cloud-run' });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`${sha(fromEnv + inFile)}  -`), r.stdout);
    assert.equal((await filesWithSecrets()).trim(), '');
  });

  it('bad input is one sentence naming the variable, never a value; nothing is started', async () => {
    const r = await orch('run', '--env', 'NOT_SET_ANYWHERE', uniqueName('sec-bad'), 'true');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /NOT_SET_ANYWHERE is not set in this environment/);
    writeFileSync(join(ws, 'bad.env'), `OK=1\n${inline} oops\n`);
    const f = await orch('run', '--env-file', 'bad.env', uniqueName('sec-bad'), 'true');
    assert.equal(f.code, 2);
    assert.match(f.stderr, /bad\.env:2/);
    assert.ok(!f.stderr.includes(inline));
  });
});
