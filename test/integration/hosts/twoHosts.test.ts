/**
 * Several hosts (PRODUCT.md §6) against two real OpenSSH servers on loopback, both named in the
 * workspace's scripts/cloud/hosts.yaml (no ORCH_* variable at all), plus a third entry where
 * nothing listens for the unreachable case.
 */
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../harness/processes';
import { startSshd, type TestSshd } from '../harness/sshd';
import { baseEnv, cli, makeWorkspace, uniqueName, waitFor } from '../cli/cliHarness';

interface JsonJob {
  name: string;
  host: string;
  state: string;
}

function entry(name: string, s: TestSshd, extra: string[] = []): string {
  const c = s.config();
  return [
    `  ${name}:`,
    `    host: ${c.host}`,
    `    port: ${c.port}`,
    `    user: ${c.user}`,
    `    identity_file: ${c.identityFile}`,
    `    known_hosts: ${c.knownHosts}`,
    `    log_root: ${c.logRoot}`,
    `    remote_workdir: ${c.remoteWorkdir}`,
    ...extra.map((l) => `    ${l}`),
  ].join('\n');
}

describe('several hosts: two real sshd on loopback', function () {
  this.timeout(120_000);
  let a: TestSshd;
  let b: TestSshd;
  let ws: string;
  let withDown: string;
  const env = baseEnv();
  const orch = (...argv: string[]) => cli(argv, { env, cwd: ws });
  const listed = async (...argv: string[]) => JSON.parse((await orch('list', '--json', ...argv)).stdout) as JsonJob[];

  before(async () => {
    [a, b] = await Promise.all([startSshd(), startSshd()]);
    ws = makeWorkspace('orch-hosts-ws-');
    mkdirSync(join(ws, 'scripts/cloud'), { recursive: true });
    // gpu-a has one slot, so placement must send the second job elsewhere; both have a fixed
    // number of slots, so no decision falls to the load (both servers share this machine's).
    writeFileSync(join(ws, 'scripts/cloud/hosts.yaml'), `hosts:\n${entry('gpu-a', a, ['max_parallel: 1'])}\n${entry('gpu-b', b, ['max_parallel: 4'])}\ndefault: gpu-a\n`);
    withDown = join(ws, 'with-down.yaml');
    const dead = await freePort();
    writeFileSync(withDown, `hosts:\n${entry('gpu-a', a, ['max_parallel: 1'])}\n${entry('gpu-b', b)}\n  down:\n    host: 127.0.0.1\n    port: ${dead}\n    known_hosts: ${a.knownHostsFile}\n`);
  });
  after(async () => {
    if (ws) await orch('stop', '--all');
    await Promise.all([a?.stop(), b?.stop()]);
    if (ws) rmSync(ws, { recursive: true, force: true });
  });

  it('runs on the default host without --host, and on the named one with it', async () => {
    const one = uniqueName('dflt');
    const two = uniqueName('named');
    assert.equal((await orch('run', '--wait', one, 'echo', 'on-default')).code, 0);
    const r = await orch('run', '--host', 'gpu-b', '--wait', two, 'echo', 'on-b');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `${two}\non-b\n[EXIT: 0]\n`);
    const jobs = await listed();
    assert.equal(jobs.find((j) => j.name === one)?.host, 'gpu-a');
    assert.equal(jobs.find((j) => j.name === two)?.host, 'gpu-b');
    assert.match((await b.runAsUser(`cat ${b.config().logRoot}/${two}/run.log`)).stdout, /on-b/);
  });

  it('--host auto spreads jobs by room and load, prints why, and records the reason in meta.json', async () => {
    const busy = uniqueName('busy');
    const first = uniqueName('place1');
    const second = uniqueName('place2');
    assert.equal((await orch('run', '--host', 'gpu-b', busy, 'sleep', '30')).code, 0);
    // gpu-a: 0 of 1 slot busy; gpu-b: 1 of 4
    const r1 = await orch('run', '--host', 'auto', first, 'sleep', '30');
    assert.equal(r1.code, 0, r1.stderr);
    assert.match(r1.stderr, /^orch: --host auto chose gpu-a: fewest active jobs per slot, then lowest load per CPU: gpu-a has 0 active jobs on 1 slot, load \d+\.\d\d per CPU; gpu-b has 1 active job on 4 slots, load \d+\.\d\d per CPU\.$/m);
    // gpu-a is full now: gpu-b, though it runs more jobs
    const r2 = await orch('run', '--host', 'auto', second, 'sleep', '30');
    assert.equal(r2.code, 0, r2.stderr);
    assert.match(r2.stderr, /--host auto chose gpu-b: .*gpu-b has 1 active job on 4 slots.*; gpu-a has 1 active job on 1 slot/);
    const status = JSON.parse((await orch('status', '--json')).stdout) as JsonJob[];
    assert.equal(status.find((j) => j.name === first)?.host, 'gpu-a');
    assert.equal(status.find((j) => j.name === second)?.host, 'gpu-b');
    const meta = JSON.parse((await b.runAsUser(`cat ${b.config().logRoot}/${second}/meta.json`)).stdout) as { placement: string };
    assert.match(meta.placement, /^gpu-b: fewest active jobs per slot/);
    for (const n of [busy, first, second]) await orch('stop', n);
  });

  it('status and list ask both hosts, merge newest first with a HOST column, and filter with --host', async () => {
    const older = uniqueName('older');
    const newer = uniqueName('newer');
    assert.equal((await orch('run', '--host', 'gpu-b', older, 'sleep', '20')).code, 0);
    assert.equal((await orch('run', '--host', 'gpu-a', newer, 'sleep', '20')).code, 0);
    const status = await orch('status');
    assert.equal(status.code, 0, status.stderr);
    const lines = status.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME +STATE +EXIT +STARTED +ELAPSED +PROGRESS +HOST$/);
    const rows = lines.slice(1).map((l) => l.split(/\s+/));
    assert.deepEqual(rows.map((r) => [r[0], r[r.length - 1]]), [[newer, 'gpu-a'], [older, 'gpu-b']]);
    const onlyB = await listed('--host', 'gpu-b');
    assert.ok(onlyB.length > 0 && onlyB.every((j) => j.host === 'gpu-b'));
    assert.ok(onlyB.some((j) => j.name === older));
    await orch('stop', older);
    await orch('stop', newer);
  });

  it('name-taking commands find the job\'s host, and ask for --host only when the name is on both', async () => {
    const name = uniqueName('where');
    assert.equal((await orch('run', '--host', 'gpu-b', '--wait', name, 'echo', 'found-on-b')).code, 0);
    const logs = await orch('logs', name);
    assert.equal(logs.code, 0, logs.stderr);
    assert.equal(logs.stdout, 'found-on-b\n[EXIT: 0]\n');
    const gone = await orch('logs', uniqueName('nowhere'));
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /^orch: There is no job named \S+ on gpu-a and gpu-b\.\n$/);

    assert.equal((await orch('run', '--host', 'gpu-a', '--wait', name, 'echo', 'found-on-a')).code, 0);
    const both = await orch('logs', name);
    assert.equal(both.code, 2);
    assert.equal(both.stderr, `orch: A job named ${name} is on gpu-a and gpu-b; say which with --host gpu-a (or --host gpu-b).\n`);
    assert.equal((await orch('logs', '--host', 'gpu-a', name)).stdout, 'found-on-a\n[EXIT: 0]\n');
    const pulled = await orch('pull', name);
    assert.equal(pulled.code, 2, 'pull is ambiguous too');
  });

  it('stop finds the host; stop --all stops on every host at once', async () => {
    const x = uniqueName('stopx');
    const y = uniqueName('stopy');
    assert.equal((await orch('run', '--host', 'gpu-b', x, 'sleep', '60')).code, 0);
    assert.equal((await orch('run', '--host', 'gpu-a', y, 'sleep', '60')).code, 0);
    const one = await orch('stop', x);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, new RegExp(`^stopped ${x}; log kept at /\\S+/logs-it-\\w+/${x}/run.log\\n$`));
    const z = uniqueName('stopz');
    assert.equal((await orch('run', '--host', 'gpu-b', z, 'sleep', '60')).code, 0);
    const all = await orch('stop', '--all');
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`stopped ${y}\\n\\[L4\\] stopped 1 job on gpu-a\\n`));
    assert.match(all.stdout, new RegExp(`stopped ${z}\\n\\[L4\\] stopped 1 job on gpu-b\\n`));
    assert.deepEqual((await listed()).filter((j) => [x, y, z].includes(j.name)).map((j) => j.state), ['STOPPED', 'STOPPED', 'STOPPED']);
  });

  it('an unreachable host is one stderr line and exit 1, while the other hosts are still listed', async () => {
    const name = uniqueName('still');
    assert.equal((await orch('run', '--host', 'gpu-b', '--wait', name, 'true')).code, 0);
    const r = await cli(['list'], { env: { ...env, ORCH_HOSTS_FILE: withDown }, cwd: ws });
    assert.equal(r.code, 1);
    const errLines = r.stderr.trim().split('\n');
    assert.equal(errLines.length, 1, r.stderr);
    assert.match(errLines[0]!, /^orch: host down: .*(refused|ECONNREFUSED).*\.$/i);
    assert.match(r.stdout, new RegExp(`^${name} +DONE +0 .* gpu-b$`, 'm'));
    const json = await cli(['status', '--json'], { env: { ...env, ORCH_HOSTS_FILE: withDown }, cwd: ws });
    assert.equal(json.code, 1);
    assert.ok(Array.isArray(JSON.parse(json.stdout)));
    // "No active jobs" names only the hosts that answered, and nothing is claimed of a host alone and down
    const both = await cli(['status'], { env: { ...env, ORCH_HOSTS_FILE: withDown }, cwd: ws });
    assert.doesNotMatch(both.stdout, /No active jobs on .*down/);
    const alone = await cli(['status', '--host', 'down'], { env: { ...env, ORCH_HOSTS_FILE: withDown }, cwd: ws });
    assert.equal(alone.code, 1);
    assert.equal(alone.stdout, '', 'no "No active jobs on down." for a host that did not answer');
    // a --host that is none of the file's entries and does not resolve says so (a typo shows)
    const typo = await cli(['status', '--host', 'gpu-c.invalid'], { env: { ...env, ORCH_HOSTS_FILE: withDown }, cwd: ws });
    assert.equal(typo.code, 1);
    assert.match(typo.stderr, /Cannot resolve the host name "gpu-c\.invalid".*check --host \(.*lists gpu-a, gpu-b and down, not gpu-c\.invalid\)/);
    // placement leaves the host out and says so
    const placed = await cli(['run', '--host', 'auto', '--wait', uniqueName('nodown'), 'true'], { env: { ...env, ORCH_HOSTS_FILE: withDown }, cwd: ws });
    assert.equal(placed.code, 0, placed.stderr);
    assert.match(placed.stderr, /down unreachable \(/);
  });

  it('a second job naming a running job\'s output dir on the same host is refused by the host; another host is free', async () => {
    const owner = uniqueName('owner');
    const rival = uniqueName('rival');
    assert.equal((await orch('run', '--host', 'gpu-b', '--output-dir', 'results/shared', owner, 'sleep', '30')).code, 0);
    const refused = await orch('run', '--host', 'gpu-b', '--output-dir', './results/shared/', rival, 'echo', 'nope');
    assert.equal(refused.code, 2);
    assert.equal(refused.stderr, `orch: The output dir ./results/shared/ on gpu-b belongs to job ${owner}, which is still active; pick another --output-dir, or stop ${owner} first.\n`);
    assert.equal(refused.stdout, '');
    assert.ok(!(await listed('--host', 'gpu-b')).some((j) => j.name === rival), 'nothing started');
    assert.equal((await b.runAsUser(`test -e ${b.config().logRoot}/${rival}`)).code, 1, 'no job dir left behind');
    const inner = await orch('run', '--host', 'gpu-b', '--output-dir', 'results/shared/sub', uniqueName('inner'), 'true');
    assert.equal(inner.code, 2);
    assert.match(inner.stderr, /belongs to job \S+, which is still active \(its output dir \/\S+\/results\/shared overlaps \/\S+\/results\/shared\/sub\)/);
    const elsewhere = await orch('run', '--host', 'gpu-a', '--output-dir', 'results/shared', '--wait', uniqueName('free'), 'true');
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    await orch('stop', owner);
    await waitFor('owner stopped', async () => (await listed('--host', 'gpu-b')).find((j) => j.name === owner)?.state === 'STOPPED');
    const after = await orch('run', '--host', 'gpu-b', '--output-dir', 'results/shared', '--wait', rival, 'echo', 'mine now');
    assert.equal(after.code, 0, after.stderr);
  });

  it('five runs started at once naming one output dir: exactly one starts', async () => {
    const names = [1, 2, 3, 4, 5].map((i) => uniqueName(`race${i}`));
    const results = await Promise.all(names.map((n) => orch('run', '--host', 'gpu-b', '--output-dir', 'results/raced', n, 'sleep', '20')));
    assert.deepEqual(results.map((r) => r.code).sort(), [0, 2, 2, 2, 2], results.map((r) => r.stderr).join(''));
    for (const r of results.filter((x) => x.code === 2)) assert.match(r.stderr, /^orch: The output dir results\/raced on gpu-b belongs to job race\d-/);
    const winner = names[results.findIndex((r) => r.code === 0)]!;
    await orch('stop', winner);
  });

  it('cloud-run takes --host and finds its run again for pull', async () => {
    const r = await cli(['run', '--host', 'gpu-b', '--detach', '--output-dir', 'res', 'mkdir -p res && echo 1 > res/m.txt'], { env, cwd: ws, bin: 'cloud-run' });
    assert.equal(r.code, 0, r.stderr);
    const id = r.stdout.split('\n')[0]!;
    assert.equal((await listed('--host', 'gpu-b')).find((j) => j.name === id)?.host, 'gpu-b');
    await waitFor('run done', async () => (await listed('--host', 'gpu-b')).find((j) => j.name === id)?.state === 'DONE');
    const p = await cli(['pull', id, '--output-dir', 'res'], { env, cwd: ws, bin: 'cloud-run' });
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stderr, /pulled 1 file .* from gpu-b:/);
  });
});
