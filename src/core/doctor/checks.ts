/**
 * `orch doctor` (PRODUCT.md §12): the host's facts (src/host/ops/doctor.sh, one per line) judged
 * into one line per check, each saying what to do when it fails. Pure, so every verdict is unit
 * tested without a broken host at hand.
 */

/** `skip`: not checked (a stopped EC2 box is not connected to); neither passed nor failed. */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'skip';

export interface CheckLine {
  check: string;
  status: CheckStatus;
  /** What was found, and on warn or fail what to do. */
  text: string;
}

/** What the judging needs from the client's side. */
export interface DoctorContext {
  logMode: 'private' | 'group';
  /** The laptop's clock (ms since the epoch) when the call was sent and when its answer came. */
  sentAt: number;
  receivedAt: number;
  /** A Slurm host (PRODUCT.md §8) runs jobs under sbatch, so it needs no tmux. */
  slurm?: boolean;
  /** The host has autostop (§7), which only cron can run: no crontab is then a failure. */
  autostopMinutes?: number;
  /** The host ships every job's log to this CloudWatch Logs group (`cloudwatch:`), with the box's own AWS CLI. */
  cloudwatch?: string;
}

/** The runner's tools (lib/*.sh), and the two it has fallbacks for. */
export const REQUIRED_TOOLS = ['setsid', 'tail', 'stat', 'grep', 'sed', 'find', 'head', 'cut', 'tr', 'mkdir', 'mv'] as const;
export const OPTIONAL_TOOLS = ['flock', 'cksum'] as const;

const MB = 1024; // df's 1K blocks
export const DISK_FAIL_KB = 200 * MB;
export const DISK_WARN_KB = 1024 * MB;
/** Skew beyond the call's own uncertainty (half its round trip) that is flagged, in seconds. */
export const SKEW_WARN_S = 2;
export const SKEW_FAIL_S = 30;

const INSTALL = (pkg: string) => `sudo apt-get install -y ${pkg} (Debian/Ubuntu), sudo dnf install -y ${pkg} (Amazon Linux) or apk add ${pkg} (Alpine)`;

type Facts = Map<string, string[][]>;

export function parseFacts(text: string): Facts {
  const facts: Facts = new Map();
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [key = '', ...values] = line.split('\t');
    facts.set(key, [...(facts.get(key) ?? []), values]);
  }
  return facts;
}

const one = (facts: Facts, key: string): string[] => facts.get(key)?.[0] ?? [];

/** The last line of a host's report: how many checks failed or passed, and whether its host checks were skipped. */
export function doctorSummary(name: string, lines: readonly CheckLine[]): string {
  const run = lines.filter((l) => l.status !== 'skip').length;
  const failed = lines.filter((l) => l.status === 'fail').length;
  const skipped = lines.some((l) => l.status === 'skip') ? '; its host checks were skipped' : '';
  if (failed) return `${failed} of ${run} checks failed on ${name}${skipped}.`;
  return skipped ? `${run} checks passed on ${name}${skipped}.` : `All ${run} checks passed on ${name}.`;
}

export function judge(text: string, ctx: DoctorContext): CheckLine[] {
  const facts = parseFacts(text);
  const lines = [bash(facts), tmux(facts, ctx.slurm === true), tools(facts), cron(facts, ctx.autostopMinutes), disk(facts), root(facts, ctx.logMode), clock(facts, ctx), linger(facts), compress(facts)];
  if (ctx.slurm) lines.splice(2, 0, slurm(facts));
  if (ctx.cloudwatch) lines.push(cloudwatch(facts, ctx.cloudwatch));
  return lines;
}

/** A host whose jobs all ship to CloudWatch needs `aws` where the shipper runs: without it every run is refused. */
function cloudwatch(f: Facts, group: string): CheckLine {
  const [path = ''] = one(f, 'aws');
  if (path) return { check: 'cloudwatch', status: 'ok', text: `aws (${path}) ships every job's log to ${group} from the host` };
  return {
    check: 'cloudwatch',
    status: 'fail',
    text: `no aws on the PATH of a non-interactive SSH session, and this host ships every job's log to ${group} (cloudwatch:), so every run there is refused: install the AWS CLI (${INSTALL('awscli')}, or https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html)`,
  };
}

function slurm(f: Facts): CheckLine {
  const [sbatch = '', squeue = ''] = one(f, 'slurm');
  const missing = [sbatch ? '' : 'sbatch', squeue ? '' : 'squeue'].filter(Boolean);
  if (missing.length === 0) return { check: 'slurm', status: 'ok', text: `sbatch (${sbatch}), squeue (${squeue})` };
  return {
    check: 'slurm',
    status: 'fail',
    text: `no ${missing.join(' or ')} on the PATH of a non-interactive SSH session: add the Slurm bin dir to PATH in ~/.bashrc (before its "not interactive" return) or log in to the cluster's head node`,
  };
}

export function bashLine(version: string): CheckLine {
  const major = Number.parseInt(version, 10);
  if (major >= 4) return { check: 'bash', status: 'ok', text: `bash ${version}` };
  return {
    check: 'bash',
    status: 'fail',
    text: `bash ${version || '(unknown)'}; orch needs bash 4 or later: install it (${INSTALL('bash')}; brew install bash on macOS) so that it comes first on the PATH of a non-interactive SSH session`,
  };
}

function bash(f: Facts): CheckLine {
  return bashLine(one(f, 'bash')[0] ?? '');
}

function tmux(f: Facts, slurm: boolean): CheckLine {
  const [path = '', version = ''] = one(f, 'tmux');
  if (!path && slurm) return { check: 'tmux', status: 'ok', text: 'not installed, and not needed: jobs run under Slurm' };
  if (!path) return { check: 'tmux', status: 'fail', text: `not installed: install it with ${INSTALL('tmux')}` };
  return { check: 'tmux', status: 'ok', text: `${version || 'tmux'} (${path})` };
}

function tools(f: Facts): CheckLine {
  const rows = f.get('tool') ?? [];
  const kind = new Map(rows.map(([name = '', path = '', k = '']) => [name, path ? k || 'gnu' : '']));
  const missing = REQUIRED_TOOLS.filter((t) => !kind.get(t));
  const absentOptional = OPTIONAL_TOOLS.filter((t) => !kind.get(t));
  const busybox = [...kind].filter(([, k]) => k === 'busybox').map(([t]) => t);
  const present = [...kind].filter(([, k]) => k);
  const userland = busybox.length === 0 ? 'GNU' : busybox.length === present.length ? 'busybox' : `GNU and busybox (${busybox.join(', ')})`;
  const fallbacks = absentOptional.length ? `; no ${absentOptional.join(', ')}: orch uses its own fallbacks` : '';
  if (missing.length) {
    return {
      check: 'tools',
      status: 'fail',
      text: `missing ${missing.join(', ')}: install coreutils, util-linux, findutils, grep and sed (or busybox)${fallbacks}`,
    };
  }
  return { check: 'tools', status: 'ok', text: `${userland}: ${REQUIRED_TOOLS.join(' ')}${fallbacks}` };
}

function cron(f: Facts, autostopMinutes: number | undefined): CheckLine {
  const [path = ''] = one(f, 'cron');
  if (path) return { check: 'cron', status: 'ok', text: `crontab (${path}): old logs are pruned hourly${autostopMinutes ? ', autostop checks for idle' : ''}` };
  if (autostopMinutes) {
    return { check: 'cron', status: 'fail', text: `no crontab, so nothing checks the box for idle: autostop (${autostopMinutes} min) cannot stop it; install cron (${INSTALL('cron')})` };
  }
  return {
    check: 'cron',
    status: 'warn',
    text: `no crontab: old logs are pruned only when a job starts, and an EC2 box cannot stop itself when idle; install cron (${INSTALL('cron')})`,
  };
}

function size(kb: number): string {
  if (kb < MB) return `${kb} KB`;
  return kb >= 1024 * MB ? `${(kb / (1024 * MB)).toFixed(1)} GB` : `${Math.round(kb / MB)} MB`;
}

function disk(f: Facts): CheckLine {
  const [dir = '', avail = ''] = one(f, 'disk');
  const kb = Number.parseInt(avail, 10);
  if (!Number.isFinite(kb)) return { check: 'disk', status: 'warn', text: `could not read the free space under ${dir || 'the log root'} (no df?)` };
  if (kb < DISK_FAIL_KB) return { check: 'disk', status: 'fail', text: `only ${size(kb)} free under ${dir}: jobs cannot start or write their logs; free some space or set ORCH_LOG_ROOT on a larger disk` };
  if (kb < DISK_WARN_KB) return { check: 'disk', status: 'warn', text: `${size(kb)} free under ${dir}: logs of long jobs may fill it; free some space` };
  return { check: 'disk', status: 'ok', text: `${size(kb)} free under ${dir}` };
}

function root(f: Facts, logMode: 'private' | 'group'): CheckLine {
  const [path = '', mode = '', owner = '', uid = '', writable = ''] = one(f, 'root');
  if (!mode && writable !== 'yes') {
    return { check: 'log root', status: 'ok', text: `${path} does not exist yet; the first run creates it (0700)` };
  }
  if (owner && uid && owner !== uid) return { check: 'log root', status: 'fail', text: `${path} belongs to uid ${owner}, not to you (uid ${uid}): set ORCH_LOG_ROOT to a dir of yours` };
  if (writable !== 'yes') return { check: 'log root', status: 'fail', text: `${path} is not writable: chmod u+w ${path}, or set ORCH_LOG_ROOT to a dir of yours` };
  const bits = Number.parseInt(mode, 8);
  const allowed = logMode === 'group' ? 0o750 : 0o700;
  if (Number.isFinite(bits) && (bits & ~allowed & 0o777) !== 0) {
    const who = bits & 0o007 ? 'everyone' : 'your group';
    const want = allowed.toString(8).padStart(4, '0');
    return {
      check: 'log root',
      status: 'fail',
      text: `${path} is ${mode.padStart(4, '0')}: ${who} can list the jobs in it (ORCH_LOG_MODE is ${logMode}); chmod ${want.slice(1)} ${path}, or let the next orch run tighten it to ${want}`,
    };
  }
  return { check: 'log root', status: 'ok', text: `${path} (${mode.padStart(4, '0')}, ${logMode})` };
}

function clock(f: Facts, ctx: DoctorContext): CheckLine {
  const [value = ''] = one(f, 'clock');
  const hostS = Number.parseFloat(value);
  if (!Number.isFinite(hostS)) return { check: 'clock', status: 'warn', text: 'could not read the host clock' };
  const mid = (ctx.sentAt + ctx.receivedAt) / 2000;
  const skew = hostS - mid;
  // The host read its clock somewhere within the round trip: skew below half of it is noise.
  const slack = (ctx.receivedAt - ctx.sentAt) / 2000;
  const beyond = Math.abs(skew) - slack;
  const told = `${Math.abs(skew).toFixed(1)} s ${skew >= 0 ? 'ahead of' : 'behind'} this computer`;
  const fix = 'enable NTP on the host (sudo timedatectl set-ntp true) or on this computer; start times and elapsed times are off by as much';
  if (beyond > SKEW_FAIL_S) return { check: 'clock', status: 'fail', text: `${told}: ${fix}` };
  if (beyond > SKEW_WARN_S) return { check: 'clock', status: 'warn', text: `${told}: ${fix}` };
  return { check: 'clock', status: 'ok', text: `within ${Math.max(0.1, Math.abs(skew)).toFixed(1)} s of this computer` };
}

function linger(f: Facts): CheckLine {
  const [kind = 'none', linger = '', kill = ''] = one(f, 'linger');
  if (kind === 'none') return { check: 'lingering', status: 'ok', text: 'no loginctl (no systemd logind): nothing ends tmux at logout' };
  if (kind === 'error' && /not been booted with systemd|Failed to connect to bus/i.test(linger)) {
    return { check: 'lingering', status: 'ok', text: 'systemd is not running: nothing ends tmux at logout' };
  }
  if (linger === 'yes') return { check: 'lingering', status: 'ok', text: 'systemd lingering is on: tmux outlives your SSH sessions' };
  if (kill === 'no') return { check: 'lingering', status: 'ok', text: 'lingering is off, but logind keeps your processes at logout (KillUserProcesses=no)' };
  const status = kill === 'yes' ? 'fail' : 'warn';
  const why = kill === 'yes' ? 'systemd kills tmux and its jobs when your last SSH session ends' : 'systemd may kill tmux and its jobs when your last SSH session ends';
  return { check: 'lingering', status, text: `lingering is off and ${why}: run "sudo loginctl enable-linger $USER" on the host` };
}

function compress(f: Facts): CheckLine {
  const have = new Map((f.get('compress') ?? []).map(([tool = '', path = '']) => [tool, path]));
  if (have.get('zstd')) return { check: 'compression', status: 'ok', text: 'zstd: logs, pulls and sync uploads travel compressed' };
  if (have.get('gzip')) return { check: 'compression', status: 'ok', text: 'gzip (zstd is faster: install zstd)' };
  return { check: 'compression', status: 'warn', text: `neither zstd nor gzip: logs, pulls and sync uploads travel uncompressed; install zstd (${INSTALL('zstd')})` };
}

/** The lines as printed: a fixed-width status and check name, then the text. */
export function formatLines(lines: readonly CheckLine[]): string[] {
  const width = Math.max(...lines.map((l) => l.check.length));
  return lines.map((l) => `${l.status === 'fail' ? 'FAIL' : l.status.padEnd(4)}  ${l.check.padEnd(width)}  ${l.text}`);
}
