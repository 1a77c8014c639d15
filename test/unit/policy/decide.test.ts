import { strict as assert } from 'node:assert';
import { decide, DEFAULT_POLICY, type TaskFacts } from '../../../src/core/policy/index';
import { UserError } from '../../../src/core/errors';

// A task that nothing sends to cloud and that allow_local accepts: each case below changes one fact.
const SMALL: TaskFacts = { runtimeMinutes: 2, memoryGb: 1, uiCentric: true, lightweight: true };

describe('routing policy: rules', () => {
  const cases: { name: string; facts: TaskFacts; target: 'cloud' | 'local'; matched: string[] }[] = [
    { name: 'short, UI-centric, lightweight, small memory', facts: SMALL, target: 'local', matched: [] },
    { name: 'runtime over 10 min', facts: { ...SMALL, runtimeMinutes: 45 }, target: 'cloud', matched: ['runtime_estimate > 10min'] },
    { name: 'heavy log output', facts: { ...SMALL, heavyLogs: true }, target: 'cloud', matched: ['heavy_log_output'] },
    { name: 'an LLM workload', facts: { ...SMALL, heavyKinds: ['llm'] }, target: 'cloud', matched: ['llm_or_embedding'] },
    { name: 'an embedding workload', facts: { ...SMALL, heavyKinds: ['embedding'] }, target: 'cloud', matched: ['llm_or_embedding'] },
    { name: 'a vector-db workload', facts: { ...SMALL, heavyKinds: ['vector-db'] }, target: 'cloud', matched: ['llm_or_embedding'] },
    { name: 'a scraping workload', facts: { ...SMALL, heavyKinds: ['scraping'] }, target: 'cloud', matched: ['llm_or_embedding'] },
    { name: 'an aggregation workload', facts: { ...SMALL, heavyKinds: ['aggregation'] }, target: 'cloud', matched: ['llm_or_embedding'] },
    { name: 'an empty heavy list', facts: { ...SMALL, heavyKinds: [] }, target: 'local', matched: [] },
    { name: 'three parallel jobs', facts: { ...SMALL, parallel: 3 }, target: 'cloud', matched: ['parallel_execution >= 2'] },
    { name: 'memory over 8 GB', facts: { ...SMALL, memoryGb: 16 }, target: 'cloud', matched: ['memory_estimate > 8GB'] },
    { name: 'memory unknown', facts: { ...SMALL, memoryGb: undefined }, target: 'cloud', matched: ['memory_unknown'] },
    { name: 'heavy logs explicitly false', facts: { ...SMALL, heavyLogs: false }, target: 'local', matched: [] },
    {
      name: 'every rule at once, in the protocol order',
      facts: { runtimeMinutes: 60, heavyLogs: true, heavyKinds: ['llm'], parallel: 2 },
      target: 'cloud',
      matched: ['runtime_estimate > 10min', 'heavy_log_output', 'llm_or_embedding', 'parallel_execution >= 2', 'memory_unknown'],
    },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.target} ${JSON.stringify(c.matched)}`, () => {
      const d = decide(c.facts);
      assert.equal(d.target, c.target);
      assert.deepEqual(d.matched, c.matched);
      assert.ok(d.reasons.length >= Math.max(1, c.matched.length), 'one reason per fired rule at least');
    });
  }

  it('gives one human sentence per fired rule, naming the values', () => {
    const d = decide({ runtimeMinutes: 45, memoryGb: 16, heavyKinds: ['llm', 'scraping'] });
    assert.deepEqual(d.reasons, [
      'Runtime estimate 45 min is over 10 min.',
      'Heavy workload: llm, scraping.',
      'Memory estimate 16 GB is over 8 GB.',
    ]);
  });

  it('explains the default and allow_local decisions too', () => {
    const dflt = decide({ memoryGb: 1 });
    assert.deepEqual(dflt, {
      target: 'cloud',
      matched: [],
      reasons: ['No rule matched and the task is not short, UI-centric and lightweight (runtime unknown, not UI-centric, not a lightweight check): when in doubt, cloud.'],
    });
    const local = decide(SMALL);
    assert.match(local.reasons.join(' '), /short, UI-centric and lightweight .*local is allowed/);
  });

  it('normalises heavy kinds as users type them and refuses unknown ones (exit 2)', () => {
    assert.deepEqual(decide({ ...SMALL, heavyKinds: ['Vector_DB', 'LLM'] }).reasons, ['Heavy workload: vector-db, llm.']);
    assert.throws(() => decide({ heavyKinds: ['video'] }), (e: unknown) => e instanceof UserError && e.exitCode === 2 && /known: llm, embedding, vector-db, scraping, aggregation/.test(e.message));
  });

  it('refuses negative or non-numeric sizes', () => {
    for (const facts of [{ runtimeMinutes: -1 }, { memoryGb: Number.NaN }, { parallel: -2 }]) {
      assert.throws(() => decide(facts), (e: unknown) => e instanceof UserError && e.exitCode === 2, JSON.stringify(facts));
    }
  });
});

describe('routing policy: exact boundaries', () => {
  const cases: [string, TaskFacts, 'cloud' | 'local', string[]][] = [
    ['runtime 10 is not > 10', { ...SMALL, runtimeMinutes: 10, uiCentric: false }, 'cloud', []],
    ['runtime 10.01 is > 10', { ...SMALL, runtimeMinutes: 10.01 }, 'cloud', ['runtime_estimate > 10min']],
    ['runtime 3 is <= 3', { ...SMALL, runtimeMinutes: 3 }, 'local', []],
    ['runtime 3.01 is not <= 3', { ...SMALL, runtimeMinutes: 3.01 }, 'cloud', []],
    ['runtime 0 is <= 3', { ...SMALL, runtimeMinutes: 0 }, 'local', []],
    ['memory 8 is not > 8', { ...SMALL, memoryGb: 8 }, 'local', []],
    ['memory 8.01 is > 8', { ...SMALL, memoryGb: 8.01 }, 'cloud', ['memory_estimate > 8GB']],
    ['parallel 1 is not >= 2', { ...SMALL, parallel: 1 }, 'local', []],
    ['parallel 2 is >= 2', { ...SMALL, parallel: 2 }, 'cloud', ['parallel_execution >= 2']],
  ];
  for (const [name, facts, target, matched] of cases) {
    it(name, () => {
      const d = decide(facts);
      assert.equal(d.target, target);
      assert.deepEqual(d.matched, matched);
    });
  }
});

describe('routing policy: allow_local needs all three', () => {
  const cases: [string, TaskFacts, string][] = [
    ['runtime unknown', { ...SMALL, runtimeMinutes: undefined }, '(runtime unknown)'],
    ['UI-centric unknown', { ...SMALL, uiCentric: undefined }, '(not UI-centric)'],
    ['UI-centric false', { ...SMALL, uiCentric: false }, '(not UI-centric)'],
    ['lightweight unknown', { ...SMALL, lightweight: undefined }, '(not a lightweight check)'],
    ['lightweight false', { ...SMALL, lightweight: false }, '(not a lightweight check)'],
    ['runtime 5 min', { ...SMALL, runtimeMinutes: 5 }, '(runtime 5 min is not <= 3 min)'],
  ];
  for (const [name, facts, why] of cases) {
    it(`${name} → cloud by default, with an empty matched list`, () => {
      const d = decide(facts);
      assert.equal(d.target, 'cloud');
      assert.deepEqual(d.matched, []);
      assert.match(d.reasons[d.reasons.length - 1], /when in doubt, cloud/);
      assert.ok(d.reasons[d.reasons.length - 1].includes(why), d.reasons.join(' '));
    });
  }
});

describe('routing policy: agent affinity', () => {
  for (const agent of DEFAULT_POLICY.agents.cloud) {
    it(`${agent} goes to cloud by agent_affinity, even for a small task`, () => {
      const d = decide({ ...SMALL, agent });
      assert.equal(d.target, 'cloud');
      assert.deepEqual(d.matched, ['agent_affinity']);
      assert.match(d.reasons.join(' '), new RegExp(`Agent ${agent} defaults to cloud`));
    });
  }
  for (const agent of DEFAULT_POLICY.agents.local) {
    it(`${agent} runs locally when the task says nothing else`, () => {
      const d = decide({ agent });
      assert.equal(d.target, 'local');
      assert.deepEqual(d.matched, []);
      assert.match(d.reasons[0], new RegExp(`Agent ${agent} defaults to local`));
    });
    it(`${agent} still goes to cloud when an explicit fact fires a rule`, () => {
      const d = decide({ agent, memoryGb: 32 });
      assert.equal(d.target, 'cloud');
      assert.deepEqual(d.matched, ['memory_estimate > 8GB']);
    });
  }

  it('a local agent with a runtime between 3 and 10 goes to cloud by default', () => {
    assert.deepEqual(decide({ agent: 'Scribe', runtimeMinutes: 5 }).matched, []);
    assert.equal(decide({ agent: 'Scribe', runtimeMinutes: 5 }).target, 'cloud');
  });

  it('a local agent keeps explicit facts over its defaults', () => {
    assert.equal(decide({ agent: 'Lens', uiCentric: false }).target, 'cloud');
    assert.equal(decide({ agent: 'Lens', runtimeMinutes: 2 }).target, 'local');
  });

  it('Rally depends on its parallel count', () => {
    assert.deepEqual(decide({ ...SMALL, agent: 'Rally', parallel: 4 }), {
      target: 'cloud',
      matched: ['parallel_execution >= 2'],
      reasons: ['Agent Rally depends on its parallel count (4): decided from the task\'s facts.', '4 jobs run in parallel, at least 2.'],
    });
    assert.equal(decide({ ...SMALL, agent: 'Rally', parallel: 1 }).target, 'local');
    assert.deepEqual(decide({ agent: 'Rally', parallel: 1 }).matched, ['memory_unknown']);
  });

  it('Nexus delegates: the task facts decide', () => {
    assert.equal(decide({ ...SMALL, agent: 'Nexus' }).target, 'local');
    assert.deepEqual(decide({ ...SMALL, agent: 'Nexus', heavyLogs: true }).matched, ['heavy_log_output']);
    assert.deepEqual(decide({ agent: 'Nexus' }).matched, ['memory_unknown']);
  });

  it('matches agent names case-insensitively', () => {
    for (const name of ['builder', 'BUILDER', 'bUiLdEr', ' Builder ']) assert.deepEqual(decide({ ...SMALL, agent: name }).matched, ['agent_affinity'], name);
    for (const name of ['ceo', 'Ceo', 'QUILL']) assert.equal(decide({ agent: name }).target, 'local', name);
  });

  it('refuses an unknown agent with exit code 2, listing the known ones', () => {
    assert.throws(
      () => decide({ agent: 'Merlin' }),
      (e: unknown) => e instanceof UserError && e.exitCode === 2 && /Unknown agent "Merlin"/.test(e.message) && /Builder, .*Quill, Rally, Nexus/.test(e.message),
    );
    assert.throws(() => decide({ agent: '' }), UserError);
  });

  it('covers every agent of the protocol table', () => {
    const all = [...DEFAULT_POLICY.agents.cloud, ...DEFAULT_POLICY.agents.local, ...DEFAULT_POLICY.agents.depends];
    assert.deepEqual([...all].sort(), [
      'Analyst', 'Anvil', 'Artisan', 'Bolt', 'Bridge', 'Builder', 'CEO', 'Canvas', 'Cipher', 'Forge', 'Judge', 'Lens', 'Magi',
      'Nexus', 'Probe', 'Quill', 'Radar', 'Rally', 'Schema', 'Scout', 'Scribe', 'Sentinel', 'Stream', 'Tuner', 'Voyager',
    ]);
  });
});

describe('routing policy: facts from a command', () => {
  it('profiles the command and lets explicit facts win', () => {
    const build = decide({ command: 'npm run build' });
    assert.deepEqual(build.matched, ['runtime_estimate > 10min', 'heavy_log_output', 'memory_unknown']);
    assert.match(build.reasons[0], /^`npm run build`: a JavaScript build \(long, heavy logs\)\.$/);
    assert.deepEqual(decide({ command: 'npm run build', runtimeMinutes: 5, heavyLogs: false, memoryGb: 2 }).matched, []);
  });

  it('a profiled lightweight check runs locally once it is UI-centric', () => {
    assert.equal(decide({ command: 'git status' }).target, 'cloud');
    assert.equal(decide({ command: 'git status', uiCentric: true }).target, 'local');
    assert.equal(decide({ command: 'code .' }).target, 'local');
  });

  it('an unknown command stays unknown and goes to cloud', () => {
    const d = decide({ command: './mystery.sh --all' });
    assert.equal(d.target, 'cloud');
    assert.deepEqual(d.matched, ['memory_unknown']);
    assert.match(d.reasons[0], /not in the profiler's table/);
  });
});
