/**
 * Jobs as researchers run them (PRODUCT.md §9) in a real workbench against the real sshd: a job
 * secret from SecretStorage reaches the command and is nowhere in the tree; a tqdm job shows its
 * percentage in its tree item while it runs; a server the log announces is offered for
 * forwarding, reached through the forward, listed on the job, and the forward ends with the job;
 * Show Logs of an ended job prints the cached log while the host cannot be reached.
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import { createServer } from 'node:net';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { JobsNode } from '../../../src/vscode/jobsTree';
import { clickNotification, freshNotifications } from './ui';
import { api, orchCli, uniqueName, waitFor, workspaceFolder } from './util';

type Api = Awaited<ReturnType<typeof api>>;
const HOST = '127.0.0.1';

function jobItem(a: Api, name: string): vscode.TreeItem | undefined {
  const rows = a.treeItems().flatMap((t) => (t.node.kind === 'host' ? a.treeItems(t.node as JobsNode) : [t]));
  return rows.find((t) => t.node.kind === 'job' && t.node.job.name === name)?.item;
}
const tooltipOf = (i: vscode.TreeItem | undefined): string => (i?.tooltip instanceof vscode.MarkdownString ? i.tooltip.value : String(i?.tooltip ?? ''));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

async function run(command: string, name: string): Promise<void> {
  await vscode.commands.executeCommand('cloudJobs.runOnEc2', { command, name, confirmed: true, host: HOST });
}

describe('Cloud Jobs: secrets, progress, ports and cached logs', function () {
  this.timeout(180_000);
  let a: Api;
  const token = `tok-vscode-${randomBytes(8).toString('hex')}`;

  before(async () => {
    a = await api();
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', 'full', vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    await vscode.commands.executeCommand('cloudJobs.setJobSecret', { name: 'IT_TOKEN', value: '' });
    await vscode.workspace.getConfiguration('cloudJobs').update('autorun', undefined, vscode.ConfigurationTarget.Global);
  });
  beforeEach(() => freshNotifications());

  it('a job secret reaches the command, never the tree; a tqdm job shows its percentage while it runs', async () => {
    await vscode.commands.executeCommand('cloudJobs.setJobSecret', { name: 'IT_TOKEN', value: token });
    const name = uniqueName('it-tqdm');
    const py = 'from tqdm import tqdm\nimport time\nfor i in tqdm(range(300)):\n    time.sleep(0.005 if i < 60 else 0.2)\n';
    await run(`printf '%s' "$IT_TOKEN" | sha256sum; python3 -c '${py}'`, name);
    const item = await waitFor('a percentage in the tree', async () => {
      await a.refresh();
      const i = jobItem(a, name);
      return i && /running .* · \d+% \d+\/300 [\d.]+it\/s ETA \d\d:\d\d/.test(String(i.description)) ? i : undefined;
    }, 60_000);
    assert.match(tooltipOf(item), /\*\*Progress:\*\* \d+% \d+\\?\/300/);
    for (const text of [String(item.label), String(item.description), tooltipOf(item)]) assert.ok(!text.includes(token), 'the secret is not in the tree');
    await vscode.commands.executeCommand('cloudJobs.showLogs', { name, host: HOST });
    const sha = createHash('sha256').update(token).digest('hex');
    await waitFor('the hash of the secret in the log', () => a.logText({ name, host: HOST })?.includes(sha), 30_000);
    await vscode.commands.executeCommand('cloudJobs.stop', { name, host: HOST, confirmed: true });
  });

  it('offers to forward a server the log announces; the forward is listed, works, and ends with the job', async () => {
    const port = await freePort();
    const name = uniqueName('it-web');
    await run(`cd "$(mktemp -d)" && echo hi-from-vscode > hello.txt && exec python3 -m http.server ${port} --bind 127.0.0.1`, name);
    await waitFor('the job running', async () => {
      await a.refresh();
      return a.jobs().find((j) => j.name === name)?.state === 'RUNNING';
    });
    await vscode.commands.executeCommand('cloudJobs.showLogs', { name, host: HOST });
    await clickNotification('Forward Port', `${name} serves port ${port}`, 60_000);
    const forwarded = await waitFor('the forward on the job', () => {
      const m = /Forwarded:\*\* \d+ → (http:\/\/127\.0\.0\.1:\d+)/.exec(tooltipOf(jobItem(a, name)));
      return m?.[1];
    });
    assert.match(String(jobItem(a, name)?.description), new RegExp(`⇄ ${port}`));
    assert.equal(await get(`${forwarded}/hello.txt`), 'hi-from-vscode\n');
    await vscode.commands.executeCommand('cloudJobs.stop', { name, host: HOST, confirmed: true });
    await waitFor('the forward closed', async () => {
      await a.refresh();
      return !tooltipOf(jobItem(a, name)).includes('Forwarded') && (await get(`${forwarded}/hello.txt`).then(() => false, () => true));
    });
  });

  it('Show Logs of an ended job prints its cached log while the host cannot be reached', async () => {
    const name = uniqueName('it-cached');
    const started = await orchCli(['run', '--wait', name, 'echo line-from-yesterday']);
    assert.equal(started.code, 0, started.stderr);
    assert.equal((await orchCli(['logs', name])).stdout, 'line-from-yesterday\n[EXIT: 0]\n');
    const envFile = path.join(workspaceFolder().uri.fsPath, 'scripts/cloud/.env');
    const original = await readFile(envFile, 'utf8');
    try {
      await writeFile(envFile, original.replace(/^ORCH_PORT=.*$/m, `ORCH_PORT=${await freePort()}`));
      await waitFor('the host unreachable', async () => {
        await a.refresh();
        return a.treeItems().some((t) => t.node.kind === 'host' && String(t.item.description) === 'unreachable') || a.treeItems().some((t) => t.node.kind === 'message');
      }, 30_000);
      await vscode.commands.executeCommand('cloudJobs.showLogs', { name, host: HOST });
      const text = await waitFor('the cached log', () => {
        const t = a.logText({ name, host: HOST });
        return t?.includes('[EXIT: 0]') ? t : undefined;
      }, 60_000);
      assert.match(text, /^\[Cloud Jobs: cached log — 127\.0\.0\.1 cannot be read now \(.*\); this copy was saved .*\]\nline-from-yesterday\n\[EXIT: 0\]\n$/);
    } finally {
      await writeFile(envFile, original);
    }
  });
});
