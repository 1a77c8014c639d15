/** Small playwright helpers for the VS Code workbench DOM. */
import type { Locator, Page } from 'playwright-core';

export async function openWorkbench(page: Page, url: string): Promise<void> {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
}

/** Runs a command from the command palette by its full title (`Cloud Jobs: Run on EC2`). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** The visible quick input box (after a command asked for text). */
export function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-box input');
}

/** Types into the quick input whose title contains `title` (waits for that one, not the previous). */
export async function answerInput(page: Page, value: string, title?: string): Promise<void> {
  if (title) await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  const input = quickInput(page);
  await input.waitFor({ state: 'visible', timeout: 30_000 });
  await input.fill(value);
  await page.keyboard.press('Enter');
}

/** A modal dialog's button by its exact label ("Run" is not "Run Without Sync"). */
export function dialogButton(page: Page, label: string): Locator {
  const exact = new RegExp(`^\\s*${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  return page.locator('.monaco-dialog-box .dialog-buttons a.monaco-button, .monaco-dialog-box .dialog-buttons .monaco-button', { hasText: exact }).first();
}

/** A tree row of the Cloud Jobs view whose accessible label starts with the job name. */
export function jobRow(page: Page, name: string, state?: string): Locator {
  const base = page.locator(`.monaco-list-row[role="treeitem"][aria-label^="${name},"]`);
  return state ? page.locator(`.monaco-list-row[role="treeitem"][aria-label^="${name}, ${state}"]`) : base;
}

export function toast(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}
