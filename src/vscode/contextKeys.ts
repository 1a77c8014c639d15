// Every context key the extension sets for package.json `when` clauses, with its value's type.
// Pure (no `vscode` import): a unit test checks it against package.json; setContext.ts sets them.

/** The key, and the kind of value it holds (`boolean` keys are tested bare, `string` ones with `==`). */
export const CONTEXT_KEYS = {
  /** Some host is configured (hosts.yaml, else ORCH_HOST): the welcome view gives way to the tree. */
  'cloudJobs.hostConfigured': 'boolean',
  /** The local tmux server is listed (chosen once in this workspace, or used by Run on EC2). */
  'cloudJobs.useLocal': 'boolean',
  /** The configuration cannot be read: the welcome view says so and offers the files. */
  'cloudJobs.configError': 'boolean',
  /** The tree lists at least one job: Stop All, Refresh and the like show in the title. */
  'cloudJobs.hasJobs': 'boolean',
  /** Some host is an EC2 box (ec2: in hosts.yaml): Start Box / Stop Box show. */
  'cloudJobs.isBox': 'boolean',
  /** How the Jobs view groups (`host` or `state`): the title shows the other grouping's button. */
  'cloudJobs.groupBy': 'string',
  /** A name filter is active in the Jobs view: Clear Filter shows. */
  'cloudJobs.filtering': 'boolean',
} as const;

export type ContextKey = keyof typeof CONTEXT_KEYS;

interface ValueOfKind {
  boolean: boolean;
  string: string;
}

export type ContextValue<K extends ContextKey> = ValueOfKind[(typeof CONTEXT_KEYS)[K]];
