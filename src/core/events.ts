// The core's own event emitter (no `vscode`): listeners are added with `event(listener)`, which
// returns a disposable, the shape of `vscode.Event`, so the extension passes these events on as is.

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (e: T) => unknown) => Disposable;

export class Emitter<T> implements Disposable {
  private listeners = new Set<(e: T) => unknown>();

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(e: T): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        // one failing listener must not keep the others from hearing the event
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
