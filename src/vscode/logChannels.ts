import { StringDecoder } from 'node:string_decoder';
import * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import type { Job } from '../core/jobs/model';
import { isActive } from '../core/jobs/model';
import { LogRenderer, renderLog } from '../core/logs/render';
import { BoundedTail } from './boundedTail';
import type { LogWatch, LogWatches } from './guardrails';
import type { JobsService } from '../core/jobs/jobsService';
import type { LogCache } from '../core/logCache/logCache';

/** A channel shows at most this much of a log (its tail); "Open Full Log" shows the rest. */
export const CHANNEL_MAX_CHARS = 1024 * 1024;

export function jobChannelName(jobName: string): string {
  return `Cloud Jobs: ${jobName}`;
}

interface OpenLog {
  channel: vscode.OutputChannel;
  tail: BoundedTail;
  /** Bytes of run.log received so far: where a new follow resumes. */
  bytes: number;
  following: AbortController | undefined;
  /** Guardrails over the bytes received (kept across resumes: it counts the lines itself). */
  watch: Promise<LogWatch> | undefined;
  /** The log as a person reads it: CR updates collapsed, colours stripped (run.log stays byte-exact). */
  renderer: LogRenderer;
  /** The follow stopped on a connection error: it resumes once the host answers again. */
  waitingForHost: boolean;
}

/** Scheme of the read-only documents of Open Full Log (`cloudjobs-log:/<host>/<job>.log`). */
export const FULL_LOG_SCHEME = 'cloudjobs-log';

/**
 * One output channel per opened job, following run.log live through `engine.follow` (which
 * resumes after reconnects from the byte offset, so nothing is lost or doubled) until the
 * `[EXIT: N]` line. Channels stay bounded to the log's last megabyte.
 */
export class JobLogChannels implements vscode.Disposable {
  private readonly open = new Map<string, OpenLog>();
  private readonly appended = new vscode.EventEmitter<{ job: Pick<Job, 'name' | 'host'>; text: string }>();
  /** Text a follow received (e.g. for the offer to forward a server the log announces). */
  readonly onDidAppend = this.appended.event;
  private readonly subs: vscode.Disposable[] = [];

  constructor(
    private readonly jobs: JobsService,
    private readonly log: vscode.LogOutputChannel,
    private readonly watches: LogWatches,
    /** Logs that outlive the box: filled by follows from the first byte, shown when the host cannot be read. */
    private readonly cache?: () => LogCache,
  ) {
    this.subs.push(jobs.onDidChange((s) => this.resumeWaiting(s.errors)));
    this.subs.push(vscode.workspace.registerTextDocumentContentProvider(FULL_LOG_SCHEME, { provideTextDocumentContent: (uri) => this.fullLogText(uri) }));
  }

  /** Follows that stopped because the host was unreachable start again once it lists jobs. */
  private resumeWaiting(errors: ReadonlyMap<string, string>): void {
    for (const [key, entry] of this.open) {
      if (!entry.waitingForHost || entry.following) continue;
      const [host, name] = key.split('\0');
      if (errors.has(host) || !this.jobs.snapshot.hosts.includes(host)) continue;
      entry.waitingForHost = false;
      this.log.info(`log of ${name}: ${host} answers again, resuming from byte ${entry.bytes}`);
      void this.follow({ name, host }, entry);
    }
  }

  private key(job: Pick<Job, 'name' | 'host'>): string {
    return `${job.host}\0${job.name}`;
  }

  /** Shows the job's channel, starting or resuming its follow if it is not following. */
  show(job: Pick<Job, 'name' | 'host'>, preserveFocus = false): vscode.OutputChannel {
    const key = this.key(job);
    let entry = this.open.get(key);
    if (!entry) {
      entry = {
        channel: vscode.window.createOutputChannel(jobChannelName(job.name)),
        tail: new BoundedTail(CHANNEL_MAX_CHARS),
        bytes: 0,
        following: undefined,
        watch: undefined,
        renderer: new LogRenderer(),
        waitingForHost: false,
      };
      this.open.set(key, entry);
    }
    entry.channel.show(preserveFocus);
    if (!entry.following) void this.follow(job, entry);
    return entry.channel;
  }

  /** What the job's channel holds (its bounded tail), or undefined when it was never opened. */
  text(job: Pick<Job, 'name' | 'host'>): string | undefined {
    return this.open.get(this.key(job))?.tail.value;
  }

  private async follow(job: Pick<Job, 'name' | 'host'>, entry: OpenLog): Promise<void> {
    const abort = new AbortController();
    entry.following = abort;
    const decoder = new StringDecoder('utf8');
    let warned = entry.tail.truncated;
    entry.watch ??= this.watches.create(job).catch((e) => {
      this.log.warn(`log watch of ${job.name} is off: ${errorMessage(e)}`);
      return { push: () => undefined, text: () => undefined, end: () => undefined };
    });
    const watch = await entry.watch;
    const put = (s: string): void => {
      if (!s) return;
      if (entry.tail.append(s)) {
        // A fresh channel with the tail, not replace()/clear(): those rewrite the channel by byte
        // offsets, and the Output view was seen to keep stale (too much, or no) text when the
        // channel was not the one shown. A new channel's text is exactly what it was given.
        const old = entry.channel;
        entry.channel = vscode.window.createOutputChannel(jobChannelName(job.name));
        entry.channel.append(`[… earlier output not shown here: run "Cloud Jobs: Open Full Log" for all of it …]\n${entry.tail.value}`);
        entry.channel.show(true);
        old.dispose();
        if (!warned) {
          warned = true;
          void vscode.window.showInformationMessage(`The log of ${job.name} is large: its channel shows the last part.`, 'Open Full Log').then((pick) => {
            if (pick) void vscode.commands.executeCommand('cloudJobs.openFullLog', { kind: 'job', job });
          });
        }
      } else entry.channel.append(s);
    };
    const write = (raw: string): void => {
      if (!raw) return;
      watch.text(raw);
      // Only finished lines are written: the channel is append-only, and a progress bar's
      // carriage-return updates would otherwise pile up; a line shows once it is complete.
      put(entry.renderer.push(raw).lines);
    };
    const fill = entry.bytes === 0 ? await this.cache?.().fill(job.host, job.name).catch(() => undefined) : undefined;
    try {
      const final = await this.jobs.follow(job, {
        fromByte: entry.bytes,
        signal: abort.signal,
        onData: (chunk) => {
          const cached = fill?.write(chunk);
          entry.bytes += chunk.length;
          const text = decoder.write(chunk);
          write(text);
          if (text) this.appended.fire({ job, text });
          watch.push(chunk);
          return cached;
        },
        onReconnect: ({ attempt, fromByte }) => this.log.info(`log of ${job.name}: connection lost, resuming from byte ${fromByte} (attempt ${attempt})`),
      });
      write(decoder.end());
      if (!abort.signal.aborted && !isActive(final.state)) {
        const rest = entry.renderer.end();
        if (rest) put(`${rest}\n`);
        watch.end();
        this.log.info(`log of ${job.name} ended: ${final.state}`);
      }
    } catch (e) {
      if (!abort.signal.aborted && entry.bytes === 0 && (await this.showCached(job, errorMessage(e), write))) return;
      if (!abort.signal.aborted) {
        this.log.warn(`following the log of ${job.name} stopped: ${errorMessage(e)}`);
        entry.channel.appendLine(`[Cloud Jobs: the connection to ${job.host} is lost (${errorMessage(e)}); this log resumes here when it is back]`);
        entry.waitingForHost = true;
      }
    } finally {
      if (entry.following === abort) entry.following = undefined;
      await (entry.bytes > 0 ? fill?.commit() : fill?.discard())?.catch(() => undefined);
    }
  }

  /** A job whose log is in the local cache (its host's name from the cache when not given). */
  async cachedJob(name: string, host?: string): Promise<Pick<Job, 'name' | 'host'> | undefined> {
    const [cached] = (await this.cache?.().find(name, host).catch(() => undefined)) ?? [];
    return cached ? { name, host: cached.host } : undefined;
  }

  /** The host could not be read: the cached copy of the log, marked as such (PRODUCT.md §9). */
  private async showCached(job: Pick<Job, 'name' | 'host'>, why: string, write: (s: string) => void): Promise<boolean> {
    const [cached] = (await this.cache?.().find(job.name, job.host).catch(() => undefined)) ?? [];
    if (!cached) return false;
    this.log.info(`log of ${job.name}: ${job.host} cannot be read (${why}); showing the cached copy of ${cached.savedAt}`);
    write(`[Cloud Jobs: cached log — ${job.host} cannot be read now (${why.replace(/\.$/, '')}); this copy was saved ${new Date(cached.savedAt).toLocaleString()}${cached.complete ? '' : ', while the job was still running'}]\n`);
    write(cached.bytes.toString('utf8'));
    return true;
  }

  /**
   * Opens the whole run.log, rendered as in the channel, as a read-only document titled
   * `<job>.log` (read once, not followed; opening it again reads it again).
   */
  async openFull(job: Pick<Job, 'name' | 'host'>): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.from({ scheme: FULL_LOG_SCHEME, path: `/${job.host}/${job.name}.log` });
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.languages.setTextDocumentLanguage(doc, 'log');
    await vscode.window.showTextDocument(doc, { preview: false });
    return doc;
  }

  private async fullLogText(uri: vscode.Uri): Promise<string> {
    const [, host, file] = uri.path.split('/');
    const name = file.replace(/\.log$/, '');
    const engine = await this.jobs.engineOf({ host });
    return renderLog((await engine.readLog(name)).toString('utf8'));
  }

  /**
   * A replaced job (same name, new log): its old channel and resume offset no longer apply. A
   * channel the user had opened starts again on the new log at once: only dropping it left the
   * Output view on whatever channel came next (an empty "Tasks") until Show Logs was asked again.
   */
  replaced(job: Pick<Job, 'name' | 'host'>): void {
    const entry = this.open.get(this.key(job));
    if (!entry) return;
    entry.following?.abort();
    entry.channel.dispose();
    this.open.delete(this.key(job));
    this.show(job, true);
  }

  dispose(): void {
    for (const d of this.subs) d.dispose();
    for (const e of this.open.values()) {
      e.following?.abort();
      e.channel.dispose();
    }
    this.open.clear();
    this.appended.dispose();
  }
}
