import * as vscode from 'vscode';
import { UserError } from '../core/errors';

/** Restricted Mode: nothing runs remotely (or at all) from an untrusted workspace. */
export function requireTrust(action: string): void {
  if (!vscode.workspace.isTrusted) {
    throw new UserError(`Cloud Jobs does not ${action} in Restricted Mode: trust this workspace first (Workspaces: Manage Workspace Trust).`);
  }
}
