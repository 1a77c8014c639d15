/**
 * The command, run on the job's host, that attaches a terminal to the job's tmux session. On a
 * Slurm host the session lives inside the allocation, on a tmux server of the job's own
 * (lib/slurm.sh `slurm_tmux_dir`), reached by a step of the running job: `srun --jobid=ID
 * --overlap --pty`. Wrapped in bash, so any login shell (zsh, fish) runs it alike.
 */
import { shellQuote } from '../../host/target';
import type { Job } from './model';

const SLURM_ATTACH = `PATH=$PATH:/opt/slurm/bin
srun --jobid="$1" --overlap --pty bash -c 'TMUX_TMPDIR=/tmp/orch-slurm-$SLURM_JOB_ID exec tmux -u attach -t "$1"' orch-attach "$2" && exit 0
st=$?
printf 'orch: could not attach inside Slurm job %s (srun exit %s). Attaching needs a step in the running job (srun --overlap); where the cluster forbids that, follow the job with: orch logs -f %s\\n' "$1" "$st" "$2" >&2
exit "$st"`;

export function attachRemoteCommand(job: Pick<Job, 'name' | 'slurmJobId'>): string {
  if (!job.slurmJobId) return `tmux -u attach -t ${shellQuote(job.name)}`;
  return `bash -c ${shellQuote(SLURM_ATTACH)} orch-attach ${shellQuote(job.slurmJobId)} ${shellQuote(job.name)}`;
}
