/**
 * The suite's side of the UI bridge (test/vscode/harness/uiBridge.ts): which notification toasts
 * the real workbench showed, and clicking their buttons as a user would.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import type { SeenUi } from '../harness/uiBridge';
import { waitFor } from './util';

function bridgeDir(): string {
  const dir = process.env.ORCH_UI_BRIDGE;
  if (!dir) throw new Error('ORCH_UI_BRIDGE is not set: the runner must start the UI bridge');
  return dir;
}

/** Every toast seen so far, in order. */
export function seenUi(): SeenUi[] {
  const text = readFileSync(join(bridgeDir(), 'seen.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SeenUi);
}

/** A mark to look only at what appears after it. */
export function uiMark(): number {
  return seenUi().length;
}

/** Toasts seen since `mark` whose text matches. */
export function toastsSince(mark: number, match?: string | RegExp): SeenUi[] {
  return seenUi()
    .slice(mark)
    .filter((s) => match === undefined || (typeof match === 'string' ? s.text.includes(match) : match.test(s.text)));
}

/** Waits for a toast seen since `mark` whose text matches. */
export function waitForToast(mark: number, match: string | RegExp, timeoutMs = 30_000): Promise<SeenUi> {
  return waitFor(`a toast matching ${String(match)}`, () => toastsSince(mark, match)[0], timeoutMs);
}

let requests = 0;

/** Clicks `button` on a visible toast containing `match`; resolves with the toast's text. */
export async function clickToast(button: string, match?: string, timeoutMs = 30_000): Promise<string> {
  const id = `${process.pid}-${Date.now()}-${++requests}`;
  const dir = bridgeDir();
  writeFileSync(join(dir, `tmp-${id}`), JSON.stringify({ id, kind: 'toast', button, match }));
  renameSync(join(dir, `tmp-${id}`), join(dir, `req-${id}.json`));
  const done = join(dir, `done-${id}.json`);
  try {
    await waitFor(`"${button}" clicked on a toast${match ? ` with "${match}"` : ''}`, () => existsSync(done), timeoutMs);
  } catch (e) {
    // do not leave the request behind for a later toast
    try {
      renameSync(join(dir, `req-${id}.json`), join(dir, `abandoned-${id}.json`));
    } catch {
      // the runner took it just now
    }
    throw e;
  }
  return (JSON.parse(readFileSync(done, 'utf8')) as { clicked: string }).clicked;
}
