import * as vscode from 'vscode';
import { UserError } from '../core/errors';

/** SecretStorage keys. Secrets never go to settings, logs or command lines. */
export const SECRET_WEBHOOK = 'cloudJobs.slackWebhookUrl';
const PASSPHRASE_PREFIX = 'cloudJobs.keyPassphrase:';

/**
 * Asks for an SSH key's passphrase once and keeps it in SecretStorage (the OS keychain), so the
 * next connection does not ask again. "Forget Saved Secrets" removes it.
 */
export function passphraseAsker(secrets: vscode.SecretStorage): (keyFile: string) => Promise<string> {
  return async (keyFile: string) => {
    const key = PASSPHRASE_PREFIX + keyFile;
    const saved = await secrets.get(key);
    if (saved) return saved;
    const typed = await vscode.window.showInputBox({
      title: 'Cloud Jobs: SSH key passphrase',
      prompt: `Passphrase for ${keyFile} (kept in the system keychain)`,
      password: true,
      ignoreFocusOut: true,
    });
    if (!typed) throw new UserError(`No passphrase was given for ${keyFile}, so Cloud Jobs cannot connect.`);
    await secrets.store(key, typed);
    return typed;
  };
}

export async function forgetSecrets(secrets: vscode.SecretStorage, keyFiles: string[]): Promise<void> {
  await secrets.delete(SECRET_WEBHOOK);
  for (const f of keyFiles) await secrets.delete(PASSPHRASE_PREFIX + f);
}
