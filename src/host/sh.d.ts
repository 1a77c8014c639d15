/** Host shell files are imported as text (esbuild's `text` loader; scripts/sh-text-hook.cjs under mocha and tsx). */
declare module '*.sh' {
  const text: string;
  export default text;
}
