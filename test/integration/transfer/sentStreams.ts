/**
 * What a sync's calls sent, read from their stdin as sync.sh reads it: the ZIP field and the
 * first bytes of the stream after the records (a zstd frame, a gzip member, a tar header).
 */
export interface SentStream {
  zip: string;
  packing: 'zstd' | 'gzip' | 'other';
  bytes: number;
}

export function streamsIn(stdins: readonly Buffer[]): SentStream[] {
  const out: SentStream[] = [];
  for (const stdin of stdins) {
    const fields: string[] = [];
    let at = 0;
    while (fields.length < 7) {
      const nul = stdin.indexOf(0, at);
      if (nul < 0) break;
      fields.push(stdin.subarray(at, nul).toString('utf8'));
      at = nul + 1;
    }
    if (fields[0] !== 'apply' || !fields[4]) continue;
    const stream = stdin.subarray(at + Number(fields[6]));
    const packing = stream.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])) ? 'zstd' : stream.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b])) ? 'gzip' : 'other';
    out.push({ zip: fields[4], packing, bytes: stream.length });
  }
  return out;
}
