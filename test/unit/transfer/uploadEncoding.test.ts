import assert from 'node:assert/strict';
import { chooseUploadEncoding } from '../../../src/core/transfer/uploadEncoding';

describe('how a sync upload is packed', () => {
  const both = { nodeZstd: true, zstdCommand: '/usr/bin/zstd' };
  const commandOnly = { nodeZstd: false, zstdCommand: '/usr/bin/zstd' };
  const neither = { nodeZstd: false, zstdCommand: undefined };

  it('is zstd when the host has it, by Node\'s own zstd before a zstd process', () => {
    assert.deepEqual(chooseUploadEncoding(['zstd', 'gzip'], both), { zip: 'zstd', encoder: 'node' });
    assert.deepEqual(chooseUploadEncoding(['zstd', 'gzip'], commandOnly), { zip: 'zstd', encoder: 'command', command: '/usr/bin/zstd' });
    assert.deepEqual(chooseUploadEncoding(['zstd'], commandOnly), { zip: 'zstd', encoder: 'command', command: '/usr/bin/zstd' });
  });

  it('is gzip when either end lacks zstd and the host has gzip', () => {
    assert.deepEqual(chooseUploadEncoding(['gzip'], both), { zip: 'gzip' });
    assert.deepEqual(chooseUploadEncoding(['zstd', 'gzip'], neither), { zip: 'gzip' });
  });

  it('is plain tar when the host can unpack neither', () => {
    assert.deepEqual(chooseUploadEncoding([], both), { zip: 'tar' });
    assert.deepEqual(chooseUploadEncoding(['zstd'], neither), { zip: 'tar' });
  });
});
