import * as vscode from 'vscode';
import { errorMessage, isUserError } from '../core/errors';

/**
 * The one place the extension shows an error: a UserError's sentence as it is, anything else
 * as a short notice with its stack in the extension's log.
 */
export function showError(log: vscode.LogOutputChannel, e: unknown, action = 'Cloud Jobs'): void {
  if (isUserError(e)) {
    log.warn(`${action}: ${e.message}`);
    void vscode.window.showErrorMessage(e.message);
    return;
  }
  log.error(`${action} failed:`, e instanceof Error ? (e.stack ?? e.message) : String(e));
  void vscode.window.showErrorMessage(`${action} failed: ${errorMessage(e)}`, 'Show Log').then((pick) => {
    if (pick) log.show(true);
  });
}
