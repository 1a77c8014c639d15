/** Ports a job serves (PRODUCT.md §9): `--publish P[:L]`, like `docker run -p` but remote first. */
import { usageError } from '../errors';

export interface PortSpec {
  /** The port the job listens on, on the host's 127.0.0.1. */
  port: number;
  /** The local port to forward from; undefined: the same as `port`, or a free one when it is taken. */
  local?: number;
}

function portNumber(text: string, what: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw usageError(`${what}: "${text}" is not a port (1-65535); write P or P:L, e.g. 6006 or 6006:16006.`);
  return n;
}

/** `6006` or `6006:16006` (host port, then local port). */
export function parsePortSpec(text: string, what = '--publish'): PortSpec {
  const [p, l, extra] = text.split(':');
  if (extra !== undefined || p === undefined) throw usageError(`${what}: "${text}" is not P or P:L.`);
  const port = portNumber(p, what);
  return l === undefined ? { port } : { port, local: portNumber(l, what) };
}

export function formatPortSpec(s: PortSpec): string {
  return s.local === undefined || s.local === s.port ? String(s.port) : `${s.port}:${s.local}`;
}

/** The ports recorded in a job's meta.json (anything malformed is left out). */
export function portsOf(value: unknown): PortSpec[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v): PortSpec[] => {
    if (typeof v !== 'object' || v === null) return [];
    const { port, local } = v as { port?: unknown; local?: unknown };
    if (typeof port !== 'number' || !Number.isInteger(port)) return [];
    return [typeof local === 'number' ? { port, local } : { port }];
  });
}
