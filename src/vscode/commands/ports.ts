import * as vscode from 'vscode';
import { parsePortSpec } from '../../core/ports/portSpec';
import type { CloudJobs } from '../context';
import { jobArg } from './jobArg';
import { jobCommandOptions } from '../jobRef';

/**
 * Open in Browser: forwards a port of a running job (its --publish ports, or one its log
 * announced; asked when it has none or several) and opens it through asExternalUri. Callers may
 * pass `{ name, host, port }`.
 */
export async function openInBrowser(ctx: CloudJobs, arg?: unknown): Promise<void> {
  const job = await jobArg(ctx, arg, ['RUNNING'], 'open in the browser');
  if (!job) return;
  const given = jobCommandOptions(arg).port;
  const known = ctx.forwards.portsOf(job);
  let port = given;
  if (port === undefined && known.length === 1) port = known[0];
  else if (port === undefined && known.length > 1) {
    const pick = await vscode.window.showQuickPick(known.map((p) => ({ label: String(p), port: p })), { title: `Cloud Jobs: port of ${job.name} to open` });
    port = pick?.port;
  } else if (port === undefined) {
    const typed = await vscode.window.showInputBox({
      title: `Cloud Jobs: port of ${job.name}`,
      prompt: `Port the job serves on ${job.host}'s 127.0.0.1 (start jobs with orch run --publish P to skip this)`,
      validateInput: (v) => {
        try {
          parsePortSpec(v.trim(), 'Port');
          return undefined;
        } catch (e) {
          return (e as Error).message;
        }
      },
    });
    port = typed ? parsePortSpec(typed.trim(), 'Port').port : undefined;
  }
  if (port === undefined) return;
  await ctx.forwards.openInBrowser(job, port);
}
