import * as vscode from 'vscode';
import { UserError } from '../core/errors';
import { checkEnvName } from '../core/secrets/jobEnv';

/**
 * Secrets for jobs from VS Code (PRODUCT.md §9): the setting `cloudJobs.jobEnvironment` names the
 * variables every job started from the editor gets; their values live in SecretStorage (the OS
 * keychain), never in settings, and reach the host as `orch run --env` does.
 */
const PREFIX = 'cloudJobs.jobEnv:';
const SETTING = 'jobEnvironment';

function names(): string[] {
  const v = vscode.workspace.getConfiguration('cloudJobs').get<unknown>(SETTING);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : [];
}

/** The job environment of a run: every named variable with its saved value. */
export async function jobEnvironment(secrets: vscode.SecretStorage): Promise<Record<string, string> | undefined> {
  const wanted = names();
  if (!wanted.length) return undefined;
  const env: Record<string, string> = {};
  for (const name of wanted) {
    checkEnvName(name, 'cloudJobs.jobEnvironment');
    const value = await secrets.get(PREFIX + name);
    if (value === undefined) throw new UserError(`cloudJobs.jobEnvironment names ${name}, but no value is saved for it: run "Cloud Jobs: Set Job Secret" (or remove it from the setting).`);
    env[name] = value;
  }
  return env;
}

/**
 * Asks for a name and a value (hidden), saves the value in SecretStorage and names it in the
 * setting. Callers (tests, keybindings) may pass `{ name, value }` instead of being asked.
 */
export async function setJobSecret(secrets: vscode.SecretStorage, arg?: unknown): Promise<void> {
  const given = (arg && typeof arg === 'object' ? arg : {}) as { name?: unknown; value?: unknown };
  const name = typeof given.name === 'string' ? given.name : await vscode.window.showInputBox({
    title: 'Cloud Jobs: job secret',
    prompt: 'Environment variable every job gets (e.g. WANDB_API_KEY, HF_TOKEN)',
    ignoreFocusOut: true,
    validateInput: (v) => {
      try {
        checkEnvName(v.trim(), 'Name');
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    },
  });
  if (!name?.trim()) return;
  const n = name.trim();
  checkEnvName(n, 'Name');
  const value = typeof given.value === 'string' ? given.value : await vscode.window.showInputBox({
    title: `Cloud Jobs: value of ${n}`,
    prompt: 'Kept in the system keychain; sent to the host on stdin into a 0600 file deleted when the job ends. Empty removes it.',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return;
  const config = vscode.workspace.getConfiguration('cloudJobs');
  const rest = names().filter((x) => x !== n);
  if (value === '') {
    await secrets.delete(PREFIX + n);
    await config.update(SETTING, rest, vscode.ConfigurationTarget.Global);
    void vscode.window.showInformationMessage(`Job secret ${n} removed.`);
    return;
  }
  await secrets.store(PREFIX + n, value);
  await config.update(SETTING, [...rest, n], vscode.ConfigurationTarget.Global);
  void vscode.window.showInformationMessage(`Job secret ${n} saved; jobs started from VS Code get it.`);
}

export async function forgetJobSecrets(secrets: vscode.SecretStorage): Promise<void> {
  for (const n of names()) await secrets.delete(PREFIX + n);
}
