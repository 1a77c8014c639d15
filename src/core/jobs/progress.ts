/**
 * A running job's latest progress (PRODUCT.md §9), as the host found it in the last progress line
 * of run.log (src/host/lib/progress.sh): "PCT\tN\tTOTAL\tRATE\tETA", any part may be empty.
 */
export interface JobProgress {
  /** 0-100 (may have decimals). */
  percent: number | null;
  n: number | null;
  total: number | null;
  /** As printed: `39.9it/s`, `5ms/step`. */
  rate: string | null;
  /** As printed: `00:12`, `1:23`. */
  eta: string | null;
}

const num = (s: string | undefined): number | null => (s !== undefined && s !== '' && Number.isFinite(Number(s)) ? Number(s) : null);
const text = (s: string | undefined): string | null => (s ? s : null);

export function parseProgress(field: string | undefined): JobProgress | null {
  if (!field) return null;
  const [pct, n, total, rate, eta] = field.replace(/\n$/, '').split('\t');
  const p: JobProgress = { percent: num(pct), n: num(n), total: num(total), rate: text(rate), eta: text(eta) };
  return p.percent === null && p.total === null ? null : p;
}

/** `45% 45/100 39.9it/s ETA 00:01` (the parts there are), or `-`. */
export function formatProgress(p: JobProgress | null | undefined): string {
  if (!p) return '-';
  const parts: string[] = [];
  if (p.percent !== null) parts.push(`${Math.floor(p.percent)}%`);
  if (p.n !== null && p.total !== null) parts.push(`${p.n}/${p.total}`);
  if (p.rate) parts.push(p.rate);
  if (p.eta) parts.push(`ETA ${p.eta}`);
  return parts.join(' ') || '-';
}
