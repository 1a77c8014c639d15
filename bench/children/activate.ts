/**
 * Child process: loads an extension bundle with the fake `vscode` module and times the module
 * load and the `activate()` call, as the extension host would. Prints one JSON line.
 * Usage: node activate.js <dist/extension.js>
 */
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as fake from './fakeVscode';

type Load = (request: string, ...rest: unknown[]) => unknown;
const mod = Module as unknown as { _load: Load };
const original = mod._load;
mod._load = function (request: string, ...rest: unknown[]) {
  return request === 'vscode' ? fake : original.call(this, request, ...rest);
};

const file = process.argv[2]!;
const t0 = performance.now();
const ext = createRequire(__filename)(file) as { activate(ctx: unknown): unknown };
const t1 = performance.now();
const context = fake.fakeExtensionContext(dirname(dirname(file)));
const api = ext.activate(context);
const t2 = performance.now();
const subscriptions = (context as { subscriptions: unknown[] }).subscriptions.length;
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, returnedApi: api !== undefined, subscriptions }) + '\n');
process.exit(0);
