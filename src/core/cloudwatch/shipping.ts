/**
 * CloudWatch Logs for important jobs (PRODUCT.md §7): what `orch run --cloudwatch` sends to the
 * host (src/host/lib/cloudwatch.sh ships from the box), and what list reports back about it, as
 * `list --json`, `status` and the tree show it. Pure; unit-tested.
 */
import { usageError } from '../errors';

/** How far a job's log has reached CloudWatch. */
export interface CloudWatchShipping {
  group: string;
  stream: string;
  /** Lines of run.log shipped so far. */
  linesShipped: number;
  /** Bytes of run.log not shipped yet (0 once everything is). */
  lagBytes: number;
  /** done: all shipped (the job ended); shipping: the shipper is at it; waiting: no shipper now (the next status starts it again). */
  state: 'done' | 'shipping' | 'waiting';
  /** The last failure of the AWS CLI (until a call succeeds), or null. */
  error: string | null;
  /** When that failure happened (ISO 8601), or null. */
  errorAt: string | null;
}

/** CloudWatch's own rule for log group names. */
const GROUP_RE = /^[A-Za-z0-9_\-./#]{1,512}$/;

/** The group as given (flag, hosts.yaml, ORCH_CLOUDWATCH), checked; a usage error says the rule. */
export function checkLogGroup(group: string, from: string): string {
  const g = group.trim();
  if (!GROUP_RE.test(g)) {
    throw usageError(`${from} "${group}" is not a CloudWatch log group name (1-512 of A-Z a-z 0-9 _ - . / #).`);
  }
  return g;
}

/** The group of a bare `--cloudwatch` on a host without one: /orch/<project>, other characters as "-". */
export function defaultLogGroup(project: string): string {
  return `/orch/${project.replace(/[^A-Za-z0-9_\-.#]/g, '-')}`.slice(0, 512);
}

/** run's `cloudwatch` field: the group, a newline, the region (empty: the box's own AWS config); empty for off. */
export function cloudWatchField(group: string | undefined, region: string | undefined): string {
  return group ? `${group}\n${region ?? ''}` : '';
}

/** Parses list's `cloudwatch` field (lib/cloudwatch-state.sh `cw_emit`); null when absent. */
export function parseCloudWatch(text: string | undefined): CloudWatchShipping | null {
  if (text === undefined) return null;
  const [group = '', stream = '', lines = '0', lag = '0', state = 'shipping', err = ''] = text.split('\t');
  const m = /^(\d+) (.*)$/s.exec(err);
  return {
    group,
    stream,
    linesShipped: Number(lines) || 0,
    lagBytes: Number(lag) || 0,
    state: state === 'done' || state === 'waiting' ? state : 'shipping',
    error: m ? m[2]!.trim() || null : null,
    errorAt: m ? new Date(Number(m[1]) * 1000).toISOString() : null,
  };
}

/** How far it got: "20,001 lines shipped", "..., 3.2 KB behind", "...; retrying: <the CLI's error>". */
export function cloudWatchProgress(c: CloudWatchShipping): string {
  const lines = `${c.linesShipped.toLocaleString('en-US')} line${c.linesShipped === 1 ? '' : 's'} shipped`;
  const behind = c.state !== 'done' && c.lagBytes > 0 ? `, ${sizeText(c.lagBytes)} behind` : '';
  return `${lines}${behind}${c.error ? `; retrying: ${c.error}` : ''}`;
}

/** The listing's line under the table: "train: CloudWatch /orch/x (stream train-...): 20,001 lines shipped". */
export function cloudWatchLine(name: string, c: CloudWatchShipping): string {
  return `${name}: CloudWatch ${c.group} (stream ${c.stream}): ${cloudWatchProgress(c)}`;
}

/** `512 B`, `3.2 KB`, `1.5 MB`. */
export function sizeText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
