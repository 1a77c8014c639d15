/**
 * Lets the extension-host suite see and answer what a user sees: the runner watches the real
 * workbench DOM (notification toasts) through playwright, records each one as it appears, and
 * clicks a button when the suite asks. (Modal dialogs cannot be tested this way: the workbench
 * refuses them while extension tests run, so dialogs are covered by the e2e run.) The two sides
 * talk through files in a directory both can read (ORCH_UI_BRIDGE): `seen.jsonl` (what appeared,
 * in order) and `req-<id>.json` → `done-<id>.json` (click requests and their outcome). No
 * production code knows about it. The suite side is test/vscode/suite/ui.ts.
 */
import { appendFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** One notification toast as it appeared. */
export interface SeenUi {
  kind: 'toast';
  /** The message. */
  text: string;
  /** Button labels in DOM order. */
  buttons: string[];
  /** `info`, `warning` or `error` (from the icon). */
  severity: string;
  at: number;
}

export interface UiRequest {
  id: string;
  kind: 'toast';
  /** The button to click (exact label). */
  button: string;
  /** Only a toast whose text contains this. */
  match?: string;
}

const POLL_MS = 250;

/** Starts watching `page`; returns a stop function. */
export function startUiBridge(page: Page, dir: string): () => Promise<void> {
  let stopped = false;
  const seenFile = join(dir, 'seen.jsonl');
  writeFileSync(seenFile, '');
  const loop = (async () => {
    while (!stopped) {
      try {
        const found = (await page.evaluate(COLLECT_NEW)) as Omit<SeenUi, 'at'>[];
        for (const f of found) appendFileSync(seenFile, JSON.stringify({ ...f, at: Date.now() }) + '\n');
        for (const file of readdirSync(dir).filter((n) => n.startsWith('req-'))) {
          const req = JSON.parse(readFileSync(join(dir, file), 'utf8')) as UiRequest;
          const clicked = (await page.evaluate(clickButtonSource(req))) as string | false;
          if (clicked) {
            writeFileSync(join(dir, `done-${req.id}.json.tmp`), JSON.stringify({ clicked }));
            renameSync(join(dir, `done-${req.id}.json.tmp`), join(dir, `done-${req.id}.json`));
            renameSync(join(dir, file), join(dir, `handled-${file}`));
          }
        }
      } catch {
        // the page is navigating or closing; try again on the next tick
      }
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
  };
}

// Page-side code as source text: tsx's transform (keepNames) would add helpers that do not exist
// in the page if these were functions serialized by playwright.

const COLLECT_NEW = String.raw`(() => {
  const out = [];
  const text = (el) => ((el && el.textContent) || '').replace(/\s+/g, ' ').trim();
  for (const el of document.querySelectorAll('.notifications-toasts .notification-toast')) {
    const message = text(el.querySelector('.notification-list-item-message'));
    if (!message || el.dataset.bridgeSeen === message) continue;
    el.dataset.bridgeSeen = message;
    const iconEl = el.querySelector('.notification-list-item-icon');
    const icon = iconEl ? iconEl.className : '';
    const severity = /error/.test(icon) ? 'error' : /warning/.test(icon) ? 'warning' : 'info';
    const buttons = [...el.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map(text).filter(Boolean);
    out.push({ kind: 'toast', text: message, buttons, severity });
  }
  return out;
})()`;

function clickButtonSource(req: UiRequest): string {
  return String.raw`((req) => {
  const containers = document.querySelectorAll('.notifications-toasts .notification-toast');
  const buttonSel = '.notification-list-item-buttons-container .monaco-button';
  for (const c of containers) {
    const all = (c.textContent || '').replace(/\s+/g, ' ');
    if (req.match && !all.includes(req.match)) continue;
    const button = [...c.querySelectorAll(buttonSel)].find((b) => (b.textContent || '').trim() === req.button);
    if (button) {
      button.click();
      return all.trim().slice(0, 300);
    }
  }
  return false;
})(${JSON.stringify(req)})`;
}
