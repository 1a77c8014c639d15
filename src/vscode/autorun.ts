// AUTORUN (the protocol's AUTORUN block): how a task the routing policy decided proceeds. Pure,
// so every mode is unit-tested.

import { whereOf, type ComputeTarget, type Where } from '../core/jobs/where';

export type AutorunMode = 'off' | 'confirm' | 'full';

export type RouteStep =
  /** Run there without asking. */
  | { kind: 'run'; where: Where }
  /** The policy says cloud: show its reasons and ask before sending (confirm). */
  | { kind: 'confirm' }
  /** No automatic routing: ask where, the workspace's COMPUTE_TARGET offered first (off). */
  | { kind: 'ask' };

/**
 * `full`: run where the policy decided (AUTORUN_FULL). `confirm`: a cloud decision is shown with
 * its reasons and confirmed first; a local one runs here. `off`: the policy only advises; the
 * user picks every time. A target written in the task itself is the user's own choice: never asked.
 */
export function routeStep(mode: AutorunMode, decided: Where, explicit?: Where): RouteStep {
  if (explicit) return { kind: 'run', where: explicit };
  if (mode === 'full') return { kind: 'run', where: decided };
  if (mode === 'confirm') return decided === 'cloud' ? { kind: 'confirm' } : { kind: 'run', where: 'local' };
  return { kind: 'ask' };
}

/** The order of the choices when asking (`off`): the workspace's COMPUTE_TARGET first. */
export function choiceOrder(computeTarget: ComputeTarget | undefined): Where[] {
  return computeTarget && whereOf(computeTarget) === 'cloud' ? ['cloud', 'local'] : ['local', 'cloud'];
}

/** Whether Run on EC2 (an explicit request for the host) asks before starting. */
export function runOnEc2Asks(mode: AutorunMode): boolean {
  return mode !== 'full';
}
