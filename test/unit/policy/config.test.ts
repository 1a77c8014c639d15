import { strict as assert } from 'node:assert';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  decide,
  DEFAULT_POLICY,
  findRoutingFile,
  loadRoutingPolicy,
  parseRoutingPolicy,
  resolveRoutingPolicy,
  routingWorkspace,
} from '../../../src/core/policy/index';
import { UserError } from '../../../src/core/errors';

const SMALL = { runtimeMinutes: 2, memoryGb: 1, uiCentric: true, lightweight: true };

// The protocol's Quick Reference, verbatim.
const PROTOCOL_BLOCK = `# Nexus decision template
CLOUD_ROUTING:
  default: cloud
  force_cloud:
    - runtime_estimate > 10min
    - heavy_log_output
    - llm_or_embedding
    - parallel_execution >= 2
    - memory_estimate > 8GB
    - memory_unknown
  allow_local:
    - runtime_estimate <= 3min AND ui_centric AND lightweight_check
`;

describe('routing file: contents', () => {
  it('the protocol block as written gives the default policy', () => {
    const p = parseRoutingPolicy(PROTOCOL_BLOCK, 'routing.yaml');
    assert.deepEqual(p.forceCloud, DEFAULT_POLICY.forceCloud);
    assert.deepEqual(p.allowLocal, DEFAULT_POLICY.allowLocal);
    assert.equal(p.default, 'cloud');
  });

  it('an empty file or a block without sections keeps the defaults', () => {
    for (const text of ['', '# nothing yet\n', 'CLOUD_ROUTING:\n', 'default: cloud\n']) {
      const p = parseRoutingPolicy(text, 'r.yaml');
      assert.deepEqual(p.forceCloud, DEFAULT_POLICY.forceCloud, JSON.stringify(text));
      assert.deepEqual(p.agents, DEFAULT_POLICY.agents);
    }
  });

  it('thresholds come from the expressions, and rule ids follow them', () => {
    const p = parseRoutingPolicy(
      'force_cloud:\n  - runtime_estimate > 20min\n  - memory_estimate > 16GB\n  - parallel_execution >= 3\n  - memory_unknown\nallow_local:\n  - runtime_estimate <= 5min AND ui_centric AND lightweight_check\n',
      'r.yaml',
    );
    const cases: [object, string, string[]][] = [
      [{ ...SMALL, runtimeMinutes: 20 }, 'cloud', []],
      [{ ...SMALL, runtimeMinutes: 20.5 }, 'cloud', ['runtime_estimate > 20min']],
      [{ ...SMALL, runtimeMinutes: 5 }, 'local', []],
      [{ ...SMALL, runtimeMinutes: 5.5 }, 'cloud', []],
      [{ ...SMALL, memoryGb: 16 }, 'local', []],
      [{ ...SMALL, memoryGb: 17 }, 'cloud', ['memory_estimate > 16GB']],
      [{ ...SMALL, parallel: 2 }, 'local', []],
      [{ ...SMALL, parallel: 3 }, 'cloud', ['parallel_execution >= 3']],
      [{ ...SMALL, heavyLogs: true }, 'local', []], // heavy_log_output was left out of this file
    ];
    for (const [facts, target, matched] of cases) {
      const d = decide(facts, p);
      assert.equal(d.target, target, JSON.stringify(facts));
      assert.deepEqual(d.matched, matched, JSON.stringify(facts));
    }
  });

  it('reads units and spacing the way people write them', () => {
    const p = parseRoutingPolicy('force_cloud:\n  - "RUNTIME_ESTIMATE>1h"\n  - memory_estimate > 512MB\n', 'r.yaml');
    assert.deepEqual(p.forceCloud.map((r) => r.id), ['runtime_estimate > 60min', 'memory_estimate > 0.5GB']);
  });

  it('default: local sends a task no rule and no allow_local clause took to local', () => {
    const p = parseRoutingPolicy('default: local\n', 'r.yaml');
    const d = decide({ ...SMALL, uiCentric: false }, p);
    assert.deepEqual(d, { target: 'local', matched: [], reasons: ['No rule matched: the configured default is local.'] });
    assert.equal(decide({ memoryGb: 9 }, p).target, 'cloud');
  });

  it('an empty allow_local never allows local', () => {
    const d = decide(SMALL, parseRoutingPolicy('allow_local: []\n', 'r.yaml'));
    assert.deepEqual(d, { target: 'cloud', matched: [], reasons: ['No rule matched and allow_local is empty: when in doubt, cloud.'] });
  });

  it('agents, local defaults and heavy kinds are configurable', () => {
    const p = parseRoutingPolicy(
      [
        'agents:',
        '  cloud: [Builder, Painter]',
        '  local: [Lens]',
        '  local_defaults: { runtime_minutes: 2, memory_gb: 4 }',
        'heavy_kinds: [llm, video]',
      ].join('\n'),
      'r.yaml',
    );
    assert.throws(() => decide({ agent: 'Painter' }), /Unknown agent/, 'only the file knows Painter');
    assert.deepEqual(decide({ ...SMALL, agent: 'Painter' }, p).matched, ['agent_affinity']);
    assert.equal(decide({ agent: 'Lens' }, p).target, 'local');
    assert.throws(() => decide({ agent: 'Scribe' }, p), /Unknown agent "Scribe"; known agents: Builder, Painter, Lens, Rally, Nexus\./);
    assert.deepEqual(decide({ ...SMALL, heavyKinds: ['video'] }, p).matched, ['llm_or_embedding']);
    assert.throws(() => decide({ heavyKinds: ['scraping'] }, p), /known: llm, video/);
  });

  it('extra profile patterns add to the built-in table', () => {
    const p = parseRoutingPolicy(
      [
        'profiles:',
        '  - pattern: "^bin/nightly-report"',
        '    why: our nightly report crunches a year of data',
        '    runtime_minutes: 40',
        '    heavy_kinds: [aggregation]',
        '  - pattern: "^DEPLOY"',
        '    ignore_case: true',
        '    why: deploys are quick',
        '    lightweight: true',
        '    runtime_minutes: 1',
        '    memory_gb: 1',
      ].join('\n'),
      'r.yaml',
    );
    const d = decide({ command: 'bin/nightly-report --year 2025' }, p);
    assert.deepEqual(d.matched, ['runtime_estimate > 10min', 'llm_or_embedding', 'memory_unknown']);
    assert.match(d.reasons[0], /our nightly report crunches a year of data/);
    assert.equal(decide({ command: 'deploy.sh', uiCentric: true }, p).target, 'local');
    assert.deepEqual(decide({ command: 'git status' }, p).matched, [], 'the built-in rows still apply');
  });
});

describe('routing file: errors name file, line and key', () => {
  const cases: [string, string, string][] = [
    ['an unknown rule', 'default: cloud\nforce_cloud:\n  - heavy_log_output\n  - foo\n', 'routing.yaml:4: force_cloud[1]: unknown rule "foo"; known: runtime_estimate > Nmin, memory_estimate > NGB, parallel_execution >= N, heavy_log_output, llm_or_embedding, memory_unknown.'],
    ['a wrong unit', 'force_cloud:\n  - runtime_estimate > 10GB\n', 'routing.yaml:2: force_cloud[0]: unknown unit "GB" in "runtime_estimate > 10GB"; runtime_estimate takes min or h.'],
    ['a rule that cannot force cloud', 'force_cloud:\n  - memory_estimate < 2GB\n', 'routing.yaml:2: force_cloud[0]: "memory_estimate < 2GB" cannot send to cloud: force_cloud rules use > or >=.'],
    ['the same rule twice', 'force_cloud:\n  - runtime_estimate > 10min\n  - heavy_log_output\n  - runtime_estimate > 30min\n', 'routing.yaml:4: force_cloud[2]: runtime_estimate is already set by force_cloud[0].'],
    ['an unknown allow_local condition', 'allow_local:\n  - runtime_estimate <= 3min AND sunny\n', 'routing.yaml:2: allow_local[0]: unknown condition "sunny"; known: runtime_estimate <= Nmin, memory_estimate <= NGB, ui_centric, lightweight_check (joined by AND).'],
    ['a > in allow_local', 'allow_local:\n  - runtime_estimate > 3min\n', 'routing.yaml:2: allow_local[0]: "runtime_estimate > 3min" cannot allow local: use runtime_estimate or memory_estimate with < or <=.'],
    ['an unknown top-level key', 'default: cloud\nforce_clod: []\n', 'routing.yaml:2: force_clod: unknown key "force_clod"; known: default, force_cloud, allow_local, heavy_kinds, agents, profiles.'],
    ['an unknown key under the wrapper', 'CLOUD_ROUTING:\n  default: cloud\n  agents:\n    cloud: [Builder]\n    locl: [Lens]\n', 'routing.yaml:5: CLOUD_ROUTING.agents.locl: unknown key "locl"; known: cloud, local, depends, local_defaults.'],
    ['a key beside the wrapper', 'CLOUD_ROUTING:\n  default: cloud\nextra: 1\n', 'routing.yaml:3: extra: unknown key "extra"; known: CLOUD_ROUTING.'],
    ['a bad default', 'default: maybe\n', 'routing.yaml:1: default: expected one of "cloud"|"local".'],
    ['a list that is a string', 'force_cloud: heavy_log_output\n', 'routing.yaml:1: force_cloud: expected array, received string.'],
    ['an agent in two lists', 'agents:\n  cloud: [Builder]\n  local: [Lens, builder]\n', 'routing.yaml:3: agents.local[1]: agent "builder" is already listed in agents.cloud.'],
    ['a bad local default', 'agents:\n  local_defaults:\n    memory_gb: -1\n', 'routing.yaml:3: agents.local_defaults.memory_gb: Too small: expected number to be >=0.'],
    ['a bad regular expression', 'profiles:\n  - pattern: "(("\n    why: x\n    lightweight: true\n', 'routing.yaml:2: profiles[0].pattern: not a valid regular expression (Invalid regular expression: /((/: Unterminated group).'],
    ['a profile without facts', 'profiles:\n  - pattern: "^x"\n    why: nothing\n', 'routing.yaml:2: profiles[0]: a profile needs at least one fact (runtime_minutes, memory_gb, parallel, heavy_logs, heavy_kinds, ui_centric, lightweight).'],
    ['a profile with an unknown kind', 'heavy_kinds: [llm]\nprofiles:\n  - pattern: "^x"\n    why: x\n    heavy_kinds: [llm, video]\n', 'routing.yaml:5: profiles[0].heavy_kinds[1]: unknown heavy kind "video"; known: llm.'],
    ['not a mapping', '- a\n- b\n', 'routing.yaml:1: expected a mapping with the CLOUD_ROUTING keys (default, force_cloud, allow_local, heavy_kinds, agents, profiles).'],
    ['broken YAML', 'force_cloud: [heavy_log_output\ndefault: cloud\n', 'routing.yaml:2: not valid YAML:'],
    ['a duplicate key', 'default: cloud\ndefault: local\n', 'routing.yaml:2: not valid YAML: Map keys must be unique.'],
    ['several problems', 'default: maybe\nforce_cloud: [foo]\n', 'routing.yaml:1: default: expected one of "cloud"|"local" (and 1 more problem).'],
  ];
  for (const [name, text, message] of cases) {
    it(name, () => {
      assert.throws(
        () => parseRoutingPolicy(text, 'routing.yaml'),
        (e: unknown) => {
          assert.ok(e instanceof UserError, String(e));
          assert.equal(e.exitCode, 2);
          if (message.endsWith(':')) assert.ok(e.message.startsWith(message), e.message);
          else assert.equal(e.message, message);
          return true;
        },
      );
    });
  }
});

describe('routing file: where it is found', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'orch-routing-'));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('loads a file and names it in errors', async () => {
    const file = path.join(root, 'routing.yaml');
    await writeFile(file, 'force_cloud:\n  - runtime_estimate > 20min\n');
    assert.deepEqual((await loadRoutingPolicy(file)).forceCloud.map((r) => r.id), ['runtime_estimate > 20min']);
    await writeFile(file, 'force_cloud:\n  - nope\n');
    await assert.rejects(loadRoutingPolicy(file), (e: unknown) => e instanceof UserError && e.message.startsWith(`${file}:2: force_cloud[0]: unknown rule "nope"`));
    await assert.rejects(loadRoutingPolicy(path.join(root, 'missing.yaml'), 'missing.yaml'), (e: unknown) => e instanceof UserError && e.exitCode === 2 && e.message === 'Routing file missing.yaml does not exist.');
  });

  it('finds scripts/cloud/routing.yaml in the nearest workspace above the working directory', async () => {
    const deep = path.join(root, 'ws', 'src', 'pkg');
    await mkdir(deep, { recursive: true });
    await mkdir(path.join(root, 'ws', 'scripts', 'cloud'), { recursive: true });
    assert.equal(await routingWorkspace(deep), path.join(root, 'ws'));
    assert.equal(await findRoutingFile(deep, {}), undefined, 'no routing.yaml yet');
    const file = path.join(root, 'ws', 'scripts', 'cloud', 'routing.yaml');
    await writeFile(file, 'default: local\n');
    assert.equal(await findRoutingFile(deep, {}), file);
    const r = await resolveRoutingPolicy({ cwd: deep, env: {} });
    assert.equal(r.file, file);
    assert.equal(r.policy.default, 'local');
  });

  it('uses the working directory as the workspace when no ancestor has scripts/cloud', async () => {
    assert.equal(await routingWorkspace(root), root);
    const r = await resolveRoutingPolicy({ cwd: root, env: {} });
    assert.equal(r.file, undefined);
    assert.equal(r.policy, DEFAULT_POLICY);
  });

  it('ORCH_ROUTING_FILE wins over the workspace file, and an explicit file wins over both', async () => {
    await mkdir(path.join(root, 'scripts', 'cloud'), { recursive: true });
    await writeFile(path.join(root, 'scripts', 'cloud', 'routing.yaml'), 'default: local\n');
    await writeFile(path.join(root, 'other.yaml'), 'allow_local: []\n');
    await writeFile(path.join(root, 'third.yaml'), 'force_cloud: []\n');
    const viaEnv = await resolveRoutingPolicy({ cwd: root, env: { ORCH_ROUTING_FILE: 'other.yaml' } });
    assert.equal(viaEnv.file, path.join(root, 'other.yaml'));
    assert.deepEqual(viaEnv.policy.allowLocal, []);
    const explicit = await resolveRoutingPolicy({ cwd: root, env: { ORCH_ROUTING_FILE: 'other.yaml' }, file: 'third.yaml' });
    assert.deepEqual(explicit.policy.forceCloud, []);
    await assert.rejects(findRoutingFile(root, { ORCH_ROUTING_FILE: 'gone.yaml' }), /ORCH_ROUTING_FILE points to gone\.yaml, which does not exist\./);
  });
});
