/** The extension: activation time with a stand-in `vscode` module, bundle sizes, drawing a 500-job tree. */
import { statSync } from 'node:fs';
import type { Built } from '../lib/build';
import { runProc } from '../lib/proc';
import type { Line } from '../lib/report';
import { fmtBytes, fmtMs, summarize } from '../lib/stats';

const ACTIVATION_REPS = 15;
const BUNDLE_LIMIT = 1.5 * 1024 * 1024;

export async function extensionFigures(built: Built, log: (s: string) => void): Promise<Line[]> {
  log(`extension: activation (${ACTIVATION_REPS} processes), bundle sizes, tree of 500 jobs`);
  const loads: number[] = [];
  const activates: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < ACTIVATION_REPS; i++) {
    const r = await runProc(process.execPath, [built.children.activate, built.extensionJs]);
    const o = JSON.parse(r.stdout) as { loadMs: number; activateMs: number; returnedApi: boolean };
    if (!o.returnedApi) throw new Error('activate() returned no API');
    loads.push(o.loadMs);
    activates.push(o.activateMs);
    totals.push(o.loadMs + o.activateMs);
  }
  const total = summarize(totals);
  const load = summarize(loads);
  const act = summarize(activates);

  const tree = JSON.parse((await runProc(process.execPath, [built.children.tree, '500', '30'])).stdout) as { items: number; firstMs: number; times: number[] };
  if (tree.items !== 500) throw new Error(`the tree drew ${tree.items} items, expected 500`);
  const redraw = summarize(tree.times);

  const size = (f: string) => statSync(f).size;
  const ext = size(built.extensionJs);
  const cli = size(built.orchJs);
  return [
    {
      id: 'activation',
      label: 'extension activation: load bundle + `activate()`',
      orch: fmtMs(total.median),
      target: '< 50 ms',
      pass: total.median < 50,
      raw: { total, load, activate: act },
    },
    { label: 'of which: loading the bundle (require)', orch: fmtMs(load.median), raw: { load } },
    { label: 'of which: `activate()` itself', orch: fmtMs(act.median), raw: { activate: act } },
    { id: 'bundle-extension', label: 'bundle `dist/extension.js` (--production)', orch: fmtBytes(ext), target: '< 1.5 MB', pass: ext < BUNDLE_LIMIT, raw: { bytes: ext } },
    { id: 'bundle-orch', label: 'bundle `dist/orch.js` (--production)', orch: fmtBytes(cli), target: '< 1.5 MB', pass: cli < BUNDLE_LIMIT, raw: { bytes: cli } },
    { label: 'tree of 500 jobs: first draw (getChildren + 500 getTreeItem)', orch: fmtMs(tree.firstMs), raw: { firstMs: tree.firstMs } },
    { label: 'tree of 500 jobs: redraw, median of 30', orch: fmtMs(redraw.median), raw: { redraw } },
  ];
}
