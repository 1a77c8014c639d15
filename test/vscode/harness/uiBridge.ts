/**
 * Lets the extension-host suite see and answer what a user sees: the runner watches the real
 * workbench DOM (notifications) through playwright, records each one as it appears, and clicks a
 * button when the suite asks. With the smoke-test driver on, the workbench shows no toasts, so
 * the suite opens the notification center (`notifications.showList`) and the bridge reads its
 * rows. (Modal dialogs cannot be tested this way: the workbench refuses them while extension
 * tests run, so dialogs are covered by the e2e run.) The two sides
 * talk through files in a directory both can read (ORCH_UI_BRIDGE): `seen.jsonl` (what appeared,
 * in order) and `req-<id>.json` → `done-<id>.json` (click requests and their outcome). No
 * production code knows about it. The suite side is test/vscode/suite/ui.ts.
 */
import { appendFileSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** One notification as it appeared. */
export interface SeenUi {
  kind: 'notification';
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
  kind: 'notification';
  /** The button to click (exact label). */
  button: string;
  /** Only a notification whose text contains this. */
  match?: string;
}

const POLL_MS = 250;

/** What the suite may do to the test sshd (`host-<id>.json` → `host-done-<id>.json`), to see a host go away and come back. */
export interface HostControl {
  kill(): Promise<void>;
  restart(): Promise<void>;
}

/** Starts watching `page`; returns a stop function. */
export function startUiBridge(page: Page, dir: string, host?: HostControl): () => Promise<void> {
  let stopped = false;
  const seenFile = join(dir, 'seen.jsonl');
  writeFileSync(seenFile, '');
  let ticks = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        const found = (await page.evaluate(COLLECT_NEW)) as Omit<SeenUi, 'at'>[];
        // what the notification center shows now, for the suite's failure messages
        if (++ticks % 4 === 0) writeFileSync(join(dir, 'state.txt'), String(await page.evaluate(DEBUG_STATE)));
        for (const f of found) appendFileSync(seenFile, JSON.stringify({ ...f, at: Date.now() }) + '\n');
        for (const file of readdirSync(dir).filter((n) => n.startsWith('host-') && !n.startsWith('host-done-'))) {
          const req = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { id: string; action: 'kill' | 'restart' };
          renameSync(join(dir, file), join(dir, `handled-${file}`));
          if (host) await host[req.action]();
          writeFileSync(join(dir, `host-done-${req.id}.json`), JSON.stringify({ done: host !== undefined }));
        }
        for (const file of readdirSync(dir).filter((n) => n.startsWith('req-'))) {
          const req = JSON.parse(readFileSync(join(dir, file), 'utf8')) as UiRequest;
          const clicked = (await page.evaluate(clickButtonSource(req))) as string | false;
          if (clicked) {
            writeFileSync(join(dir, `done-${req.id}.json.tmp`), JSON.stringify({ clicked }));
            renameSync(join(dir, `done-${req.id}.json.tmp`), join(dir, `done-${req.id}.json`));
            renameSync(join(dir, file), join(dir, `handled-${file}`));
          }
        }
      } catch (e) {
        // the page is navigating or closing; try again on the next tick
        if (process.env.VERBOSE) console.log(`[ui bridge] ${String(e)}`);
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

const DEBUG_STATE = `(() => { const c = document.querySelector('.notifications-center'); return 'center: ' + (c ? c.className : 'none') + '; rows: ' + [...document.querySelectorAll('.notification-list-item-message')].map((m) => JSON.stringify(m.textContent)).join(', '); })()`;

const COLLECT_NEW = String.raw`(() => {
  const out = [];
  const text = (el) => ((el && el.textContent) || '').replace(/\s+/g, ' ').trim();
  const seen = (window.__orchBridgeSeen = window.__orchBridgeSeen || new Set());
  for (const el of document.querySelectorAll('.notification-list-item')) {
    const message = text(el.querySelector('.notification-list-item-message'));
    // rows of the center's list are recycled: a notice is known by its text (the workbench
    // itself replaces a notification by an identical one)
    if (!message || seen.has(message)) continue;
    seen.add(message);
    const iconEl = el.querySelector('.notification-list-item-icon');
    const icon = iconEl ? iconEl.className : '';
    const severity = /error/.test(icon) ? 'error' : /warning/.test(icon) ? 'warning' : 'info';
    const buttons = [...el.querySelectorAll('.notification-list-item-buttons-container .monaco-button')].map(text).filter(Boolean);
    out.push({ kind: 'notification', text: message, buttons, severity });
  }
  return out;
})()`;

function clickButtonSource(req: UiRequest): string {
  return String.raw`((req) => {
  const containers = document.querySelectorAll('.notification-list-item');
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
