import * as vscode from 'vscode';
import type { CloudJobsApi } from '../../../src/vscode/api';

export const EXTENSION_ID = 'cloud-jobs.cloud-jobs';

export async function api(): Promise<CloudJobsApi> {
  const ext = vscode.extensions.getExtension<CloudJobsApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this workbench`);
  return ext.activate();
}

/** Polls `probe` every 200 ms until it returns a value (not undefined/false) or the time is up. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

export function workspaceFolder(): vscode.WorkspaceFolder {
  const f = vscode.workspace.workspaceFolders?.[0];
  if (!f) throw new Error('the test workbench has no folder open');
  return f;
}

/** Runs this package's `orch` CLI in the workspace, as a user in the terminal would. */
export async function orchCli(args: string[], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  const { execFile } = await import('node:child_process');
  const bin = `${vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath}/bin/orch`;
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: workspaceFolder().uri.fsPath, timeout: timeoutMs, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', ORCH_CONNECTION_PERSIST: '0' } }, (e, stdout, stderr) =>
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout, stderr }),
    );
  });
}
