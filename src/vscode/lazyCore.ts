/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * Core modules that evaluate zod, yaml or ssh2 when loaded, required on first use instead of at
 * activation: the extension is one bundle, and esbuild evaluates an `import`ed module when the
 * bundle loads but a `require`d one only when the call runs. Activation needs none of them.
 */
export const configResolve = (): typeof import('../core/config/resolve') => require('../core/config/resolve');
export const configSchema = (): typeof import('../core/config/schema') => require('../core/config/schema');
export const policy = (): typeof import('../core/policy') => require('../core/policy');
export const experiment = (): typeof import('../core/experiment') => require('../core/experiment');
export const configHosts = (): typeof import('../core/config/hosts') => require('../core/config/hosts');
export const configHostsLookup = (): typeof import('../core/config/hostsLookup') => require('../core/config/hostsLookup');
