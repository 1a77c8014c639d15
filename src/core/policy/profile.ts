import { simpleCommands } from './shell';
import type { ProfilePattern, RoutingPolicy, TaskFacts } from './types';

// The command-line profiler: a table of patterns, each tested against every simple command of a
// command line (after `env X=1`, `sudo`, `nohup`, ... and the program's path are removed). A
// command no row matches stays unknown, and an unknown part keeps the whole line's size unknown,
// so it goes to cloud. The heaviest part of a pipeline or `&&` chain wins.

type ProfiledFacts = ProfilePattern['facts'];

const LIGHT: ProfiledFacts = { runtimeMinutes: 1, memoryGb: 0.5, lightweight: true };
const BUILD: ProfiledFacts = { runtimeMinutes: 30, heavyLogs: true, lightweight: false };
const LOGS: ProfiledFacts = { heavyLogs: true, lightweight: false };
const LONG: ProfiledFacts = { runtimeMinutes: 60, lightweight: false };
const heavy = (kind: string): ProfiledFacts => ({ heavyKinds: [kind], lightweight: false });

const PM = '(?:npm|pnpm|yarn|bun)';
const PY = '(?:python[0-9.]*|py|uv run|poetry run|pipenv run|pdm run|conda run)';

/** The built-in table, in the order the documentation lists it. */
export const PROFILE_PATTERNS: readonly ProfilePattern[] = [
  // lightweight and short
  { pattern: /^git (status|log|diff|show|branch|remote|rev-parse|config|tag|blame|describe|shortlog|ls-files|stash list)\b/, facts: LIGHT, why: 'a git inspection (lightweight, short)' },
  { pattern: /^(ls|ll|la|pwd|whoami|hostname|date|uname|id|which|type|echo|printf|true|false|env|printenv|cd|export|unset|alias|history|clear)\b/, facts: LIGHT, why: 'a shell basic (lightweight, short)' },
  { pattern: /^(cat|bat|head|less|more|wc|file|stat|tree|basename|dirname|realpath|readlink|touch|mkdir)\b/, facts: LIGHT, why: 'a file look-up (lightweight, short)' },
  { pattern: /^tail\b(?!.*\s(-[a-zA-Z]*[fF]|--follow)\b)/, facts: LIGHT, why: 'tail without follow (lightweight, short)' },
  { pattern: /^(grep|egrep|fgrep|rg|sort|uniq|cut|tr|sed|awk|jq|yq|column|nl|tee|xargs)\b/, facts: LIGHT, why: 'a text filter (light on its own; a heavier part of the same line wins)' },
  { pattern: /^(code|cursor|open|xdg-open)\b/, facts: { ...LIGHT, uiCentric: true }, why: 'opens an editor or a browser (UI-centric and lightweight)' },
  // heavy log output
  { pattern: /^tail\b.*\s(-[a-zA-Z]*[fF]|--follow)\b/, facts: LOGS, why: 'follows a log (heavy log output)' },
  { pattern: /^(journalctl|docker logs|docker compose logs|docker-compose logs|kubectl logs|podman logs)\b.*\s(-f|--follow)\b/, facts: LOGS, why: 'follows a log (heavy log output)' },
  { pattern: new RegExp(`^watch\\b|\\s--watch\\b|^${PM} (run )?watch\\b`), facts: LOGS, why: 'watches and re-runs until stopped (heavy log output)' },
  { pattern: new RegExp(`^${PM} (run )?(dev|start|serve)\\b`), facts: LOGS, why: 'a dev server script (heavy log output until stopped)' },
  { pattern: /^(vite(?! build)|next (dev|start)|(nuxt|nuxi) dev|ng serve|webpack serve|webpack-dev-server|nodemon|rails (s|server)|flask run|uvicorn|gunicorn|hugo server|jekyll serve)\b/, facts: LOGS, why: 'a dev server (heavy log output until stopped)' },
  { pattern: new RegExp(`^${PY} .*(-m http\\.server|manage\\.py runserver)\\b`), facts: LOGS, why: 'a Python dev server (heavy log output until stopped)' },
  { pattern: /^(docker compose|docker-compose|podman compose|podman-compose) up\b/, facts: LOGS, why: 'starts containers and streams their logs (heavy log output)' },
  // builds: long, heavy logs
  { pattern: /^(make|gmake|ninja|cmake --build|bazel (build|test)|bazelisk (build|test)|meson compile|scons)\b/, facts: BUILD, why: 'a build (long, heavy logs)' },
  { pattern: /^cargo (build|b|test|t|bench|install|run|r|check|clippy)\b/, facts: BUILD, why: 'a Rust build (long, heavy logs)' },
  { pattern: /^go (build|test|install|generate|vet)\b/, facts: BUILD, why: 'a Go build (long, heavy logs)' },
  { pattern: new RegExp(`^${PM} (run )?build\\b|^(vite|next|nuxt|nuxi|ng|turbo)( run)? build\\b`), facts: BUILD, why: 'a JavaScript build (long, heavy logs)' },
  { pattern: /^(gradle|gradlew|mvn|mvnw|sbt|ant)\b/, facts: BUILD, why: 'a JVM build (long, heavy logs)' },
  { pattern: /^(docker|podman) (build|buildx build|image build)\b|^(docker compose|docker-compose) build\b/, facts: BUILD, why: 'an image build (long, heavy logs)' },
  // heavy work
  { pattern: new RegExp(`^${PY}\\b.*\\b\\w*(train|finetune|fine[-_]tune)\\w*\\.py\\b|^(torchrun|accelerate launch|deepspeed)\\b`), facts: LONG, why: 'model training (long)' },
  { pattern: /\bbackfill\w*/i, facts: { ...LONG, heavyKinds: ['aggregation'] }, why: 'a backfill (long data processing)' },
  { pattern: /\b(torch|pytorch|tensorflow|jax|keras|transformers|vllm|ollama|llama|huggingface-cli|diffusers|openai|langchain)\b/i, facts: heavy('llm'), why: 'names an LLM / deep-learning library (heavy work)' },
  { pattern: /embed|sentence[-_]transformers/i, facts: heavy('embedding'), why: 'names embeddings (heavy work)' },
  { pattern: /\b(faiss|chroma|chromadb|qdrant|milvus|pinecone|weaviate|pgvector|lancedb|hnswlib)\b/i, facts: heavy('vector-db'), why: 'names a vector database (heavy work)' },
  { pattern: /\b(scrapy|scrape\w*|scraping|crawl\w*|puppeteer|selenium|httrack)\b|^wget\b.*\s(-r|--recursive|-m|--mirror)\b/i, facts: heavy('scraping'), why: 'scraping or crawling (heavy work)' },
  { pattern: /\b(aggregat\w*|spark-submit|pyspark|dbt (run|build)|etl)\b/i, facts: heavy('aggregation'), why: 'an aggregation or ETL job (heavy work)' },
];

export interface ProfileMatch {
  /** The simple command, as profiled. */
  command: string;
  row: ProfilePattern;
}

export interface CommandProfile {
  facts: Partial<TaskFacts>;
  matches: ProfileMatch[];
  /** Simple commands no row matched: their facts stay unknown. */
  unknown: string[];
  /** Human sentences saying what the profiler saw. */
  notes: string[];
}

/** Profiles a command line (one string, or words joined with spaces as ssh does). */
export function explainCommand(cmdline: string | readonly string[], policy?: Pick<RoutingPolicy, 'profiles'>): CommandProfile {
  const line = typeof cmdline === 'string' ? cmdline : cmdline.join(' ');
  const rows = [...(policy?.profiles ?? []), ...PROFILE_PATTERNS];
  const parts: ProfiledFacts[] = [];
  const matches: ProfileMatch[] = [];
  const unknown: string[] = [];
  const commands = simpleCommands(line);
  for (const cmd of commands) {
    const text = cmd.words.join(' ');
    const written = cmd.written.join(' ');
    const hits = rows.filter((r) => r.pattern.test(text) || (written !== text && r.pattern.test(written)));
    if (hits.length === 0) {
      unknown.push(written);
      parts.push({});
    }
    for (const row of hits) {
      matches.push({ command: written, row });
      parts.push(row.facts);
    }
  }
  const facts = combine(parts);
  const background = commands.filter((c) => c.background).length;
  const foreground = commands.length > 0 && !commands[commands.length - 1].background ? 1 : 0;
  if (background > 0 && background + foreground >= 2) facts.parallel = Math.max(facts.parallel ?? 0, background + foreground);
  return { facts, matches, unknown, notes: describe(matches, unknown, facts.parallel) };
}

/** The facts a command line implies; what it cannot tell stays undefined. */
export function profileCommand(cmdline: string | readonly string[], policy?: Pick<RoutingPolicy, 'profiles'>): Partial<TaskFacts> {
  return explainCommand(cmdline, policy).facts;
}

/**
 * Combines the facts of several parts so the heaviest wins: a heavy flag or kind anywhere counts;
 * the line is lightweight only if every part is; a size (runtime, memory) is the largest, and
 * when some part's size is unknown only sizes of non-lightweight parts survive (a lower bound
 * that already says "big"), because "short" cannot be claimed for an unknown part.
 */
function combine(parts: ProfiledFacts[]): Partial<TaskFacts> {
  const out: Partial<TaskFacts> = {};
  if (parts.length === 0) return out;
  for (const key of ['runtimeMinutes', 'memoryGb', 'parallel'] as const) {
    const known = parts.filter((p) => p[key] !== undefined);
    const pool = known.length === parts.length ? known : known.filter((p) => p.lightweight !== true);
    if (pool.length > 0) out[key] = Math.max(...pool.map((p) => p[key] as number));
  }
  if (parts.some((p) => p.heavyLogs === true)) out.heavyLogs = true;
  else if (parts.every((p) => p.heavyLogs === false)) out.heavyLogs = false;
  const kinds = [...new Set(parts.flatMap((p) => p.heavyKinds ?? []))];
  if (kinds.length > 0) out.heavyKinds = kinds;
  if (parts.some((p) => p.lightweight === false)) out.lightweight = false;
  else if (parts.every((p) => p.lightweight === true)) out.lightweight = true;
  if (parts.some((p) => p.uiCentric === false)) out.uiCentric = false;
  else if (parts.some((p) => p.uiCentric === true)) out.uiCentric = true;
  return out;
}

function describe(matches: ProfileMatch[], unknown: string[], parallel: number | undefined): string[] {
  const notes = matches.map((m) => `\`${m.command}\`: ${m.row.why}.`);
  for (const u of unknown) notes.push(`\`${u}\` is not in the profiler's table, so its facts stay unknown.`);
  if (parallel !== undefined && parallel >= 2) notes.push(`The command line starts ${parallel} jobs at once with \`&\`.`);
  return notes;
}
