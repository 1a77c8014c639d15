/**
 * lib/secrets.sh on its own (real bash, temp dirs): values come back byte-exact from the escaped
 * text encodeJobEnv writes, the file is 0600 whatever the log mode, every attempt gets them, and
 * the file goes when the job ends, is stopped, or is found with its runner gone.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeJobEnv } from '../../../src/core/secrets/jobEnv';
import { HostSandbox } from './hostShell';

const mode = (p: string): string => (statSync(p).mode & 0o777).toString(8);
const TRICKY = { A: 'plain', B: 'two\nlines\\n and a \\ backslash \\c %s %b', C: "it's \"quoted\" $HOME `x`", D: '' };

describe('host library: secrets for jobs', function () {
  this.timeout(20000);
  let box: HostSandbox;
  beforeEach(() => {
    box = new HostSandbox();
  });
  afterEach(async () => {
    await box.close();
  });

  it('secrets_store then secrets_export gives every value back exactly; the file is 0600 even in group mode', async () => {
    writeFileSync(join(box.root, '.orch', 'group-readable'), '');
    const d = box.job('s', 'true');
    const r = await box.sh(`private_mode "${box.root}"; umask "$UMASK_ORCH"; secrets_store "${d}" "$(cat)"; secrets_export "${d}"; printf '%s\\0' "$A" "$B" "$C" "\${D-unset}"`, encodeJobEnv(TRICKY));
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.split('\0').slice(0, 4), [TRICKY.A, TRICKY.B, TRICKY.C, '']);
    assert.equal(mode(join(d, 'env')), '600');
  });

  it('runner: the command and each retry see the values; the file is gone at the end', async () => {
    const d = box.job('rt', `printf '%s|' "$TOKEN"; [ -e "${box.dir}/again" ] || { : > "${box.dir}/again"; exit 3; }`, {
      retries: '1\n',
      'retry-backoff': '0 0\n',
      'retry-exit': 'except 2 126 127\n',
    });
    writeFileSync(join(d, 'env'), encodeJobEnv({ TOKEN: 's3cr3t' }), { mode: 0o600 });
    await box.sh(`runner "${d}" >/dev/null`);
    assert.equal(readFileSync(join(d, 'run.log'), 'utf8'), 's3cr3t|\n[RETRY: exit 3; attempt 2 of 2]\ns3cr3t|\n[EXIT: 0]\n');
    assert.ok(!existsSync(join(d, 'env')));
  });

  it('stop of a job whose runner is gone, and a listing that finds it dead, remove the file', async () => {
    const d = box.job('dead', 'true', { 'runner.pid': '999999\n', env: 'X=1\n' });
    await box.sh(`stop "${d}" "stopped with orch stop"`);
    assert.ok(!existsSync(join(d, 'env')));
    const e = box.job('dead2', 'true', { 'runner.pid': '999999\n', env: 'X=1\n' });
    await box.sh(`emit "${e}" >/dev/null`);
    assert.ok(!existsSync(join(e, 'env')));
    const starting = box.job('new', 'true', { env: 'X=1\n' });
    await box.sh(`emit "${starting}" >/dev/null`);
    assert.ok(existsSync(join(starting, 'env')), 'a job run has just created keeps its file');
  });
});
