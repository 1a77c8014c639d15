// Renders the Marketplace icon media/icon.png (128x128) from media/cloud-jobs.svg, the
// activity-bar icon: its strokes in white on a rounded blue square. Run it after changing the
// SVG and commit both: node scripts/render-icon.mjs  (headless Chromium: $CHROMIUM or /usr/bin/chromium)
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const svg = readFileSync(join(root, 'media', 'cloud-jobs.svg'), 'utf8');
const SIZE = 128;

const html = `<!doctype html><html><body style="margin:0;background:transparent">
<div style="width:${SIZE}px;height:${SIZE}px;border-radius:24px;display:flex;align-items:center;justify-content:center;
  background:linear-gradient(135deg,#2f80ed,#1b4f9c);color:#fff">
  <div style="width:104px;height:104px">${svg.replace('<svg ', '<svg style="width:100%;height:100%" ')}</div>
</div></body></html>`;

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: SIZE, height: SIZE }, deviceScaleFactor: 1 });
  await page.setContent(html);
  await page.screenshot({ path: join(root, 'media', 'icon.png'), omitBackground: true, clip: { x: 0, y: 0, width: SIZE, height: SIZE } });
} finally {
  await browser.close();
}
console.log('media/icon.png written');
