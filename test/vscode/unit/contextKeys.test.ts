import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { CONTEXT_KEYS, type ContextKey } from '../../../src/vscode/contextKeys';

const root = join(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

/** Every `when` / `enablement` clause in contributes, with where it sits. */
function clauses(node: unknown, at = 'contributes', out: { at: string; text: string }[] = []): { at: string; text: string }[] {
  if (Array.isArray(node)) node.forEach((v, i) => clauses(v, `${at}[${i}]`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if ((k === 'when' || k === 'enablement') && typeof v === 'string') out.push({ at: `${at}.${k}`, text: v });
      else clauses(v, `${at}.${k}`, out);
    }
  }
  return out;
}

/** `cloudJobs.*` names a clause tests, except view ids (`view == cloudJobs.jobs`) and settings (`config.cloudJobs.*`). */
function keysIn(text: string): { key: string; compared: boolean }[] {
  const viewIds = new Set<string>(Object.values(pkg.contributes.views as Record<string, { id: string }[]>).flat().map((v) => v.id));
  const found: { key: string; compared: boolean }[] = [];
  for (const m of text.matchAll(/(?<![\w.])(cloudJobs\.[\w.]+)(\s*(?:==|!=|=~|<=|>=|<|>|in\b|not in\b))?/g)) {
    if (!viewIds.has(m[1])) found.push({ key: m[1], compared: m[2] !== undefined });
  }
  return found;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('context keys', () => {
  const all = clauses(pkg.contributes);

  it('package.json tests only declared keys, booleans bare and strings compared', () => {
    assert.ok(all.length > 10, 'the when clauses were found');
    for (const { at, text } of all) {
      for (const { key, compared } of keysIn(text)) {
        assert.ok(key in CONTEXT_KEYS, `${at}: "${text}" tests ${key}, which src/vscode/contextKeys.ts does not declare`);
        const kind = CONTEXT_KEYS[key as ContextKey];
        if (kind === 'boolean') assert.ok(!compared, `${at}: ${key} is a boolean, test it bare, not "${text}"`);
      }
    }
  });

  it('every declared key is tested by some clause', () => {
    const used = new Set(all.flatMap(({ text }) => keysIn(text).map((k) => k.key)));
    for (const key of Object.keys(CONTEXT_KEYS)) assert.ok(used.has(key), `${key} is declared but no when clause in package.json tests it`);
  });

  it("the code sets context keys only through setContext.ts (so each key's type is checked)", () => {
    const raw = sourceFiles(join(root, 'src')).filter((f) => !f.endsWith('setContext.ts') && readFileSync(f, 'utf8').includes("'setContext'"));
    assert.deepEqual(raw.map((f) => relative(root, f)), []);
  });
});
