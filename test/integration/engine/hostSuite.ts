/** Placeholder replaced below. */
export function hostSuite(_fx: unknown, _names: string[]): void {}
