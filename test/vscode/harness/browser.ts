/** Headless Debian Chromium driven by playwright-core. */
import { chromium, type Browser } from 'playwright-core';
import type { WorkbenchTools } from './tools';

export function launchBrowser(tools: WorkbenchTools): Promise<Browser> {
  return chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
