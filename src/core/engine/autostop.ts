/**
 * The host's idle clock (PRODUCT.md §7 autostop), as src/host/lib/autostop.sh reports it, and
 * what `orch box status` and the tree make of it. Pure; unit-tested.
 */
import type { OrchConfig } from '../config/types';

export interface AutostopStatus {
  /** Idle seconds after which the host acts. */
  seconds: number;
  /** Seconds the host has been idle (0 while something keeps it up). */
  idleSeconds: number;
  /** What keeps it up now ("job train is active", "ubuntu is logged in on pts/0", ...), or null. */
  busy: string | null;
  /** The action of this idle period, once taken: seconds ago, `running` or its exit status, its output. */
  action: { secondsAgo: number; status: 'running' | number; output: string } | null;
  /** Why no check runs on the host (no crontab), or null. */
  error: string | null;
}

/** run's `idle` field: the seconds, a newline, the command (empty: the default); empty when autostop is off. */
export function autostopField(config: OrchConfig): string {
  const m = config.autostopMinutes;
  return m === undefined || !(m > 0) ? '' : `${Math.max(1, Math.round(m * 60))}\n${config.autostopCommand ?? ''}`;
}

/** The local target is the user's own machine: autostop never applies to it. */
export function withoutAutostop(config: OrchConfig): OrchConfig {
  return { ...config, autostopMinutes: undefined, autostopCommand: undefined };
}

/** Parses op_autostop's NUL-separated pairs; undefined when autostop is off on the host. */
export function parseAutostop(out: Buffer | string): AutostopStatus | undefined {
  const parts = out.toString().split('\0');
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < parts.length; i += 2) f[parts[i]!] = parts[i + 1]!;
  if (f.seconds === undefined) return undefined;
  const idle = Number(f.idle) || 0;
  let action: AutostopStatus['action'] = null;
  if (f.acted !== undefined) {
    const [ago = '0', st = ''] = f.acted.split(' ');
    const secondsAgo = Number(ago) || 0;
    // An action before the current idle period started is history, not this period's.
    if (f.busy === undefined && secondsAgo <= idle) action = { secondsAgo, status: st === 'running' ? 'running' : Number(st), output: f.output ?? '' };
  }
  return { seconds: Number(f.seconds) || 0, idleSeconds: idle, busy: f.busy ?? null, action, error: f.error ?? null };
}

/** When the host will act (ISO 8601, from this machine's clock), or null: busy, already acted, or no check runs. */
export function autostopAt(s: AutostopStatus, now: number): string | null {
  if (s.busy !== null || s.action !== null || s.error !== null) return null;
  return new Date(now + Math.max(0, s.seconds - s.idleSeconds) * 1000).toISOString();
}

/** A failed action in one sentence, or null. */
export function autostopFailure(s: AutostopStatus): string | null {
  if (s.error !== null) return s.error;
  const a = s.action;
  if (!a || a.status === 'running' || a.status === 0) return null;
  return `the autostop command failed (exit ${a.status})${a.output ? `: ${a.output.split('\n')[0]}` : ''}`;
}
