import { strict as assert } from 'node:assert';
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');
const orchBin = path.join(root, 'bin', 'orch');

/**
 * The completion scripts in the real shells, against the built CLI (bin/orch) and real local
 * tmux jobs: bash driven through COMP_WORDS/COMP_CWORD and `_orch` as readline would call it,
 * fish through its own `complete -C`, zsh parsed, registered with compinit, and completing in
 * its own line editor on a pty (zshComplete.zsh).
 */
describe('orch completion bash|zsh|fish in real shells', function () {
  this.timeout(120_000);
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const active = `cmpl-run-${process.pid}`;
  const ended = `cmpl-done-${process.pid}`;
  const script = (shell: string) => path.join(dir, `orch.${shell}`);
  /** A workspace whose scripts/cloud/hosts.yaml names two hosts (never reached: only names are read). */
  let hostsWs: string;

  before(async () => {
    // bin/orch runs dist/orch.js: build it from these sources
    await run(process.execPath, ['esbuild.mjs'], { cwd: root });
    dir = mkdtempSync(path.join(tmpdir(), 'orch-completion-'));
    env = {
      PATH: `${path.dirname(orchBin)}:${process.env.PATH}`,
      HOME: process.env.HOME,
      LANG: 'C.UTF-8',
      ORCH_LOG_ROOT: path.join(dir, 'logs'),
      // fish keeps its state under these: in the scratch dir, not the user's
      XDG_CONFIG_HOME: path.join(dir, 'config'),
      XDG_DATA_HOME: path.join(dir, 'data'),
    };
    hostsWs = path.join(dir, 'hosts-ws');
    mkdirSync(path.join(hostsWs, 'scripts', 'cloud'), { recursive: true });
    writeFileSync(path.join(hostsWs, 'scripts', 'cloud', 'hosts.yaml'), 'hosts:\n  gpu-a:\n    host: 127.0.0.1\n  gpu-b:\n    host: 127.0.0.1\n');
    for (const shell of ['bash', 'zsh', 'fish']) writeFileSync(script(shell), (await run(orchBin, ['completion', shell], { env })).stdout);
    await run(orchBin, ['run', '--local', active, 'sleep', '600'], { env, cwd: dir });
    await run(orchBin, ['run', '--local', '--wait', ended, 'true'], { env, cwd: dir });
  });

  after(async () => {
    if (!dir) return;
    await run(orchBin, ['stop', '--local', active], { env, cwd: dir }).catch(() => undefined);
    await run('bash', ['-c', 'crontab -l 2>/dev/null | grep -qF -- "$1" || exit 0; crontab -l | grep -vF -- "$1" | crontab -', '_', path.join(dir, 'logs')]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  describe('bash', () => {
    /** What `_orch` offers for a command line whose last word is the one being completed. */
    const complete = (...words: string[]) => completeIn(dir, ...words);
    async function completeIn(cwd: string, ...words: string[]): Promise<string[]> {
      const line = [
        'source "$1"; shift',
        'COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()',
        '_orch',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      const r = await run('bash', ['--norc', '--noprofile', '-c', line, 'bash', script('bash'), ...words], { env, cwd });
      return r.stdout.split('\n').filter((w) => w !== '');
    }

    it('passes shellcheck and bash -n as generated, and registers _orch for orch', async () => {
      execFileSync('shellcheck', ['-s', 'bash', script('bash')]);
      execFileSync('bash', ['-n', script('bash')]);
      const r = await run('bash', ['--norc', '-c', 'source "$1"; complete -p orch', 'bash', script('bash')], { env });
      assert.equal(r.stdout.trim(), 'complete -o default -F _orch orch');
    });

    it('completes commands (never the hidden __complete-jobs), after --debug too', async () => {
      assert.deepEqual(await complete('orch', ''), ['run', 'logs', 'forward', 'attach', 'stop', 'status', 'list', 'pull', 'rollback', 'box', 'route', 'doctor', 'disconnect', 'experiment', 'completion']);
      assert.deepEqual(await complete('orch', 'st'), ['stop', 'status']);
      assert.deepEqual(await complete('orch', 'do'), ['doctor']);
      assert.deepEqual(await complete('orch', '--debug', 'lo'), ['logs']);
      assert.deepEqual(await complete('orch', '--v'), ['--version']);
    });

    it("completes a command's own options", async () => {
      assert.deepEqual(await complete('orch', 'logs', '--f'), ['--follow']);
      assert.deepEqual(await complete('orch', 'route', '--heavy'), ['--heavy-logs', '--heavy']);
      assert.deepEqual(await complete('orch', 'run', '--retry'), ['--retry-backoff', '--retry-on-exit']);
      assert.deepEqual(await complete('orch', 'status', '--j'), ['--json']);
      assert.deepEqual(await complete('orch', 'box', 'st'), ['status', 'start', 'stop']);
      assert.deepEqual(await complete('orch', 'box', '--f'), ['--force']);
    });

    it('completes job names from the target the line chooses: all for logs, running ones for stop and attach', async () => {
      assert.deepEqual((await complete('orch', 'logs', '--local', 'cmpl-')).sort(), [ended, active].sort());
      assert.deepEqual(await complete('orch', 'stop', '--local', 'cmpl-'), [active]);
      assert.deepEqual(await complete('orch', 'attach', '--local', ''), [active]);
      // an option's value is not taken for the job: `-n 5` then the name
      assert.deepEqual(await complete('orch', 'logs', '-n', '5', '--local', 'cmpl-d'), [ended]);
      // another log root on the line: its (empty) set of jobs
      assert.deepEqual(await complete('orch', 'logs', '--local', '--log-root', path.join(dir, 'none'), 'cmpl-'), []);
    });

    it('offers nothing where a value, a second operand or a new job name goes; the command after a job name', async () => {
      assert.deepEqual(await complete('orch', 'logs', '--tail', ''), []);
      assert.deepEqual(await complete('orch', 'logs', '--local', active, ''), []);
      assert.deepEqual(await complete('orch', 'run', ''), []);
      assert.deepEqual(await complete('orch', 'run', '--data-dirs', 'a', ''), []);
      assert.ok((await complete('orch', 'run', 'myjob', 'ech')).includes('echo'));
      assert.deepEqual(await complete('orch', 'run', 'myjob', 'echo', '--w'), []);
    });

    it('completes the host names of scripts/cloud/hosts.yaml (and auto) after --host, without asking any host', async () => {
      assert.deepEqual(await completeIn(hostsWs, 'orch', 'run', '--host', ''), ['gpu-a', 'gpu-b', 'auto']);
      assert.deepEqual(await completeIn(hostsWs, 'orch', 'logs', '--host', 'gpu-'), ['gpu-a', 'gpu-b']);
      // without a hosts file: the one ORCH_HOST, here none
      assert.deepEqual(await complete('orch', 'run', '--host', ''), []);
    });

    it('completes subcommand words', async () => {
      assert.deepEqual(await complete('orch', 'completion', ''), ['bash', 'zsh', 'fish']);
      assert.deepEqual(await complete('orch', 'experiment', 'p'), ['program']);
    });
  });

  describe('fish', () => {
    async function complete(line: string, cwd = dir): Promise<string[]> {
      const r = await run('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2] | string replace -r "\\t.*" ""; true', script('fish'), line], { env, cwd });
      return r.stdout.split('\n').filter((w) => w !== '');
    }

    it('parses (fish -n) and completes commands, options and job names through complete -C', async () => {
      execFileSync('fish', ['-n', script('fish')]);
      assert.deepEqual(await complete('orch st'), ['status', 'stop']);
      assert.deepEqual(await complete('orch logs --fo'), ['--follow']);
      assert.deepEqual((await complete('orch logs --local cmpl-')).sort(), [ended, active].sort());
      assert.deepEqual(await complete('orch stop --local cmpl-'), [active]);
      assert.deepEqual(await complete('orch completion z'), ['zsh']);
      assert.deepEqual(await complete('orch run --host gpu-', hostsWs), ['gpu-a', 'gpu-b']);
    });
  });

  describe('zsh', () => {
    it('parses (zsh -n) and registers _orch for orch with compinit', async () => {
      execFileSync('zsh', ['-n', script('zsh')]);
      const r = await run('zsh', ['-f', '-c', 'autoload -U compinit; compinit -u -D; source $1; print -r -- $_comps[orch]', 'zsh', script('zsh')], { env });
      assert.equal(r.stdout.trim(), '_orch');
    });

    it('completes commands, options and job names in its line editor (a real interactive zsh on a pty)', async () => {
      const complete = async (line: string, cwd = dir) => {
        const out = path.join(dir, `zsh-line-${Math.random().toString(36).slice(2)}`);
        await run('zsh', ['-f', path.join(__dirname, 'zshComplete.zsh'), script('zsh'), out, line], { env, cwd, timeout: 30_000 });
        return readFileSync(out, 'utf8');
      };
      assert.equal(await complete('orch lo'), 'orch logs \n');
      assert.equal(await complete('orch logs --fo'), 'orch logs --follow \n');
      assert.equal(await complete('orch completion f'), 'orch completion fish \n');
      // the only running job: stop offers no ended one
      assert.equal(await complete('orch stop --local cmpl-'), `orch stop --local ${active} \n`);
      assert.equal(await complete('orch logs --local cmpl-d'), `orch logs --local ${ended} \n`);
      assert.equal(await complete('orch run --host au', hostsWs), 'orch run --host auto \n');
    });
  });

  it('refuses an unknown shell with one sentence and exit 2', async () => {
    const r = await run(orchBin, ['completion', 'tcsh'], { env }).then(() => assert.fail('exit 0'), (e: { code: number; stdout: string; stderr: string }) => e);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'orch: No completion for "tcsh"; use bash, zsh or fish.\n');
  });

  it('__complete-jobs prints nothing, quickly, when the host cannot be reached', async () => {
    const started = Date.now();
    const r = await run(orchBin, ['__complete-jobs', '--host', '127.0.0.1', '--port', '1'], { env }).then(
      () => assert.fail('exit 0'),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    assert.equal(r.code, 1);
    assert.equal(r.stdout + r.stderr, '');
    assert.ok(Date.now() - started < 6000);
  });
});
