// The research-kit experiment flow, for the CLI and the extension.
export { planExperiment, phasesFor, resultsDirFor, type ExperimentPlan, type ExperimentRequest, type FlowKind, type Phase, type SpecPlan } from './plan';
export { runExperiment, DIRECTIVE_FILE, type ExperimentEvent, type ExperimentHooks, type ExperimentResult, type SpecOutcome } from './flow';
export { computeDirective, type DirectiveInput } from './directive';
export { findKit, findCloudRun, kitCandidates } from './discovery';
export { RUN_ID_FILE, METRICS_FILE } from './sync';
export type { OutputStream, ProcessRunner, ProcessSpec } from './process';
