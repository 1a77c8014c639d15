import * as path from 'node:path';
import * as vscode from 'vscode';
import { isUserError, usageError, UserError } from '../../core/errors';
import { generateJobName, validateJobName } from '../../core/jobs/names';
import type { Job } from '../../core/jobs/model';
import { isActive } from '../../core/jobs/model';
import { configResolve, configSchema, policy } from '../lazyCore';
import { runOnEc2Asks } from '../autorun';
import type { CloudJobs } from '../context';
import { workspaceRoot } from '../config';
import { runGuardrails } from '../guardrails';
import { LOCAL_HOST, type HostName } from '../../core/jobs/where';
import { pickRunHost, resolveRunHost } from '../hostPick';
import { commandForFile, decisionDetail, decisionSummary, taskFromCommand } from '../routeText';
import { requireTrust } from '../trust';
import { jobArg } from './jobArg';
import { jobEnvironment } from '../jobSecrets';
import { boxToStart, boxToStartText, startBox, startBoxForRun } from './box';
import { runButtons } from '../runButtons';
import { announceStart, settle } from './runOutcome';
import { keptLogPath, nameTakenWarning, REPLACE, replaceQuestion } from '../nameTaken';

/** Arguments other commands (and tests) may pass instead of asking. */
export interface RunArgs {
  command?: string;
  name?: string;
  /** The caller already asked the user (or is a keybinding/automation that means it). */
  confirmed?: boolean;
  /** `local`: the local tmux server (listed in the view from then on); `remote`: the default host. */
  target?: 'local' | 'remote';
  /** A host by its name (scripts/cloud/hosts.yaml), or `auto` (placement); default: asked when there are several. */
  host?: string;
  /** Upload the workspace first; default the cloudJobs.syncBeforeRun setting (ORCH_SYNC). */
  sync?: boolean;
  /** Output dir recorded for Pull Results; default cloudJobs.outputDir (ORCH_OUTPUT_DIR); null for none. */
  outputDir?: string | null;
  /** A name whose log exists is replaced without asking (the old log is kept, renamed). */
  replace?: boolean;
}

/** The input box's first value: the selection, else a command that runs the active file. */
function prefill(): string {
  const editor = vscode.window.activeTextEditor;
  if (!editor) return '';
  const selected = editor.document.getText(editor.selection).trim();
  if (selected) return selected;
  if (editor.document.uri.scheme !== 'file') return '';
  const root = workspaceRoot();
  const rel = root ? path.relative(root, editor.document.uri.fsPath) : editor.document.uri.fsPath;
  return commandForFile(rel.startsWith('..') ? editor.document.uri.fsPath : rel);
}

function validOutputDir(v: string): string | undefined {
  if (!v.trim()) return undefined;
  try {
    configSchema().parseConfigValue('ORCH_OUTPUT_DIR', v, 'Output dir');
    return undefined;
  } catch {
    return 'A directory relative to the remote workdir, without "..", e.g. results.';
  }
}

/** Run on EC2: command → name → output dir → confirmation (sync on or off) → sync → started or failed, with progress. */
export async function runOnEc2(ctx: CloudJobs, arg?: unknown): Promise<Job | undefined> {
  requireTrust('run jobs');
  const given = (arg && typeof arg === 'object' ? arg : {}) as RunArgs;
  const command =
    given.command ??
    (await vscode.window.showInputBox({
      title: 'Cloud Jobs: Run on EC2',
      prompt: 'Shell command to run on the host (bash, in the remote workdir)',
      value: prefill(),
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() ? undefined : 'Enter a command.'),
    }));
  if (!command?.trim()) return undefined;
  const config = await ctx.config.get();
  const decision = policy().decide({ command });
  const name =
    given.name ??
    (await vscode.window.showInputBox({
      title: 'Cloud Jobs: job name',
      prompt: 'Name of the tmux session and log directory',
      value: generateJobName(config.project, taskFromCommand(command)),
      ignoreFocusOut: true,
      validateInput: (v) => {
        try {
          validateJobName(v);
        } catch (e) {
          return (e as Error).message;
        }
        // early, from the tree's listing; the host is asked again when the job starts
        const taken = nameTakenWarning(v, ctx.jobs.snapshot.jobs);
        return taken ? { message: taken, severity: vscode.InputBoxValidationSeverity.Warning } : undefined;
      },
    }));
  if (!name) return undefined;
  validateJobName(name);
  let outputDir = given.outputDir === null ? undefined : given.outputDir ?? config.outputDir;
  // While a job runs its output dir is its own (the host refuses a second one): the default
  // (cloudJobs.outputDir) is not offered when an active job listed here holds it.
  const holder = given.outputDir === undefined && outputDir ? outputDirHolder(ctx, outputDir) : undefined;
  if (holder) {
    ctx.log.info(`${name}: the default output dir ${outputDir} belongs to ${holder.name} (${holder.state}) until it ends; none recorded`);
    outputDir = undefined;
  }
  if (given.command === undefined && given.outputDir === undefined) {
    const busy = holder ? ` (${config.outputDir} belongs to ${holder.name} until it ends)` : '';
    const typed = await vscode.window.showInputBox({
      title: 'Cloud Jobs: output dir',
      prompt: `Where the job writes its results, relative to the remote workdir; Pull Results copies it to the same path here. Empty: none${busy}.`,
      value: outputDir ?? '',
      ignoreFocusOut: true,
      validateInput: validOutputDir,
    });
    if (typed === undefined) return undefined;
    outputDir = typed.trim().replace(/\/+$/, '') || undefined;
  }
  let host: HostName | undefined;
  let placement: string | undefined;
  if (given.target === 'local') host = LOCAL_HOST;
  else if (given.host !== undefined) ({ host: host, placement } = await resolveRunHost(ctx, given.host));
  else if (given.target === 'remote') {
    host = await ctx.config.defaultHost();
    if (!host) throw new UserError('No cloud host is configured: set cloudJobs.host in the settings or ORCH_HOST in scripts/cloud/.env.');
  } else {
    const picked = await pickRunHost(ctx);
    if (picked === undefined) return undefined;
    ({ host: host, placement } = picked);
  }
  if (host === undefined) return undefined;
  if (host === LOCAL_HOST) await ctx.useLocalTarget();
  const asks = runOnEc2Asks(ctx.config.autorun()) && given.confirmed !== true;
  // A stopped EC2 box: when the confirmation below is asked, it says the box is started first
  // (and Cancel leaves it stopped); else "Start Box and Run" asks now (wake: auto starts it).
  const box = host !== LOCAL_HOST ? await boxToStart(ctx, host) : undefined;
  if (box && !asks && !(await startBoxForRun(ctx, box))) return undefined;
  const startFirst = box && asks ? box : undefined;
  const hostConfig = host === LOCAL_HOST ? config : await ctx.config.hostConfig(host);
  // The name is settled before anything is synced; on a box still to start, once it runs.
  let named = startFirst ? undefined : await settleName(ctx, name, host, hostConfig.logRoot, given.replace === true);
  if (!startFirst && !named) return undefined;
  const root = workspaceRoot();
  // The local target runs in the remote workdir of this machine; only a host needs a copy.
  const canSync = host !== LOCAL_HOST && root !== undefined;
  let sync = canSync && (given.sync ?? config.sync === true);
  const workdir = hostConfig.remoteWorkdir;
  // The sync sends git-tracked and untracked-not-ignored files: without a repository there is no
  // telling what belongs to the project (a dataset, a virtualenv), so it asks for one.
  const noGit = sync && (await configResolve().findGitRoot(root!)) === undefined;
  if (noGit && !asks) {
    throw new UserError(`${root} is not a git repository, so Sync before run (cloudJobs.syncBeforeRun) cannot tell which files to send: run \`git init\` there, or turn the setting off.`);
  }
  const where = host !== LOCAL_HOST ? host : 'the local tmux server (no host configured)';
  if (asks) {
    const policySays = decision.target === 'cloud' ? 'The routing policy sends this to the cloud.' : 'The routing policy would run this locally.';
    const syncText = !canSync
      ? ''
      : noGit
        ? `This folder is not a git repository, so it cannot be synced (the sync sends git-tracked and untracked-not-ignored files). Initialize one to sync it to ${workdir}, or run with what is already there.`
        : sync
          ? `The workspace is synced to ${workdir} first (only what changed).`
          : `The workspace is NOT synced first: the command sees what is already in ${workdir}.`;
    const outText = outputDir ? `Output dir: ${outputDir} (Pull Results copies it to ${outputDir}/ here).` : 'No output dir (nothing to pull).';
    const buttons = runButtons({ canSync, noGit, sync, startBox: startFirst !== undefined });
    const boxText = startFirst ? `${boxToStartText(startFirst)}\n\n` : '';
    const pick = buttons.choice(
      await vscode.window.showInformationMessage(
        `Run ${name} on ${where} in ${workdir}?`,
        { modal: true, detail: `${boxText}${command}\n\n${[syncText, outText].filter(Boolean).join('\n')}\n\n${policySays} (${decisionSummary(decision)})\n${decisionDetail(decision)}` },
        ...buttons.labels,
      ),
    );
    if (pick === undefined) return undefined;
    if (pick === 'without-sync') sync = false;
    if (pick === 'sync') sync = true;
    if (pick === 'git-init') await gitInit(root!);
  }
  if (startFirst) {
    await startBox(ctx, host);
    named = await settleName(ctx, name, host, hostConfig.logRoot, given.replace === true);
    if (!named) return undefined;
  }
  const { ref } = named!;
  let replace = named!.replace;
  // The start is told here (started, or failed right away), not by a completion notice.
  ctx.notices.hush([ref]);
  let started: Job | undefined;
  try {
    started = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Cloud Jobs: ${name} on ${host}` }, async (progress) => {
      if (sync) {
        progress.report({ message: `syncing the workspace to ${workdir}…` });
        const [{ syncWorkspace }, { describeSync }] = await Promise.all([import('../../core/transfer/index.js'), import('../../core/transfer/describe.js')]);
        const r = await syncWorkspace(await ctx.jobs.target(host), root!, workdir);
        ctx.log.info(`${name}: ${describeSync(`sync to ${host}:${workdir}`, r)}`);
      }
      progress.report({ message: 'starting…' });
      const request = {
        name,
        command,
        workdir,
        outputDir,
        force: replace,
        route: `${decisionSummary(decision)}: ${decision.reasons.join(' ')}`,
        placement,
        guardrails: await runGuardrails(),
        env: await jobEnvironment(ctx.ext.secrets),
      };
      let job: Job;
      try {
        job = await ctx.jobs.run(host, request);
      } catch (e) {
        // a log the listing did not show (not listed yet, written meanwhile): asked now
        if (!(isUserError(e) && e.reason === 'log-exists')) throw e;
        if (!(await askReplace(name, ref.host, hostConfig.logRoot))) return undefined;
        replace = true;
        job = await ctx.jobs.run(host, { ...request, force: true });
      }
      ctx.log.info(`started ${job.name} on ${job.host}: ${job.state}${replace ? ` (replaced: the old log is kept as ${keptLogPath(hostConfig.logRoot, name)})` : ''}`);
      // the old job's channel would resume at its byte count in the new log
      if (replace) ctx.logs.replaced(job);
      return settle(ctx, job);
    });
  } catch (e) {
    ctx.notices.unhush(ref);
    throw e;
  }
  if (!started) {
    ctx.notices.unhush(ref);
    return undefined;
  }
  announceStart(ctx, started, sync ? workdir : undefined);
  return started;
}

/**
 * A name in use on `host`, settled before anything is synced: a running job refuses, an ended
 * one offers Replace. Undefined: the user did not replace it.
 */
async function settleName(ctx: CloudJobs, name: string, host: HostName, logRoot: string, replace: boolean): Promise<{ ref: { name: string; host: string }; replace: boolean } | undefined> {
  const ref = { name, host: (await ctx.jobs.engine(host)).host };
  const listed = ctx.jobs.find(ref.name, ref.host);
  if (listed && isActive(listed.state)) throw usageError(`A job named ${name} is already ${listed.state} on ${ref.host}; pick another name or stop it first.`);
  if (listed && !replace) {
    if (!(await askReplace(name, ref.host, logRoot, listed))) return undefined;
    replace = true;
  }
  return { ref, replace };
}

/** The Replace question (modal); true when the user chose Replace. */
async function askReplace(name: string, host: string, logRoot: string, job?: Job): Promise<boolean> {
  const q = replaceQuestion(name, host, logRoot, job);
  return (await vscode.window.showWarningMessage(q.message, { modal: true, detail: q.detail }, REPLACE)) === REPLACE;
}

/** An active job listed in the tree whose output dir is `dir`, inside it, or holds it. */
function outputDirHolder(ctx: CloudJobs, dir: string): Job | undefined {
  const norm = (d: string): string => d.replace(/^\.\/+/, '').replace(/\/+$/, '');
  const mine = norm(dir);
  const overlaps = (theirs: string): boolean => theirs === mine || theirs.startsWith(`${mine}/`) || mine.startsWith(`${theirs}/`);
  return ctx.jobs.snapshot.jobs.find((j) => isActive(j.state) && j.outputDir !== null && overlaps(norm(j.outputDir)));
}

async function gitInit(dir: string): Promise<void> {
  const { execFile } = await import('node:child_process');
  await new Promise<void>((resolve, reject) =>
    execFile('git', ['init', '-q'], { cwd: dir }, (e, _out, stderr) => (e ? reject(new UserError(`git init failed in ${dir}: ${String(stderr).trim() || e.message}`)) : resolve())),
  );
}

/** Re-run: the same command under a fresh name from the naming convention. */
export async function rerun(ctx: CloudJobs, arg?: unknown): Promise<Job | undefined> {
  const job = await jobArg(ctx, arg, ['DONE', 'FAILED', 'STOPPED'], 're-run');
  if (!job?.command) return undefined;
  return runOnEc2(ctx, { command: job.command, outputDir: job.outputDir });
}
