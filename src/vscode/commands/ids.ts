// Every command the extension contributes; package.json's `contributes.commands` lists exactly
// these (a unit test checks both ways). Pure so the test runs without VS Code.
export const COMMAND_IDS = [
  'cloudJobs.runOnEc2',
  'cloudJobs.attach',
  'cloudJobs.stop',
  'cloudJobs.stopAll',
  'cloudJobs.showLogs',
  'cloudJobs.openFullLog',
  'cloudJobs.refresh',
  'cloudJobs.rerun',
  'cloudJobs.pullResults',
  'cloudJobs.rollback',
  'cloudJobs.copyName',
  'cloudJobs.routeActiveTask',
  'cloudJobs.runExperimentCycle',
  'cloudJobs.runExperimentFull',
  'cloudJobs.runExperimentProgram',
  'cloudJobs.setComputeTarget',
  'cloudJobs.openSettings',
  'cloudJobs.openEnvFile',
  'cloudJobs.useLocalTarget',
  'cloudJobs.setSlackWebhook',
  'cloudJobs.forgetSecrets',
  'cloudJobs.setJobSecret',
  'cloudJobs.openInBrowser',
  'cloudJobs.installCli',
  'cloudJobs.uninstallCli',
  'cloudJobs.startBox',
  'cloudJobs.stopBox',
  'cloudJobs.checkHost',
] as const;

export type CommandId = (typeof COMMAND_IDS)[number];
