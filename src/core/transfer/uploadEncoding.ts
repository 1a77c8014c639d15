/**
 * How a sync's tar stream is packed for the link: the one choice, from what the host can unpack
 * (sync.sh's `zips`) and what this machine can encode. Measured on this machine (zstd 1.5.4, a
 * tar of each tree; bytes, time to pack it):
 *
 * | tree                              | gzip -1         | gzip -6          | zstd -1         | zstd -3         | zstd -3 --long  | zstd -6         |
 * |-----------------------------------|-----------------|------------------|-----------------|-----------------|-----------------|-----------------|
 * | the bench's 3,000 files, 26 MB    | 3.36 MB, 178 ms | 0.29 MB, 190 ms  | 0.33 MB, 22 ms  | 0.14 MB, 32 ms  | 0.08 MB, 46 ms  | 0.10 MB, 54 ms  |
 * | this repo's tracked files, 4.0 MB | 1.87 MB, 68 ms  | 1.74 MB, 131 ms  | 1.88 MB, 17 ms  | 1.75 MB, 27 ms  | 1.75 MB, 39 ms  | 1.67 MB, 63 ms  |
 * | 30 MB of node_modules             | 8.00 MB, 319 ms | 6.48 MB, 936 ms  | 6.68 MB, 106 ms | 5.27 MB, 107 ms | 4.83 MB, 145 ms | 4.70 MB, 362 ms |
 *
 * zstd -3 packs as fast as -1 and smaller than gzip -6, at about 250 MB/s: faster than any link.
 * --long saves 60 KB of the bench tree (5 ms at 100 Mbit/s) and little of real code, for a
 * 128 MB window on both ends: not used. -4 to -6 cost more time than they save below ~100 MB/s.
 * gzip stays at level 1: -6 is three times slower on real trees (32 MB/s, slower than a 100 Mbit/s
 * link once it packs 4.6:1), so only a slow link would gain, and only the bench tree gains much.
 */

export const ZSTD_LEVEL = 3;
export const GZIP_LEVEL = 1;

/** What packs the stream: the `zip` field the host gets, and (for zstd) which encoder. */
export type UploadEncoding = { zip: 'zstd'; encoder: 'node' } | { zip: 'zstd'; encoder: 'command'; command: string } | { zip: 'gzip' } | { zip: 'tar' };

/** The encoders this machine has beside gzip (zlib's, always there). */
export interface LocalEncoders {
  /** Node's own zlib zstd (Node 22.15 and 23.8 on). */
  nodeZstd: boolean;
  /** A `zstd` on the PATH. */
  zstdCommand: string | undefined;
}

/** zstd when both ends have it (Node's own before a process), else gzip where the host has it, else plain tar. */
export function chooseUploadEncoding(hostZips: readonly string[], local: LocalEncoders): UploadEncoding {
  if (hostZips.includes('zstd')) {
    if (local.nodeZstd) return { zip: 'zstd', encoder: 'node' };
    if (local.zstdCommand) return { zip: 'zstd', encoder: 'command', command: local.zstdCommand };
  }
  return hostZips.includes('gzip') ? { zip: 'gzip' } : { zip: 'tar' };
}
