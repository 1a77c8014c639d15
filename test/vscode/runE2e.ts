/**
 * `npm run test:e2e`: the packaged .vsix installed into a real workbench (code-server) driven by
 * headless Chromium, against the real sshd and tmux. It does what a user does: opens the Cloud
 * Jobs view, runs a job from the command palette, watches it go RUNNING then DONE, reads its log
 * channel, stops another job, reads the status bar, and sees Restricted Mode refuse to run.
 * Screenshots land in test-results/vscode-e2e/ (the best are copied to docs/images/ by hand).
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { startSshd, type TestSshd } from '../integration/harness/sshd';
import { launchBrowser } from './harness/browser';
import { REPO } from './harness/build';
import { startCodeServer } from './harness/codeServer';
import { toolsOrExit, type WorkbenchTools } from './harness/tools';
import { answerInput, dialogButton, jobRow, openWorkbench, quickInput, runCommand, toast } from './harness/ui';
import { makeWorkspace } from './harness/workspace';
import { seedJobs } from './harness/seed';

const SHOTS = join(REPO, 'test-results/vscode-e2e');
const t0 = Date.now();
const log = (...a: unknown[]): void => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);

async function packageVsix(): Promise<string> {
  const out = join(REPO, 'dist/cloud-jobs.vsix');
  await promisify(execFile)('npm', ['run', '--silent', 'package'], { cwd: REPO, maxBuffer: 10 * 1024 * 1024 });
  return out;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  log('screenshot', name);
}

/** Opens a workspace file through Quick Open, retrying while file search results settle. */
async function openFile(page: Page, file: string, contains: string): Promise<void> {
  const editor = page.locator('.editor-group-container .monaco-editor .view-lines', { hasText: contains }).first();
  for (let attempt = 0; attempt < 5; attempt++) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('Control+P');
    await quickInput(page).fill(file);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: file }).first().waitFor({ timeout: 15_000 });
    await page.waitForTimeout(500);
    await page.keyboard.press('Enter');
    if (await editor.waitFor({ timeout: 5_000 }).then(() => true, () => false)) return;
  }
  throw new Error(`could not open ${file}`);
}

/** Runs a job through the palette: command, name, confirmation dialog. */
async function runJobFromPalette(page: Page, command: string, name: string, screenshotDialog?: string): Promise<void> {
  await runCommand(page, 'Cloud Jobs: Run on EC2');
  await answerInput(page, command, 'Run on EC2');
  await answerInput(page, name, 'job name');
  const run = dialogButton(page, 'Run');
  await run.waitFor({ state: 'visible', timeout: 30_000 });
  if (screenshotDialog) await shot(page, screenshotDialog);
  await run.click();
}

async function trustedFlow(tools: WorkbenchTools, dir: string, sshd: TestSshd, vsix: string): Promise<void> {
  const folder = makeWorkspace(join(dir, 'trusted'), sshd);
  await seedJobs(sshd);
  const server = await startCodeServer(tools, { dir: join(dir, 'trusted'), vsix, trust: false });
  const browser = await launchBrowser(tools);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    page.on('pageerror', (e) => log('pageerror', e.message));
    await openWorkbench(page, `${server.url}?folder=${encodeURIComponent(folder)}`);
    log('workbench ready');

    // 1. the Cloud Jobs view from its activity-bar icon
    const icon = page.locator('.part.activitybar .action-item a[aria-label^="Cloud Jobs"], .part.activitybar .action-item[aria-label^="Cloud Jobs"]').first();
    await icon.waitFor({ timeout: 60_000 });
    await icon.click();
    // a wider side bar, so descriptions (elapsed time, exit code) show in full
    const box = await page.locator('.part.sidebar').boundingBox();
    if (box) {
      const x = box.x + box.width + 1;
      const y = box.y + box.height / 2;
      await page.mouse.move(x, y);
      await page.mouse.down();
      await page.mouse.move(x + 170, y, { steps: 5 });
      await page.mouse.up();
    }
    await jobRow(page, 'demo-train-20261121-0910', 'failed').waitFor({ timeout: 60_000 });
    await jobRow(page, 'demo-backfill-20261121-0842', 'done').waitFor({ timeout: 30_000 });
    log('VIEW_OK: seeded jobs listed');

    // 2. run a job from the command palette, watch RUNNING then DONE
    const name = `demo-epochs-${Date.now().toString(36)}`;
    await runJobFromPalette(page, 'for i in 1 2 3 4 5 6; do echo "epoch $i/6: loss 0.$((90 - i * 12))"; sleep 1; done', name, '02-run-confirmation');
    await jobRow(page, name, 'running').waitFor({ timeout: 30_000 });
    log('RUNNING_OK');
    await page.waitForTimeout(400);
    await shot(page, '03-job-running');
    await jobRow(page, name, 'done').waitFor({ timeout: 60_000 });
    log('DONE_OK');

    // 3. its log channel, read from the Output view
    await jobRow(page, name).click();
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await output.filter({ hasText: '[EXIT: 0]' }).first().waitFor({ timeout: 30_000 });
    const text = (await output.first().innerText()).replace(/\u00a0/g, ' ');
    for (let i = 1; i <= 6; i++) if (!text.includes(`epoch ${i}/6`)) throw new Error(`log channel lacks "epoch ${i}/6": ${text}`);
    log('LOG_OK', JSON.stringify(text.split('\n').slice(-2)));
    await shot(page, '01-jobs-tree-and-log');

    // 4. stop another job from the tree's inline action, with confirmation
    const longName = `demo-server-${Date.now().toString(36)}`;
    await runJobFromPalette(page, 'echo "serving on :8000"; sleep 600', longName);
    const row = jobRow(page, longName, 'running');
    await row.waitFor({ timeout: 30_000 });
    await row.hover();
    await row.locator('.action-label[aria-label^="Stop"]').click();
    const stop = dialogButton(page, 'Stop');
    await stop.waitFor({ state: 'visible', timeout: 30_000 });
    await stop.click();
    await jobRow(page, longName, 'stopped').waitFor({ timeout: 30_000 });
    log('STOP_OK');

    // 5. the status-bar routing indicator and its tooltip, with a file open
    await openFile(page, 'train.py', 'range(3)');
    const item = page.locator('.statusbar-item', { hasText: 'local' }).filter({ hasText: 'cloud' }).first();
    await item.waitFor({ timeout: 30_000 });
    const label = (await item.innerText()).trim();
    if (!/local\s*·\s*cloud/.test(label)) throw new Error(`status bar reads "${label}"`);
    await item.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'COMPUTE_TARGET' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const tip = await hover.innerText();
    if (!/file: train\.py/.test(tip) || !/memory_unknown|llm_or_embedding|cloud/.test(tip)) throw new Error(`tooltip reads: ${tip}`);
    log('STATUSBAR_OK', JSON.stringify(label));
    await shot(page, '04-status-bar-tooltip');
  } catch (e) {
    const pages = browser.contexts()[0]?.pages() ?? [];
    if (pages[0]) await pages[0].screenshot({ path: join(SHOTS, '99-failure-trusted.png') }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function restrictedFlow(tools: WorkbenchTools, dir: string, sshd: TestSshd, vsix: string): Promise<void> {
  const folder = makeWorkspace(join(dir, 'restricted'), sshd);
  const server = await startCodeServer(tools, { dir: join(dir, 'restricted'), vsix, trust: true });
  const browser = await launchBrowser(tools);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await openWorkbench(page, `${server.url}?folder=${encodeURIComponent(folder)}`);
    await page.locator('.part.activitybar .action-item a[aria-label^="Cloud Jobs"], .part.activitybar .action-item[aria-label^="Cloud Jobs"]').first().click();
    await runCommand(page, 'Cloud Jobs: Run on EC2');
    const refusal = toast(page, 'Restricted Mode');
    await refusal.waitFor({ state: 'visible', timeout: 30_000 });
    log('RESTRICTED_OK', JSON.stringify((await refusal.innerText()).split('\n')[0]));
    await page.waitForTimeout(600);
    await shot(page, '05-restricted-mode');
  } catch (e) {
    const pages = browser.contexts()[0]?.pages() ?? [];
    if (pages[0]) await pages[0].screenshot({ path: join(SHOTS, '99-failure-restricted.png') }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await server.stop();
  }
}

async function main(): Promise<number> {
  const tools = toolsOrExit('test:e2e');
  mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'orch-vscode-e2e-'));
  const vsix = await packageVsix();
  log('packaged', vsix);
  const sshd = await startSshd();
  try {
    await trustedFlow(tools, dir, sshd, vsix);
    await restrictedFlow(tools, dir, sshd, vsix);
    log('E2E PASS');
    return 0;
  } finally {
    await sshd.stop();
    if (!process.env.KEEP_TMP) rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(`E2E FAIL: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
