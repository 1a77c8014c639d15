/**
 * Abuse: a generated table of adversarial job names and commands through the real CLI against a
 * real sshd. Invalid names: exit 2, one sentence, nothing started. Commands: bash sees exactly
 * what the user typed (the log equals bash's own output), and nothing is injected (the canary
 * file is never created).
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshd, type TestSshd } from '../harness/sshd';
import { commandCases, invalidNames, validNames } from './adversarialTable';
import { dropCronEntries, jobsJson, killSessions, makeCwd, orch, uniqueName, waitFor } from './harness';
import { sshEnv } from './harness';

const show = (s: string): string => JSON.stringify(s).slice(0, 60);

describe('abuse: adversarial job names and commands (real CLI, real sshd)', function () {
  this.timeout(120_000);
  let sshd: TestSshd;
  let cwd: string;
  let env: NodeJS.ProcessEnv;
  let dir: string;
  let canary: string;
  let legit: string;
  const started: string[] = [];
  const opts = () => ({ env, cwd });

  /** Sessions and job directories on the host (to prove nothing was started). */
  const hostFootprint = async (): Promise<string> =>
    (await sshd.runAsUser(`tmux ls -F '#{session_name}' 2>/dev/null | sort; ls -a ${sshd.config().logRoot} 2>/dev/null; exit 0`)).stdout;

  before(async () => {
    sshd = await startSshd();
    cwd = makeCwd();
    env = sshEnv(sshd);
    dir = mkdtempSync(join(tmpdir(), 'orch-canary-'));
    chmodSync(dir, 0o777); // the job user could create the canary here, if anything made it try
    canary = join(dir, 'CANARY');
    legit = join(dir, 'legit');
    // One job first, so the log root and its host library exist before the footprint is taken.
    const warm = uniqueName('warm');
    started.push(warm);
    assert.equal((await orch(['run', '--wait', warm, 'true'], opts())).code, 0);
  });
  after(async () => {
    if (sshd) {
      await killSessions(sshd, started);
      await dropCronEntries(sshd);
      await sshd.stop();
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });
  afterEach(() => assert.equal(existsSync(canary), false, 'the canary file was created: something was injected'));

  it('refuses every invalid name (run, logs, stop) with exit 2 and one sentence, starting nothing', async () => {
    const names = invalidNames(canary);
    assert.ok(names.length >= 60, `${names.length} names`);
    const before = await hostFootprint();
    const failures: string[] = [];
    for (const bad of names) {
      for (const argv of [['run', '--', bad, 'touch', canary], ['run', '--wait', '--', bad, `touch ${canary}`], ['logs', '--', bad], ['stop', '--', bad]]) {
        const r = await orch(argv, opts());
        const lines = r.stderr.trim().split('\n');
        if (r.code !== 2 || lines.length !== 1 || !/job name/i.test(r.stderr) || r.stdout !== '') {
          failures.push(`${argv[0]} ${show(bad)} → exit ${r.code}, stdout ${show(r.stdout)}, stderr ${show(r.stderr)}`);
        }
      }
    }
    assert.deepEqual(failures, []);
    assert.equal(await hostFootprint(), before, 'no session or job directory appeared');
  });

  it('accepts unusual valid names as given: run --wait prints them and list shows them unchanged', async () => {
    for (const name of validNames(uniqueName('v'))) {
      started.push(name);
      const r = await orch(['run', '--wait', name, 'echo ok'], opts());
      assert.equal(r.code, 0, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, `${name}\nok\n[EXIT: 0]\n`);
    }
    const listed = new Set((await jobsJson('list', opts())).map((j) => j.name));
    assert.ok(started.filter((n) => !n.includes('warm')).every((n) => listed.has(n)), 'every valid name is listed as given');
  });

  it('runs every adversarial command exactly as bash would, injecting nothing', async () => {
    const cases = commandCases(canary, legit);
    assert.ok(cases.length >= 50, `${cases.length} commands`);
    const jobs = cases.map((c, i) => ({ ...c, name: uniqueName(`c${i}`) }));
    started.push(...jobs.map((j) => j.name));
    for (let i = 0; i < jobs.length; i += 6) {
      await Promise.all(
        jobs.slice(i, i + 6).map(async (j) => {
          const r = await orch(['run', j.name, ...j.argv], opts());
          assert.equal(r.code, 0, `${j.why}: ${r.stderr}`);
          assert.equal(r.stdout, `${j.name}\n`);
        }),
      );
    }
    const wanted = new Set(jobs.map((j) => j.name));
    const ended = await waitFor('every command job to end', async () => {
      const list = (await jobsJson('list', opts())).filter((j) => wanted.has(j.name));
      return list.length === wanted.size && list.every((j) => j.state === 'DONE' || j.state === 'FAILED') ? list : undefined;
    }, 60_000, 250);
    const byName = new Map(ended.map((j) => [j.name, j]));

    const mismatches: string[] = [];
    for (const j of jobs) {
      // bash's own verdict: the same command line, as the same user, stdout and stderr together.
      const ref = await sshd.runAsUser('cd /tmp && exec bash -s 2>&1', { stdin: j.argv.join(' ') });
      const log = (await sshd.runAsUser(`cat '${byName.get(j.name)!.logPath}'`)).stdout;
      // The exit line is always a line of its own, even after output without a final newline.
      const out = ref.stdout === '' || ref.stdout.endsWith('\n') ? ref.stdout : `${ref.stdout}\n`;
      const want = `${out}[EXIT: ${ref.code}]\n`;
      if (log !== want) mismatches.push(`${j.why}: log ${show(log)} ≠ bash ${show(want)}`);
      if (byName.get(j.name)!.exitCode !== ref.code) mismatches.push(`${j.why}: exitCode ${byName.get(j.name)!.exitCode} ≠ ${ref.code}`);
    }
    assert.deepEqual(mismatches, []);
    assert.ok(existsSync(legit), 'the command that legitimately creates a file did run');
  });
});
