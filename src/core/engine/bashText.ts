/**
 * Bash source kept in TypeScript. A template literal would read bash's `${var}` as its own
 * interpolation, so bash text is written with the `bash` tag: raw (backslashes kept as typed),
 * no interpolation, and `$\{` standing for bash's `${`.
 */
export function bash(strings: TemplateStringsArray, ...values: never[]): string {
  if (values.length > 0) throw new Error('bash text takes no interpolations');
  return strings.raw.join('').replace(/\$\\\{/g, '${');
}
