/** Logs for the CloudWatch tests, and what CloudWatch must hold for them. */

/** What CloudWatch must hold for `log`: each line decoded as a browser does (U+FFFD for bytes that are not UTF-8), an empty line as " ". */
export function expectedLines(log: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i <= log.length; i++) {
    if (i < log.length && log[i] !== 0x0a) continue;
    if (i === log.length && start === i) break;
    const text = new TextDecoder().decode(log.subarray(start, i));
    lines.push(text === '' ? ' ' : text);
    start = i + 1;
  }
  return lines;
}

/** The stream's events joined back into lines (a long line arrives as several events, in order). */
export function joinEvents(messages: string[], want: string[]): string[] {
  const got: string[] = [];
  let k = 0;
  for (const w of want) {
    let line = '';
    while (line.length < w.length && k < messages.length) line += messages[k++]!;
    got.push(line);
  }
  while (k < messages.length) got.push(`(extra) ${messages[k++]!.slice(0, 80)}`);
  return got;
}

/** A log with everything a job may print: 20,000 lines, some of 600 KB, UTF-8 of 1 to 4 bytes, bytes that are not UTF-8, NUL and control bytes, CR, empty lines; no final newline. */
export function nastyLog(lines = 20_000): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < lines; i++) {
    parts.push(Buffer.from(`line ${i} "quoted" back\\slash\ttab é 日本 😀 {"json": [1, 2]}\r`));
    if (i % 97 === 0) parts.push(Buffer.from([0xff, 0x41, 0xe2, 0x82, 0x41, 0xed, 0xa0, 0x80, 0xf0, 0x9f, 0x98, 0x00, 0x7f, 0x01, 0xc0, 0xaf]));
    if (i === 5000 || i === 15000) parts.push(Buffer.from('x'.repeat(600_000)));
    if (i === 7000) parts.push(Buffer.from('é'.repeat(200_000)));
    if (i % 13 === 0) parts.push(Buffer.from(''));
    parts.push(Buffer.from('\n'));
  }
  parts.push(Buffer.from('[EXIT: 0] no newline é'));
  return Buffer.concat(parts as unknown as Uint8Array[]);
}
