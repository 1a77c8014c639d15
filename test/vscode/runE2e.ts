/**
 * `npm run test:e2e`: the packaged .vsix installed into a real workbench (code-server) driven by
 * headless Chromium, against the real sshd and tmux. It does what a user does: opens the Cloud
 * Jobs view, runs a job from the command palette, watches it go RUNNING then DONE, reads its log
 * channel, stops another job, filters the tree and stops two selected rows with one confirmation,
 * reads the status bar, sees Restricted Mode refuse to run, and runs a job on a stopped EC2 box
 * (the EC2 stand-in) with the one question that starts it.
 * Screenshots land in test-results/vscode-e2e/; with ORCH_E2E_DOC_IMAGES=1 a passing run also
 * copies them to docs/images/vscode-<name>.png, where README.md and docs/extension.md show them.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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
import { startTestBoxEnv } from './harness/ec2Box';

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

/** Runs a job through the palette: command, name, output dir (the default), confirmation dialog. */
async function runJobFromPalette(page: Page, command: string, name: string, screenshotDialog?: string, expectInDialog?: RegExp, button = 'Run'): Promise<void> {
  await runCommand(page, 'Cloud Jobs: Run on EC2');
  await answerInput(page, command, 'Run on EC2');
  await answerInput(page, name, 'job name');
  await page.locator('.quick-input-widget .quick-input-title', { hasText: 'output dir' }).waitFor({ state: 'visible', timeout: 30_000 });
  await page.keyboard.press('Enter');
  const run = dialogButton(page, button);
  await run.waitFor({ state: 'visible', timeout: 30_000 });
  if (expectInDialog) {
    const text = await page.locator('.monaco-dialog-box').first().innerText();
    if (!expectInDialog.test(text)) throw new Error(`the Run dialog reads: ${text}`);
  }
  if (screenshotDialog) await shot(page, screenshotDialog);
  await run.click();
}

/** A wider side bar, so descriptions (elapsed time, exit code, a box's state) show in full. */
async function widenSideBar(page: Page): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box) return;
  const x = box.x + box.width + 1;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + 170, y, { steps: 5 });
  await page.mouse.up();
  // off the sash, which stays highlighted while hovered
  await page.mouse.move(x + 600, y + 300);
}

async function trustedFlow(tools: WorkbenchTools, dir: string, sshd: TestSshd, vsix: string): Promise<void> {
  const folder = makeWorkspace(join(dir, 'trusted'), sshd);
  writeTasks(folder); // before the workbench starts, so its task list has them
  // a script the box has never seen: the first Run on EC2 must sync it there
  writeFileSync(join(folder, 'mnist.py'), 'import os, time\nfor epoch in range(1, 4):\n    print(f"epoch {epoch}/3: loss {1 / epoch:.3f}", flush=True)\n    time.sleep(1)\nos.makedirs("results", exist_ok=True)\nopen("results/metrics.json", "w").write("{\\"loss\\": 0.333}\\n")\n');
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
    await widenSideBar(page);
    await jobRow(page, 'demo-train-20261121-0910', 'failed').waitFor({ timeout: 60_000 });
    await jobRow(page, 'demo-backfill-20261121-0842', 'done').waitFor({ timeout: 30_000 });
    log('VIEW_OK: seeded jobs listed');

    // 2. the first run of a workspace script the box has never seen: synced, then run there
    const first = `demo-mnist-${Date.now().toString(36)}`;
    await runJobFromPalette(page, 'python3 mnist.py', first, '08-first-run-sync', /synced to .*work.* first/);
    await jobRow(page, first, 'done').waitFor({ timeout: 60_000 });
    log('FIRST_RUN_OK: mnist.py synced and run on the box');

    // a job that fails as it starts is announced as failed, with its last lines
    const broken = `demo-typo-${Date.now().toString(36)}`;
    await runJobFromPalette(page, 'python3 mnits.py', broken);
    const failedToast = toast(page, `${broken} failed`);
    await failedToast.waitFor({ state: 'visible', timeout: 30_000 });
    const failedText = await failedToast.innerText();
    if (!/exit 2/.test(failedText) || !/can't open file/.test(failedText)) throw new Error(`failure notice reads: ${failedText}`);
    if (await toast(page, `Started ${broken}`).isVisible()) throw new Error('a failed job was announced as started');
    await page.waitForTimeout(500);
    await shot(page, '09-failed-at-start');
    log('FAILED_NOTICE_OK');
    await page.keyboard.press('Escape');

    // the same name again (the typo fixed): the name box warns, Run on EC2 offers Replace and keeps the old log
    await runCommand(page, 'Cloud Jobs: Run on EC2');
    await answerInput(page, 'python3 mnist.py', 'Run on EC2');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'job name' }).waitFor({ state: 'visible', timeout: 30_000 });
    await quickInput(page).fill(broken);
    const inUse = page.locator('.quick-input-widget .quick-input-message', { hasText: 'Replace (keep the old log)' });
    await inUse.waitFor({ state: 'visible', timeout: 15_000 });
    const inUseText = await inUse.innerText();
    if (!inUseText.includes(`${broken} was used on 127.0.0.1 (failed, exit 2)`)) throw new Error(`the name box warns: ${inUseText}`);
    await shot(page, '12-name-in-use');
    await page.keyboard.press('Enter');
    await page.locator('.quick-input-widget .quick-input-title', { hasText: 'output dir' }).waitFor({ state: 'visible', timeout: 30_000 });
    await page.keyboard.press('Enter');
    const replace = await dialogText(page);
    if (!replace.text.includes(`A job named ${broken} already ran on 127.0.0.1 (failed, exit 2).`) || !replace.text.includes(`${broken}.prev-<UTC time>`)) throw new Error(`the Replace dialog reads: ${replace.text}`);
    if (replace.primary !== 'Replace (keep the old log)') throw new Error(`the Replace dialog offers: ${replace.buttons.join(', ')}`);
    await shot(page, '13-replace-keep-old-log');
    await dialogButton(page, 'Replace (keep the old log)').click();
    await dialogButton(page, 'Run').waitFor({ state: 'visible', timeout: 30_000 });
    await dialogButton(page, 'Run').click();
    await jobRow(page, broken, 'done').waitFor({ timeout: 60_000 });
    const kept = await sshd.runAsUser(`cat ${sshd.config().logRoot}/${broken}.prev-*/run.log`);
    if (!kept.stdout.includes("can't open file")) throw new Error(`the old log was not kept: ${kept.stdout}${kept.stderr}`);
    log('REPLACE_OK: the name reused, the old log kept beside it');

    // 3. run a job from the command palette, watch RUNNING then DONE
    const name = `demo-epochs-${Date.now().toString(36)}`;
    await runJobFromPalette(page, 'for i in 1 2 3 4 5 6; do echo "epoch $i/6: loss 0.$((90 - i * 12))"; sleep 1; done', name, '02-run-confirmation');
    await jobRow(page, name, 'running').waitFor({ timeout: 30_000 });
    log('RUNNING_OK');
    await page.waitForTimeout(400);
    await shot(page, '03-job-running');
    await jobRow(page, name, 'done').waitFor({ timeout: 60_000 });
    log('DONE_OK');

    // its log channel, read from the Output view; the click leaves the keyboard in the tree
    await jobRow(page, name).click();
    const output = page.locator('.part.panel .monaco-editor .view-lines');
    await output.filter({ hasText: '[EXIT: 0]' }).first().waitFor({ timeout: 30_000 });
    const text = (await output.first().innerText()).replace(/\u00a0/g, ' ');
    for (let i = 1; i <= 6; i++) if (!text.includes(`epoch ${i}/6`)) throw new Error(`log channel lacks "epoch ${i}/6": ${text}`);
    log('LOG_OK', JSON.stringify(text.split('\n').slice(-2)));
    const focusedRow = await page.evaluate('document.activeElement && document.activeElement.closest(".monaco-list-row[role=\\"treeitem\\"], .monaco-list") ? "tree" : (document.activeElement ? document.activeElement.className : "none")');
    if (focusedRow !== 'tree') throw new Error(`after a click on a row the focus is on ${String(focusedRow)}, not the tree`);
    log('FOCUS_OK: the keyboard stays in the tree');
    await shot(page, '01-jobs-tree-and-log');

    // the completion notice of that job, as a toast with Show Logs
    await toast(page, `${name} finished on 127.0.0.1: exit 0`).waitFor({ state: 'visible', timeout: 30_000 }).catch(async () => {
      throw new Error('no completion notice toast for the DONE job');
    });
    log('NOTICE_OK');

    // L1: the seeded failed job's log says "CUDA out of memory": opening it marks the row
    await jobRow(page, 'demo-train-20261121-0910', 'failed').click();
    await page.locator('.monaco-list-row[role="treeitem"][aria-label^="demo-train-20261121-0910, failed, ⚠ L1: CUDA out of memory"]').waitFor({ timeout: 30_000 });
    await toast(page, 'L1: demo-train-20261121-0910 printed "CUDA out of memory"').waitFor({ state: 'visible', timeout: 30_000 });
    log('L1_OK');
    await page.waitForTimeout(400);
    await shot(page, '07-l1-log-watch');

    // a host that goes away: the rows stay (last seen), the host row offers Retry; back again, Retry works
    await sshd.kill();
    await runCommand(page, 'Cloud Jobs: Refresh');
    const hostError = page.locator('.monaco-list-row[role="treeitem"]', { hasText: 'Cannot reach 127.0.0.1' }).first();
    await hostError.waitFor({ timeout: 30_000 });
    await jobRow(page, name).waitFor({ timeout: 5_000 });
    await hostError.hover();
    await page.waitForTimeout(200); // the row's actions, before its tooltip covers the rows
    await shot(page, '10-host-error-retry');
    await sshd.restart();
    await hostError.locator('.action-label[aria-label^="Retry"]').click();
    await hostError.waitFor({ state: 'detached', timeout: 30_000 });
    log('HOST_ERROR_OK: rows kept, Retry worked');

    // 4. stop another job from the tree's inline action, with confirmation
    const longName = `demo-server-${Date.now().toString(36)}`;
    await runJobFromPalette(page, 'echo "serving on :8000"; sleep 600', longName);
    const row = jobRow(page, longName, 'running');
    await row.waitFor({ timeout: 30_000 });
    const stop = dialogButton(page, 'Stop');
    for (let attempt = 0; ; attempt++) {
      await row.hover();
      await row.locator('.action-label[aria-label^="Stop"]').click();
      // a row redrawn (by the poll) between hover and click loses its inline action's target, and
      // VS Code then runs the command without one: it asks which job, as from the palette
      const asked = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Cloud Jobs: stop' });
      const which = await Promise.race([
        stop.waitFor({ state: 'visible', timeout: 30_000 }).then(() => 'dialog'),
        asked.waitFor({ state: 'visible', timeout: 30_000 }).then(() => 'picker'),
      ]);
      if (which === 'dialog') break;
      if (attempt >= 2) throw new Error('the inline Stop action kept losing its row');
      log('inline Stop lost its row; again');
      await page.keyboard.press('Escape');
    }
    await stop.click();
    await jobRow(page, longName, 'stopped').waitFor({ timeout: 30_000 });
    log('STOP_OK');

    // 4b. a sweep: Filter by Name keeps the matching rows; Stop on two selected rows stops both
    // after one confirmation naming the count, and says it once
    const sweep = `demo-sweep-${Date.now().toString(36)}`;
    const [sweepA, sweepB] = [`${sweep}-a`, `${sweep}-b`];
    await runJobFromPalette(page, 'sleep 600', sweepA);
    await runJobFromPalette(page, 'sleep 600', sweepB);
    await jobRow(page, sweepA, 'running').waitFor({ timeout: 30_000 });
    await jobRow(page, sweepB, 'running').waitFor({ timeout: 30_000 });
    await runCommand(page, 'Cloud Jobs: Filter by Name');
    await answerInput(page, sweep, 'Filter by Name');
    await jobRow(page, longName).waitFor({ state: 'detached', timeout: 30_000 });
    log('FILTER_OK: only the sweep rows shown');
    const stopTwo = dialogButton(page, 'Stop');
    for (let attempt = 0; ; attempt++) {
      await jobRow(page, sweepA).click();
      await jobRow(page, sweepB).click({ modifiers: ['Control'] });
      const rowB = jobRow(page, sweepB, 'running');
      await rowB.hover();
      await rowB.locator('.action-label[aria-label^="Stop"]').click();
      const which = await Promise.race([
        stopTwo.waitFor({ state: 'visible', timeout: 30_000 }).then(() => 'dialog'),
        page.locator('.quick-input-widget .quick-input-title', { hasText: 'Cloud Jobs: stop' }).waitFor({ state: 'visible', timeout: 30_000 }).then(() => 'picker'),
      ]);
      const text = which === 'dialog' ? await page.locator('.monaco-dialog-box').first().innerText() : '';
      if (/Stop 2 jobs\?/.test(text)) break;
      // a redraw between the clicks can drop the selection or the action's row (see above)
      if (attempt >= 2) throw new Error(`Stop on two selected rows asked: ${text || 'which job (a picker)'}`);
      log('the selection or the inline Stop was lost; again');
      await page.keyboard.press('Escape');
    }
    await shot(page, '11-sweep-stop-selected');
    await stopTwo.click();
    await jobRow(page, sweepA, 'stopped').waitFor({ timeout: 30_000 });
    await jobRow(page, sweepB, 'stopped').waitFor({ timeout: 30_000 });
    await toast(page, 'Stopped 2 jobs.').waitFor({ state: 'visible', timeout: 30_000 });
    await runCommand(page, 'Cloud Jobs: Clear Filter');
    await jobRow(page, longName).waitFor({ timeout: 30_000 });
    log('MULTI_STOP_OK: two selected rows stopped with one confirmation and one notice');

    // 5. the status-bar routing indicator and its tooltip, with a file open
    await openFile(page, 'train.py', 'range(3)');
    const item = page.locator('.statusbar-item', { hasText: 'Target: local' }).filter({ hasText: 'this file' }).first();
    await item.waitFor({ timeout: 30_000 });
    const label = (await item.innerText()).trim();
    if (!/Target: local\s*·\s*this file → cloud/.test(label)) throw new Error(`status bar reads "${label}"`);
    await item.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'COMPUTE_TARGET' }).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    const tip = await hover.innerText();
    if (!/file: train\.py/.test(tip) || !/memory_unknown|llm_or_embedding|cloud/.test(tip)) throw new Error(`tooltip reads: ${tip}`);
    log('STATUSBAR_OK', JSON.stringify(label));
    await shot(page, '04-status-bar-tooltip');

    await autorunFlow(page, folder);
  } catch (e) {
    const pages = browser.contexts()[0]?.pages() ?? [];
    if (pages[0]) await pages[0].screenshot({ path: join(SHOTS, '99-failure-trusted.png') }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await server.stop();
  }
}

/** Tasks of type orch for the AUTORUN steps: one the policy sends to the cloud, one it keeps here. */
function writeTasks(folder: string): void {
  mkdirSync(join(folder, '.vscode'), { recursive: true });
  const task = (label: string, extra: Record<string, unknown>) => ({ label, type: 'orch', problemMatcher: [], ...extra });
  writeFileSync(
    join(folder, '.vscode/tasks.json'),
    JSON.stringify({
      version: '2.0.0',
      tasks: [
        task('train (confirm)', { command: 'echo "training on the host"', heavy: ['llm'], name: 'demo-task-confirm' }),
        task('lint (off)', { command: 'echo "linted"', runtime: 1, ui: true, light: true, memory: 1, name: 'demo-task-off' }),
        task('train (full)', { command: 'echo "training, no questions asked"', heavy: ['llm'], name: 'demo-task-full' }),
      ],
    }, null, 2),
  );
}

async function setAutorun(page: Page, folder: string, mode: string): Promise<void> {
  writeFileSync(join(folder, '.vscode/settings.json'), JSON.stringify({ 'cloudJobs.autorun': mode }, null, 2));
  await page.waitForTimeout(1500); // the workbench picks up the file change
}

async function runTask(page: Page, label: string): Promise<void> {
  // not runCommand: Enter would take the first fuzzy match (e.g. "Tasks: Restart Running Task")
  await page.keyboard.press('F1');
  await quickInput(page).waitFor({ state: 'visible', timeout: 30_000 });
  await quickInput(page).fill('>Tasks: Run Task');
  await page.locator('.quick-input-widget .monaco-list-row').getByText('Tasks: Run Task', { exact: true }).first().click();
  // the task picker replaces the palette once tasks are read: wait for it, not the palette
  const input = page.locator('.quick-input-widget .quick-input-box input[placeholder*="task" i]');
  await input.waitFor({ state: 'visible', timeout: 30_000 }).catch(async (e) => {
    await shot(page, '99-task-picker');
    throw e;
  });
  await input.fill(label);
  await page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** The modal dialog's message, detail and buttons (in the order shown). */
async function dialogText(page: Page): Promise<{ text: string; buttons: string[]; primary: string }> {
  const box = page.locator('.monaco-dialog-box').first();
  await box.waitFor({ state: 'visible', timeout: 30_000 });
  const text = (await box.locator('.dialog-message-text, .dialog-message-detail').allInnerTexts()).join('\n');
  const buttons = (await box.locator('.dialog-buttons .monaco-button').allInnerTexts()).map((b) => b.trim());
  // the first choice the extension offers is the dialog's primary button (the others are secondary)
  const primary = (await box.locator('.dialog-buttons .monaco-button:not(.secondary)').first().innerText()).trim();
  return { text, buttons, primary };
}

/** AUTORUN confirm / off / full with orch tasks, answering the real dialogs. */
async function autorunFlow(page: Page, folder: string): Promise<void> {
  await page.keyboard.press('Escape');
  await setAutorun(page, folder, 'confirm');
  await runTask(page, 'train (confirm)');
  const confirm = await dialogText(page);
  if (!/Send task "train \(confirm\)" to the cloud\?/.test(confirm.text) || !/llm_or_embedding/.test(confirm.text)) throw new Error(`confirm dialog reads: ${confirm.text}`);
  if (confirm.primary !== 'Run on 127.0.0.1' || !confirm.buttons.includes('Run Here')) throw new Error(`confirm dialog buttons: ${confirm.buttons.join(', ')} (primary ${confirm.primary})`);
  await shot(page, '06-autorun-confirm');
  await dialogButton(page, 'Run on 127.0.0.1').click();
  await jobRow(page, 'demo-task-confirm', 'done').waitFor({ timeout: 60_000 });
  log('AUTORUN_CONFIRM_OK', JSON.stringify(confirm));

  // off: even a task the policy keeps local is asked about, COMPUTE_TARGET (local) offered first
  await setAutorun(page, folder, 'off');
  await runTask(page, 'lint (off)');
  const ask = await dialogText(page);
  if (!/Where should task "lint \(off\)" run\?/.test(ask.text) || !/AUTORUN is off/.test(ask.text) || !/COMPUTE_TARGET is local/.test(ask.text)) throw new Error(`off dialog reads: ${ask.text}`);
  if (ask.primary !== 'Run Here' || !ask.buttons.includes('Run on 127.0.0.1')) throw new Error(`off dialog should offer Run Here first: ${ask.buttons.join(', ')} (primary ${ask.primary})`);
  await dialogButton(page, 'Run on 127.0.0.1').click();
  await jobRow(page, 'demo-task-off', 'done').waitFor({ timeout: 60_000 });
  log('AUTORUN_OFF_OK', JSON.stringify(ask));

  // full: sent without a dialog
  await setAutorun(page, folder, 'full');
  await runTask(page, 'train (full)');
  const row = jobRow(page, 'demo-task-full', 'done');
  const deadline = Date.now() + 60_000;
  while (!(await row.isVisible())) {
    if (await page.locator('.monaco-dialog-box').isVisible()) throw new Error(`AUTORUN full asked: ${(await dialogText(page)).text}`);
    if (Date.now() > deadline) throw new Error('the full-autorun task did not show up as DONE');
    await page.waitForTimeout(200);
  }
  log('AUTORUN_FULL_OK');
  await setAutorun(page, folder, 'confirm');
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

/**
 * A stopped EC2 box (the EC2 stand-in, its own sshd): the tree shows it stopped, and Run on EC2
 * asks once, in its confirmation, whose "Start Box and Run" starts the box and runs the job.
 */
async function boxFlow(tools: WorkbenchTools, dir: string, vsix: string): Promise<void> {
  const boxDir = join(dir, 'box');
  mkdirSync(boxDir, { recursive: true });
  const box = await startTestBoxEnv(boxDir);
  const folder = makeWorkspace(boxDir, undefined);
  writeFileSync(join(folder, 'scripts/cloud/.env'), box.env.ORCH_TEST_EC2_DOTENV!);
  const server = await startCodeServer(tools, { dir: boxDir, vsix, trust: false, env: box.env });
  const browser = await launchBrowser(tools);
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });
    await openWorkbench(page, `${server.url}?folder=${encodeURIComponent(folder)}`);
    await page.locator('.part.activitybar .action-item a[aria-label^="Cloud Jobs"], .part.activitybar .action-item[aria-label^="Cloud Jobs"]').first().click();
    await widenSideBar(page);
    const id = box.env.ORCH_TEST_EC2_INSTANCE!;
    const boxNode = (state: string) => page.locator(`.monaco-list-row[role="treeitem"][aria-label*="${id}"]`, { hasText: `${state} · g5.xlarge` });
    await boxNode('stopped').waitFor({ timeout: 60_000 });
    const name = `demo-boxrun-${Date.now().toString(36)}`;
    await runJobFromPalette(page, 'python3 train.py', name, '14-start-box-and-run', new RegExp(`The EC2 box ${id} is stopped: it is started first`), 'Start Box and Run');
    await jobRow(page, name, 'done').waitFor({ timeout: 90_000 });
    await boxNode('running').waitFor({ timeout: 30_000 });
    log('BOX_RUN_OK: one question started the box and ran train.py there');
  } catch (e) {
    const pages = browser.contexts()[0]?.pages() ?? [];
    if (pages[0]) await pages[0].screenshot({ path: join(SHOTS, '99-failure-box.png') }).catch(() => undefined);
    throw e;
  } finally {
    await browser.close();
    await server.stop();
    await box.close();
  }
}

/** The docs' screenshots are this run's (never a failure's 99-*), so they show what the code does now. */
function copyDocImages(): void {
  const docs = join(REPO, 'docs/images');
  for (const f of readdirSync(SHOTS).filter((n) => /^\d\d-.*\.png$/.test(n) && !n.startsWith('99-'))) {
    copyFileSync(join(SHOTS, f), join(docs, `vscode-${f}`));
    log('docs image', `docs/images/vscode-${f}`);
  }
}

async function main(): Promise<number> {
  const tools = toolsOrExit('test:e2e');
  // only this run's screenshots, so none left from an older run reaches the docs
  rmSync(SHOTS, { recursive: true, force: true });
  mkdirSync(SHOTS, { recursive: true });
  const dir = mkdtempSync(join(tmpdir(), 'orch-vscode-e2e-'));
  const vsix = await packageVsix();
  log('packaged', vsix);
  const sshd = await startSshd();
  try {
    await trustedFlow(tools, dir, sshd, vsix);
    await restrictedFlow(tools, dir, sshd, vsix);
    await boxFlow(tools, dir, vsix);
    log('E2E PASS');
    if (process.env.ORCH_E2E_DOC_IMAGES === '1') copyDocImages();
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
