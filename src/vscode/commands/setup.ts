import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../../core/errors';
import { workspaceRoot } from '../config';
import type { CloudJobs } from '../context';
import { forgetSecrets, SECRET_WEBHOOK } from '../secrets';
import { forgetJobSecrets } from '../jobSecrets';

const ENV_TEMPLATE = `# Cloud Jobs: where jobs run (see the extension's README). Values here beat VS Code settings.
ORCH_HOST=
# ORCH_USER=ubuntu
# ORCH_PORT=22
# ORCH_IDENTITY_FILE=~/.ssh/id_ed25519
# ORCH_LOG_ROOT=~/logs
# ORCH_MAX_PARALLEL=2
`;

export async function openSettings(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.openSettings', `@ext:cloud-jobs.cloud-jobs`);
}

/** Opens scripts/cloud/.env, creating it from a template when missing. */
export async function openEnvFile(): Promise<void> {
  const root = workspaceRoot();
  if (!root) throw new UserError('Open a folder first: scripts/cloud/.env lives in it.');
  const uri = vscode.Uri.file(path.join(root, 'scripts', 'cloud', '.env'));
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.writeFile(uri, new Uint8Array(Buffer.from(ENV_TEMPLATE, 'utf8')));
  }
  await vscode.window.showTextDocument(uri);
}

export async function useLocalTarget(ctx: CloudJobs): Promise<void> {
  await ctx.useLocalTarget();
}

export async function setSlackWebhook(ctx: CloudJobs): Promise<void> {
  const url = await vscode.window.showInputBox({
    title: 'Cloud Jobs: Slack webhook URL',
    prompt: 'Completion notices go to this webhook. Kept in the system keychain, never in settings.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (/^https?:\/\/\S+$/.test(v.trim()) || v === '' ? undefined : 'Enter an http(s) URL.'),
  });
  if (url === undefined) return;
  if (url.trim() === '') await ctx.ext.secrets.delete(SECRET_WEBHOOK);
  else await ctx.ext.secrets.store(SECRET_WEBHOOK, url.trim());
  void vscode.window.showInformationMessage(url.trim() ? 'Slack webhook URL saved.' : 'Slack webhook URL removed.');
}

export async function forgetSavedSecrets(ctx: CloudJobs): Promise<void> {
  const c = await ctx.config.tryGet();
  await forgetSecrets(ctx.ext.secrets, c?.identityFile ? [c.identityFile] : []);
  await forgetJobSecrets(ctx.ext.secrets);
  void vscode.window.showInformationMessage('Cloud Jobs forgot its saved passphrase, webhook URL and job secrets.');
}


