/**
 * The buttons of Run on EC2's confirmation and what each means. A stopped EC2 box is started
 * after this answer, so its buttons say so ("Start Box and Run"): one question, and Cancel leaves
 * the box stopped.
 */
export type RunChoice = 'run' | 'without-sync' | 'sync' | 'git-init';

export interface RunButtons {
  labels: string[];
  choice(label: string | undefined): RunChoice | undefined;
}

export function runButtons(o: { canSync: boolean; noGit: boolean; sync: boolean; startBox: boolean }): RunButtons {
  const start = o.startBox;
  const text: Record<RunChoice, string> = {
    run: start ? 'Start Box and Run' : 'Run',
    'without-sync': start ? 'Start Box, Run Without Sync' : 'Run Without Sync',
    sync: start ? 'Start Box, Sync and Run' : 'Sync and Run',
    'git-init': start ? 'Initialize Git, Start Box and Run' : 'Initialize Git and Run',
  };
  const shown: RunChoice[] = !o.canSync ? ['run'] : o.noGit ? ['git-init', 'without-sync'] : o.sync ? ['run', 'without-sync'] : ['run', 'sync'];
  return {
    labels: shown.map((c) => text[c]),
    choice: (label) => shown.find((c) => text[c] === label),
  };
}
