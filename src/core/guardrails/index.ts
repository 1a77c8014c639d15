/** Guardrails L1–L4 (docs/guardrails.md): what callers outside the engine use. */
export { checkPattern, DEFAULT_NO_RETRY_PATTERNS, DEFAULT_WATCH_PATTERNS, type WatchPattern } from './patterns';
export {
  backoffSeconds,
  checkGuardrails,
  defaultGuardrails,
  isRetriedExit,
  parseRetryExit,
  runGuardrailsOf,
  type GuardrailSettings,
  type RetryExitPolicy,
  type RetrySettings,
  type RunGuardrails,
  type WatchSettings,
} from './settings';
export { createLogWatcher, describeMatch, lineAt, type LogMatch, type LogWatcher, type LogWatchOptions } from './logWatch';
export { loadGuardrails, parseGuardrails, resolveGuardrails, type ResolvedGuardrails } from './load';
export { rollbackDone, rollbackJob, rollbackQuestion, type RollbackOptions, type RollbackResult } from './rollback';
