/**
 * The suite's side of the UI bridge (test/vscode/harness/uiBridge.ts): which notifications
 * the real workbench showed, and clicking their buttons as a user would.
 */
import { existsSync, readFileSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { SeenUi } from '../harness/uiBridge';
import { waitFor } from './util';

function bridgeDir(): string {
  const dir = process.env.ORCH_UI_BRIDGE;
  if (!dir) throw new Error('ORCH_UI_BRIDGE is not set: the runner must start the UI bridge');
  return dir;
}

/**
 * With the smoke-test driver the workbench shows no toasts: notifications are read in the
 * notification center, which hides itself when its last notification goes, so it is shown again
 * whenever the suite looks.
 */
function showCenter(): Thenable<unknown> {
  return vscode.commands.executeCommand('notifications.showList');
}

/** Empties the notification center (so that new notifications are in view) and shows it. */
export async function freshNotifications(): Promise<void> {
  await vscode.commands.executeCommand('notifications.clearAll');
  await showCenter();
}

/** Every notification seen so far, in order. */
export function seenUi(): SeenUi[] {
  const text = readFileSync(join(bridgeDir(), 'seen.jsonl'), 'utf8');
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as SeenUi);
}

/** A mark to look only at what appears after it. */
export function uiMark(): number {
  return seenUi().length;
}

/** Toasts seen since `mark` whose text matches. */
export function notificationsSince(mark: number, match?: string | RegExp): SeenUi[] {
  return seenUi()
    .slice(mark)
    .filter((s) => match === undefined || (typeof match === 'string' ? s.text.includes(match) : match.test(s.text)));
}

/** Like `notificationsSince`, after the center was shown and the bridge had time to read it all. */
export async function settledNotificationsSince(mark: number, match?: string | RegExp): Promise<SeenUi[]> {
  await showCenter();
  await new Promise((r) => setTimeout(r, 800));
  return notificationsSince(mark, match);
}

/** Waits for a notification seen since `mark` whose text matches. */
export async function waitForNotification(mark: number, match: string | RegExp, timeoutMs = 30_000): Promise<SeenUi> {
  try {
    return await waitFor(`a notification matching ${String(match)}`, async () => {
      await showCenter();
      return notificationsSince(mark, match)[0];
    }, timeoutMs);
  } catch (e) {
    const state = existsSync(join(bridgeDir(), 'state.txt')) ? readFileSync(join(bridgeDir(), 'state.txt'), 'utf8') : 'unknown';
    throw new Error(`${(e as Error).message}; seen since the mark: ${JSON.stringify(seenUi().slice(mark).map((s) => s.text))}; the workbench shows ${state}`);
  }
}

let requests = 0;

/** Clicks `button` on a notification containing `match`; resolves with its text. */
export async function clickNotification(button: string, match?: string, timeoutMs = 30_000): Promise<string> {
  const id = `${process.pid}-${Date.now()}-${++requests}`;
  const dir = bridgeDir();
  writeFileSync(join(dir, `tmp-${id}`), JSON.stringify({ id, kind: 'notification', button, match }));
  renameSync(join(dir, `tmp-${id}`), join(dir, `req-${id}.json`));
  const done = join(dir, `done-${id}.json`);
  try {
    await waitFor(`"${button}" clicked on a notification${match ? ` with "${match}"` : ''}`, async () => {
      await showCenter();
      return existsSync(done);
    }, timeoutMs);
  } catch (e) {
    // do not leave the request behind for a later notification
    try {
      renameSync(join(dir, `req-${id}.json`), join(dir, `abandoned-${id}.json`));
    } catch {
      // the runner took it just now
    }
    throw e;
  }
  return (JSON.parse(readFileSync(done, 'utf8')) as { clicked: string }).clicked;
}

/** Stops (`kill`) or starts again (`restart`, same port and key) the test sshd, through the runner. */
export async function hostControl(action: 'kill' | 'restart'): Promise<void> {
  const id = `${process.pid}-${Date.now()}-${++requests}`;
  const dir = bridgeDir();
  writeFileSync(join(dir, `tmp-host-${id}`), JSON.stringify({ id, action }));
  renameSync(join(dir, `tmp-host-${id}`), join(dir, `host-${id}.json`));
  await waitFor(`the runner to ${action} sshd`, () => existsSync(join(dir, `host-done-${id}.json`)), 30_000);
}
