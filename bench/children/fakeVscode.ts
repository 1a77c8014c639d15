/**
 * A minimal stand-in for the `vscode` module, enough to load the extension bundle and call
 * `activate()` or to draw the jobs tree outside the workbench, so their cost can be measured
 * in a plain Node process. The classes the extension constructs are real (small) classes;
 * every other API is an inert stub whose calls return stubs and whose events never fire.
 */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { tmpdir } from 'node:os';

type Listener = (e: unknown) => unknown;

/** A callable, constructible object whose every property is another stub; never thenable. */
function stub(name: string): any {
  const cache = new Map<PropertyKey, unknown>();
  const target = function () {} as any;
  return new Proxy(target, {
    get(_t, key) {
      if (key === 'then') return undefined;
      if (key === Symbol.iterator) return function* () {};
      if (key === Symbol.toPrimitive) return () => '';
      if (key === 'dispose') return () => undefined;
      if (key === 'toString' || key === 'toJSON') return () => `[stub ${name}]`;
      if (!cache.has(key)) cache.set(key, stub(`${name}.${String(key)}`));
      return cache.get(key);
    },
    set(_t, key, value) {
      cache.set(key, value);
      return true;
    },
    apply: () => stub(`${name}()`),
    construct: () => stub(`new ${name}`),
  });
}

/** An object whose listed members are real and whose others are stubs. */
function partial<T extends object>(name: string, real: T): any {
  const fallback = stub(name);
  return new Proxy(real, { get: (t, k) => (k in t ? (t as any)[k] : fallback[k]) });
}

export class Disposable {
  constructor(private readonly fn: () => void = () => undefined) {}
  static from(...ds: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => ds.forEach((d) => d.dispose()));
  }
  dispose(): void {
    this.fn();
  }
}

export class EventEmitter<T> {
  private listeners = new Set<Listener>();
  readonly event = (l: Listener): Disposable => {
    this.listeners.add(l);
    return new Disposable(() => this.listeners.delete(l));
  };
  fire(e: T): void {
    for (const l of this.listeners) l(e);
  }
  dispose(): void {
    this.listeners.clear();
  }
}

const noEvent = (): Disposable => new Disposable();

export class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  get path(): string {
    return this.fsPath;
  }
  static file(p: string): Uri {
    return new Uri('file', p);
  }
  static parse(s: string): Uri {
    return new Uri(s.split(':')[0] ?? 'file', s.replace(/^file:\/\//, ''));
  }
  static joinPath(base: Uri, ...parts: string[]): Uri {
    return new Uri(base.scheme, [base.fsPath, ...parts].join('/'));
  }
  with(): Uri {
    return this;
  }
  toString(): string {
    return `${this.scheme}://${this.fsPath}`;
  }
}

export class TreeItem {
  [k: string]: unknown;
  constructor(readonly label: unknown, readonly collapsibleState: number = 0) {}
}
export class ThemeIcon {
  constructor(readonly id: string, readonly color?: ThemeColor) {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class MarkdownString {
  supportThemeIcons = false;
  isTrusted = false;
  constructor(public value = '') {}
  appendMarkdown(s: string): this {
    this.value += s;
    return this;
  }
  appendText(s: string): this {
    this.value += s;
    return this;
  }
}
export class Range {
  constructor(readonly start: unknown, readonly end: unknown) {}
}
export class Task {
  [k: string]: unknown;
  constructor(...args: unknown[]) {
    this.args = args;
  }
}
export class CustomExecution {
  constructor(readonly callback: unknown) {}
}
export class ViewBadge {}

export const TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
export const StatusBarAlignment = { Left: 1, Right: 2 };
export const ProgressLocation = { SourceControl: 1, Window: 10, Notification: 15 };
export const TaskScope = { Global: 1, Workspace: 2 };
export const LogLevel = { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 };
export const ExtensionMode = { Production: 1, Development: 2, Test: 3 };
export const ConfigurationTarget = { Global: 1, Workspace: 2, WorkspaceFolder: 3 };

function channel(name: string): any {
  const nop = (): void => undefined;
  return partial(`channel ${name}`, {
    name,
    logLevel: 3,
    onDidChangeLogLevel: noEvent,
    append: nop, appendLine: nop, replace: nop, clear: nop, show: nop, hide: nop, dispose: nop,
    trace: nop, debug: nop, info: nop, warn: nop, error: nop,
  });
}

const folder = { uri: Uri.file(tmpdir()), name: 'bench', index: 0 };

export const window = partial('window', {
  createOutputChannel: (name: string) => channel(name),
  createStatusBarItem: () => partial('statusBarItem', { show: () => undefined, hide: () => undefined, dispose: () => undefined }),
  createTreeView: () => partial('treeView', { visible: true, onDidChangeVisibility: noEvent, onDidChangeSelection: noEvent, dispose: () => undefined }),
  registerTreeDataProvider: () => new Disposable(),
  activeTextEditor: undefined,
  terminals: [],
  state: { focused: true },
  onDidChangeWindowState: noEvent,
  onDidChangeActiveTextEditor: noEvent,
  onDidChangeTextEditorSelection: noEvent,
  onDidCloseTerminal: noEvent,
});

export const workspace = partial('workspace', {
  isTrusted: true,
  workspaceFolders: [folder],
  getWorkspaceFolder: () => folder,
  getConfiguration: () => ({ get: (_k: string, d?: unknown) => d, has: () => false, inspect: () => undefined, update: async () => undefined }),
  onDidChangeConfiguration: noEvent,
  onDidGrantWorkspaceTrust: noEvent,
  onDidChangeWorkspaceFolders: noEvent,
  createFileSystemWatcher: () => partial('watcher', { onDidChange: noEvent, onDidCreate: noEvent, onDidDelete: noEvent, dispose: () => undefined }),
});

export const commands = partial('commands', {
  registerCommand: () => new Disposable(),
  executeCommand: async () => undefined,
});

export const tasks = partial('tasks', {
  registerTaskProvider: () => new Disposable(),
  onDidStartTask: noEvent,
  onDidEndTask: noEvent,
  taskExecutions: [],
});

export const env = stub('env');
export const extensions = stub('extensions');
export const languages = stub('languages');
export const l10n = { t: (s: string) => s };

/** An ExtensionContext with in-memory state and secrets. */
export function fakeExtensionContext(extensionPath: string): any {
  const memento = () => {
    const m = new Map<string, unknown>();
    return { get: (k: string, d?: unknown) => (m.has(k) ? m.get(k) : d), update: async (k: string, v: unknown) => void m.set(k, v), keys: () => [...m.keys()], setKeysForSync: () => undefined };
  };
  const secrets = new Map<string, string>();
  return partial('context', {
    subscriptions: [] as { dispose(): unknown }[],
    extensionPath,
    extensionUri: Uri.file(extensionPath),
    globalStorageUri: Uri.file(tmpdir()),
    storageUri: Uri.file(tmpdir()),
    logUri: Uri.file(tmpdir()),
    extensionMode: ExtensionMode.Production,
    globalState: memento(),
    workspaceState: memento(),
    secrets: {
      get: async (k: string) => secrets.get(k),
      store: async (k: string, v: string) => void secrets.set(k, v),
      delete: async (k: string) => void secrets.delete(k),
      onDidChange: noEvent,
    },
  });
}
