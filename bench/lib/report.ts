/** The benchmark's result lines, printed as a markdown table and saved as JSON. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname } from 'node:path';

export interface Line {
  /** A stable name for the docs to cite (`{{orch:ID@route}}`), on the lines they cite. */
  id?: string;
  /** What was measured, as a reader would say it. */
  label: string;
  /** orch's figure, formatted. */
  orch: string;
  /** The OpenSSH (or other) baseline, formatted, when there is one. */
  baseline?: string;
  /** orch ÷ baseline (time ratios: lower is better). */
  ratio?: number;
  /** The target, formatted (e.g. `≤ 0.7×`, `< 50 ms`). */
  target?: string;
  pass?: boolean;
  /** `loopback` or the emulated link's description; unset for figures without a network. */
  route?: string;
  /** Raw samples and numbers for the JSON file. */
  raw: Record<string, unknown>;
}

export function verdict(pass: boolean | undefined): string {
  return pass === undefined ? '' : pass ? 'PASS' : 'MISS';
}

export function markdownTable(lines: Line[]): string {
  const head = '| measurement | orch | baseline | ratio | target | result |\n|---|---|---|---|---|---|';
  // A `|` in a cell (a shell pipe in a label) would end the cell.
  const cell = (s: string | undefined): string => (s ?? '').replace(/\|/g, '\\|');
  const rows = lines.map((l) =>
    `| ${cell(l.label)} | ${cell(l.orch)} | ${cell(l.baseline)} | ${l.ratio === undefined ? '' : `${l.ratio.toFixed(2)}×`} | ${l.target ?? ''} | ${verdict(l.pass)} |`,
  );
  return [head, ...rows].join('\n');
}

/** One table per route, in order of first appearance, each under a heading line. */
export function markdownTables(lines: Line[]): string {
  const routes = [...new Set(lines.map((l) => l.route ?? 'local'))];
  return routes
    .map((r) => `${r === 'local' ? 'no network (bundles, activation, host-side parts)' : r}:\n\n${markdownTable(lines.filter((l) => (l.route ?? 'local') === r))}`)
    .join('\n\n');
}

export function machineLine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, Node ${process.version}, load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')}`;
}

export function writeJson(file: string, data: unknown): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
}
