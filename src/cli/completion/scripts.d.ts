/** The completion scripts are imported as text (esbuild's `text` loader; scripts/sh-text-hook.cjs under mocha and tsx). */
declare module '*.bash' {
  const text: string;
  export default text;
}
declare module '*.zsh' {
  const text: string;
  export default text;
}
declare module '*.fish' {
  const text: string;
  export default text;
}
