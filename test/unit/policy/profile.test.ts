import { strict as assert } from 'node:assert';
import { explainCommand, PROFILE_PATTERNS, profileCommand, type TaskFacts } from '../../../src/core/policy/index';

const LIGHT = { runtimeMinutes: 1, memoryGb: 0.5, lightweight: true };
const LOGS = { heavyLogs: true, lightweight: false };
const BUILD = { runtimeMinutes: 30, heavyLogs: true, lightweight: false };

// One or more commands for every row of the profiler table, with the facts a user should get.
const ROWS: [string, Partial<TaskFacts>][] = [
  ['git status', LIGHT],
  ['git log --oneline -5', LIGHT],
  ['ls -la', LIGHT],
  ['pwd', LIGHT],
  ['cat README.md', LIGHT],
  ['head -n 20 data.csv', LIGHT],
  ['tail -n 50 run.log', LIGHT],
  ['grep -n TODO src/main.ts', LIGHT],
  ['code .', { ...LIGHT, uiCentric: true }],
  ['open http://localhost:3000', { ...LIGHT, uiCentric: true }],
  ['tail -f run.log', LOGS],
  ['tail -F /var/log/syslog', LOGS],
  ['journalctl -u nginx -f', LOGS],
  ['docker logs --follow api', LOGS],
  ['watch -n 1 nvidia-smi', LOGS],
  ['tsc --watch', LOGS],
  ['npm run dev', LOGS],
  ['pnpm dev', LOGS],
  ['yarn start', LOGS],
  ['vite', LOGS],
  ['next dev', LOGS],
  ['uvicorn app:app --reload', LOGS],
  ['python -m http.server 8000', LOGS],
  ['python manage.py runserver', LOGS],
  ['docker compose up', LOGS],
  ['docker-compose up --build', LOGS],
  ['make', BUILD],
  ['make -j8 all', BUILD],
  ['cmake --build build', BUILD],
  ['cargo build --release', BUILD],
  ['cargo test', BUILD],
  ['go build ./...', BUILD],
  ['go test ./...', BUILD],
  ['npm run build', BUILD],
  ['yarn build', BUILD],
  ['vite build', BUILD],
  ['gradle assemble', BUILD],
  ['./gradlew build', BUILD],
  ['mvn package', BUILD],
  ['docker build -t app .', BUILD],
  ['python train.py --epochs 10', { runtimeMinutes: 60, lightweight: false }],
  ['python3 scripts/finetune_lora.py', { runtimeMinutes: 60, lightweight: false }],
  ['torchrun --nproc_per_node 8 main.py', { runtimeMinutes: 60, lightweight: false }],
  ['python backfill.py --since 2024-01-01', { runtimeMinutes: 60, heavyKinds: ['aggregation'], lightweight: false }],
  ['python -c "import torch; print(torch.cuda.is_available())"', { heavyKinds: ['llm'], lightweight: false }],
  ['python serve.py --model transformers', { heavyKinds: ['llm'], lightweight: false }],
  ['ollama run llama3', { heavyKinds: ['llm'], lightweight: false }],
  ['python build_embeddings.py', { heavyKinds: ['embedding'], lightweight: false }],
  ['python index.py --backend faiss', { heavyKinds: ['vector-db'], lightweight: false }],
  ['scrapy crawl products', { heavyKinds: ['scraping'], lightweight: false }],
  ['wget -r https://example.com/docs/', { heavyKinds: ['scraping'], lightweight: false }],
  ['spark-submit job.py', { heavyKinds: ['aggregation'], lightweight: false }],
  ['python aggregate_sales.py', { heavyKinds: ['aggregation'], lightweight: false }],
];

describe('command profiler: the pattern table', () => {
  for (const [cmd, facts] of ROWS) {
    it(`${cmd} → ${JSON.stringify(facts)}`, () => {
      assert.deepEqual(profileCommand(cmd), facts);
    });
  }

  it('has a test command for every row, and every row says why', () => {
    const hit = new Set(ROWS.flatMap(([cmd]) => explainCommand(cmd).matches.map((m) => m.row)));
    PROFILE_PATTERNS.forEach((row, i) => {
      assert.ok(hit.has(row), `row ${i} (${row.pattern}) has no test command`);
      assert.ok(row.why.length > 10, `row ${i} explains itself`);
    });
  });

  it('leaves unknown commands unknown (so they go to cloud)', () => {
    for (const cmd of ['./run-everything.sh', 'node server.js', 'pytest', 'rsync -a a b', '']) {
      assert.deepEqual(profileCommand(cmd), {}, cmd);
    }
    assert.deepEqual(explainCommand('./run-everything.sh').unknown, ['./run-everything.sh']);
  });

  it('does not mistake look-alikes', () => {
    assert.deepEqual(profileCommand('vitest run'), {}, 'vitest is not vite');
    assert.deepEqual(profileCommand('torchvision-info'), {}, 'a longer word is not torch');
    assert.deepEqual(profileCommand('tail -n 5 x.log'), LIGHT, 'tail -n is not follow');
    assert.deepEqual(profileCommand('git push'), {}, 'only git inspection is lightweight');
  });
});

describe('command profiler: shell forms', () => {
  const cases: [string, Partial<TaskFacts>][] = [
    ['env NODE_ENV=production npm run build', BUILD],
    ['NODE_ENV=production CI=1 npm run build', BUILD],
    ['sudo make install', BUILD],
    ['sudo -u deploy -E docker compose up', LOGS],
    ['nohup python train.py > train.log 2>&1 &', { runtimeMinutes: 60, lightweight: false }],
    ['time nice -n 10 cargo build', BUILD],
    ['timeout 5m tail -f app.log', LOGS],
    ['npx vite', LOGS],
    ['/usr/bin/git status', LIGHT],
    ["bash -c 'cd app && npm run dev'", LOGS],
    ['env', LIGHT],
    ['cd app && git status && ls', LIGHT],
    ['cat data.csv | sort | uniq -c | head', LIGHT],
    ['echo "a && b | make" ; pwd', LIGHT],
  ];
  for (const [cmd, facts] of cases) {
    it(`${cmd} → ${JSON.stringify(facts)}`, () => {
      assert.deepEqual(profileCommand(cmd), facts);
    });
  }

  it('the heaviest part of a chain or pipeline wins', () => {
    assert.deepEqual(profileCommand('git status && npm run build'), BUILD);
    assert.deepEqual(profileCommand('cat urls.txt | python scrape.py'), { heavyKinds: ['scraping'], lightweight: false });
    assert.deepEqual(profileCommand('make && python train.py'), { runtimeMinutes: 60, heavyLogs: true, lightweight: false });
    assert.deepEqual(profileCommand('python embed.py && python index.py --faiss'), { heavyKinds: ['embedding', 'vector-db'], lightweight: false });
  });

  it('an unknown part keeps a chain from looking short, but a known long part still counts', () => {
    assert.deepEqual(profileCommand('ls && ./deploy.sh'), {});
    assert.deepEqual(profileCommand('./configure && make'), { runtimeMinutes: 30, heavyLogs: true, lightweight: false });
  });

  it('jobs started together with & count as parallel', () => {
    assert.equal(profileCommand('python a.py & python b.py & wait').parallel, 3);
    assert.equal(profileCommand('./worker.sh & ./worker.sh').parallel, 2);
    assert.equal(profileCommand('./worker.sh &').parallel, undefined);
    assert.equal(profileCommand('make 2>&1 | tee build.log').parallel, undefined);
  });

  it('takes the words of a command as ssh joins them', () => {
    assert.deepEqual(profileCommand(['npm', 'run', 'build']), BUILD);
  });

  it('says what it saw, in sentences', () => {
    const p = explainCommand('git status && ./deploy.sh');
    assert.deepEqual(p.notes, [
      '`git status`: a git inspection (lightweight, short).',
      '`./deploy.sh` is not in the profiler\'s table, so its facts stay unknown.',
    ]);
  });
});
