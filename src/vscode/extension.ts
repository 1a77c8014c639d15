import type * as vscode from 'vscode';

// Wiring only; filled by the extension work (issue 4).
export function activate(_context: vscode.ExtensionContext): void {}

export function deactivate(): void {}
