import * as path from 'node:path';
import type { CliIO } from './command';
import { writeLine } from './command';
import type { CliContext } from './context';
import { UserError } from '../core/errors';
import { isActive } from '../core/jobs/model';
import { joinRemote, pullDir, type PullResult } from '../core/transfer';
import { packCodecs } from '../host/unpack';

/**
 * Brings a job's output dir back. The source is the dir the job recorded (`--output-dir` of
 * `run`), else the given dir; the destination is the given dir, else the recorded one, taken
 * from the current directory. Relative remote dirs are under the job's workdir.
 */
export async function pullJobOutput(ctx: CliContext, io: CliIO, name: string, outputDir: string | undefined, prefix = 'orch'): Promise<PullResult> {
  const job = await ctx.engine.get(name);
  if (!job) throw new UserError(`No job named ${name} on ${ctx.engine.host}.`);
  const remoteRel = job.outputDir ?? outputDir;
  const localRel = outputDir ?? job.outputDir;
  if (!remoteRel || !localRel) {
    throw new UserError(`Nothing to pull: job ${name} recorded no output dir (start it with --output-dir D, or pass --output-dir D here).`);
  }
  if (isActive(job.state)) writeLine(io.stderr, `${prefix}: job ${name} is still ${job.state}; pulling what is there now.`);
  const remote = joinRemote(job.workdir ?? ctx.config.remoteWorkdir, remoteRel);
  const local = path.resolve(io.cwd, localRel);
  const r = await pullDir(ctx.target, remote, local, packCodecs(io.env, ctx.where === 'cloud'));
  if (r.alreadyLocal) writeLine(io.stderr, `${prefix}: ${local} is the job's output dir itself (local target); nothing to copy.`);
  else writeLine(io.stderr, `${prefix}: pulled ${r.files} file${r.files === 1 ? '' : 's'} (${r.bytes} bytes) from ${ctx.engine.host}:${remote} into ${local}.`);
  for (const w of r.refused) writeLine(io.stderr, `${prefix}: refused an entry: ${w}`);
  return r;
}
