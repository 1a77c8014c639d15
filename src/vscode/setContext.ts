import * as vscode from 'vscode';
import type { ContextKey, ContextValue } from './contextKeys';

/** The one place `setContext` is called: the key and its value's type come from contextKeys.ts. */
export function setContext<K extends ContextKey>(key: K, value: ContextValue<K>): Thenable<unknown> {
  return vscode.commands.executeCommand('setContext', key, value);
}
