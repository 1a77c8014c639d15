/**
 * Runs a test-electron style `run()` module inside code-server's server-side extension host:
 * the workbench is opened with the `payload` query parameter carrying extensionDevelopmentPath
 * and extensionTestsPath (honoured with the smoke-test driver on). When `run()` settles, the
 * workbench calls `window.codeAutomationExit(code)`; that code is the result.
 */
import { format } from 'node:util';
import type { WorkbenchTools } from './tools';
import { launchBrowser } from './browser';
import { startUiBridge, type HostControl } from './uiBridge';
import type { CodeServer } from './codeServer';

const NOISE = /^(Resolving|Resolved|Creating a socket|\[reconnection|Updating additional|\[Service Worker|\[AgentHost|\[AccountPolicyGate)|ENOTFOUND open-vsx\.org/;

export async function runInExtensionHost(
  tools: WorkbenchTools,
  server: CodeServer,
  o: { extensionPath: string; testsPath: string; folder: string; timeoutMs: number; /** Watch toasts and dialogs for the suite (see uiBridge.ts). */ uiBridgeDir?: string; hostControl?: HostControl },
): Promise<number> {
  const browser = await launchBrowser(tools);
  try {
    const page = await browser.newPage();
    const authority = new URL(server.url).host;
    const remote = (p: string): string => `vscode-remote://${authority}${p}`;
    const url = new URL(server.url);
    url.searchParams.set('folder', o.folder);
    url.searchParams.set('payload', JSON.stringify([['extensionDevelopmentPath', remote(o.extensionPath)], ['extensionTestsPath', remote(o.testsPath)]]));
    let done!: (code: number) => void;
    const exit = new Promise<number>((r) => (done = r));
    await page.exposeFunction('codeAutomationLog', (type: string, args: unknown) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      if (process.env.VERBOSE || !NOISE.test(text)) console.log(type === 'error' ? `[workbench error] ${text.split('\n')[0]}` : text);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => done(code));
    page.on('pageerror', (e) => console.log(`[workbench pageerror] ${e.message}`));
    await page.goto(url.toString(), { waitUntil: 'domcontentloaded' });
    const timer = setTimeout(() => {
      console.log(`TIMEOUT: the suite did not finish within ${o.timeoutMs / 1000} s`);
      done(124);
    }, o.timeoutMs);
    const stopBridge = o.uiBridgeDir ? startUiBridge(page, o.uiBridgeDir, o.hostControl) : undefined;
    const code = await exit;
    clearTimeout(timer);
    await stopBridge?.();
    return code;
  } finally {
    await browser.close();
  }
}
