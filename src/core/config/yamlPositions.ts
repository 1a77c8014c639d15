import { isMap, type Document, type LineCounter } from 'yaml';

/**
 * Where a key sits in a YAML file, so a validation error can name file, line and key (the
 * routing and guardrails files share this).
 */
export type YamlKey = string | number;

/** `force_cloud[1]`, `agents.local`: a path as a user reads it. */
export function pathText(p: readonly YamlKey[]): string {
  return p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${k}` : k), '');
}

/** 1-based line of the node at `p` (of `key` inside it when given), or of its nearest existing ancestor. */
export function lineOf(doc: Document, lc: LineCounter, p: readonly YamlKey[], key?: string): number {
  for (let n = p.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(p.slice(0, n), true)) as { range?: [number, number, number] } | null | undefined;
    if (node && typeof node === 'object' && node.range) {
      if (key !== undefined && n === p.length && isMap(node)) {
        const pair = node.items.find((it) => (it.key as { value?: unknown } | null)?.value === key);
        const r = (pair?.key as { range?: [number, number, number] } | null)?.range;
        if (r) return lc.linePos(r[0]).line;
      }
      return lc.linePos(node.range[0]).line;
    }
  }
  return 1;
}
