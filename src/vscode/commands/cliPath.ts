import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { installShim, onPath, refreshShim, shimDir, uninstallShim, type ShimTarget } from '../../core/install/cliShim';
import type { CloudJobs } from '../context';

/** Where the shim goes and what it runs: this extension's bin/orch on this extension host's runtime. */
function target(ctx: CloudJobs): ShimTarget {
  if (process.platform === 'win32') throw new UserError("Installing 'orch' in PATH is not supported on Windows (orch runs jobs from Linux and macOS).");
  return { dir: shimDir(process.env, homedir()), runtime: process.execPath, cli: path.join(ctx.ext.extensionPath, 'bin', 'orch') };
}

export interface CliPathResult {
  path: string;
  outcome: string;
  onPath: boolean;
}

/** "Install 'orch' Command in PATH". Returns what it did (for callers of executeCommand). */
export async function installCliInPath(ctx: CloudJobs): Promise<CliPathResult> {
  const t = target(ctx);
  const r = await installShim(t);
  const found = onPath(t.dir, process.env.PATH);
  ctx.log.info(`orch shim ${r.outcome}: ${r.path} -> ${t.runtime} ${t.cli}`);
  if (!found) {
    void vscode.window.showWarningMessage(
      `'orch' is installed in ${t.dir}, which is not on your PATH: add it (for example export PATH="${t.dir}:$PATH" in ~/.profile) and open a new terminal.`,
    );
  } else if (r.outcome === 'unchanged') {
    void vscode.window.showInformationMessage(`'orch' is already installed in ${t.dir}.`);
  } else {
    void vscode.window.showInformationMessage(`'orch' is installed in ${t.dir}: run orch --help in a new terminal.`);
  }
  return { ...r, onPath: found };
}

/** "Uninstall 'orch' Command from PATH": removes our shim only. */
export async function uninstallCliFromPath(ctx: CloudJobs): Promise<CliPathResult> {
  const t = target(ctx);
  const r = await uninstallShim(t.dir);
  ctx.log.info(`orch shim ${r.outcome}: ${r.path}`);
  void vscode.window.showInformationMessage(r.outcome === 'removed' ? `'orch' was removed from ${t.dir}.` : `No 'orch' installed by Cloud Jobs in ${t.dir}.`);
  return { ...r, onPath: onPath(t.dir, process.env.PATH) };
}

/** After an update the extension lives in a new directory: an installed shim follows it. */
export async function refreshCliInPath(ctx: CloudJobs): Promise<void> {
  if (process.platform === 'win32') return;
  const r = await refreshShim(target(ctx));
  if (r && r.outcome !== 'unchanged') ctx.log.info(`orch shim now runs ${target(ctx).cli}`);
}
