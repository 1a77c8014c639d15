import { shellQuote } from '../../host/target';

export interface DirectiveInput {
  /** This project's cloud-run, absolute. */
  cloudRun: string;
  /** The spec as the kit sees it (relative to the workspace root when inside it). */
  spec: string;
  /** Results dir of the spec, same convention. */
  resultsDir: string;
  dataDir: string;
  maxHours: string;
}

/** Leaves plain words bare (as the seed's text shows them) and quotes anything a shell would split. */
function word(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : shellQuote(s);
}

function dir(s: string): string {
  return word(s.endsWith('/') ? s : `${s}/`);
}

/**
 * The mandatory EC2 compute directive given to the RUN phase when COMPUTE_TARGET=ec2: the
 * research-kit spec's text (seed 001, "Modify run_run()"), with the real spec, results dir, data
 * dir and max hours, and this project's cloud-run in place of `orchestration-kit/tools/cloud-run`.
 */
export function computeDirective(d: DirectiveInput): string {
  const cloudRun = word(d.cloudRun);
  return `
## Compute Directive (MANDATORY — EC2)
ALL training and heavy computation MUST run on EC2. Do NOT run model training locally.

Use cloud-run to execute the experiment:
  ${cloudRun} run "python <your-script>" \\
      --spec ${word(d.spec)} \\
      --data-dirs ${dir(d.dataDir)} \\
      --output-dir ${dir(d.resultsDir)} \\
      --max-hours ${word(d.maxHours)}

IMPORTANT:
- Do NOT use --detach. Wait for the run to complete.
- After cloud-run finishes, pull results:
    ${cloudRun} pull <run-id> --output-dir ${dir(d.resultsDir)}
- Write the cloud-run run-id to ${dir(d.resultsDir)}.cloud-run-id
- Verify metrics.json exists in ${dir(d.resultsDir)} before exiting.
- You may run the MVE (minimal viable experiment) locally for fast iteration,
  but the FULL experiment (all CPCV splits, all configs) MUST run on EC2.
- Local-only tasks (data loading verification, normalization checks, small sanity checks) are fine locally.`;
}
