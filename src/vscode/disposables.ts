import type * as vscode from 'vscode';

/** Owns disposables of one lifetime; disposing it disposes them in reverse order, once. */
export class DisposableStore implements vscode.Disposable {
  private items: vscode.Disposable[] = [];
  private disposed = false;

  add<T extends vscode.Disposable>(d: T): T {
    if (this.disposed) d.dispose();
    else this.items.push(d);
    return d;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const d of this.items.reverse()) {
      try {
        d.dispose();
      } catch {
        // a failing dispose must not keep the others alive
      }
    }
    this.items = [];
  }
}
