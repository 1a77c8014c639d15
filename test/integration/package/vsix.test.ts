import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as path from 'node:path';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../../..');

/** Lists the entries of a zip with Node only (the .vsix is a zip; no unzip needed). */
function zipEntries(file: string): string[] {
  const buf = fs.readFileSync(file);
  const names: string[] = [];
  // walk the central directory: signature 0x02014b50
  const eocd = buf.lastIndexOf('PK\x05\x06', undefined, 'latin1');
  assert.ok(eocd >= 0, 'not a zip file');
  let offset = buf.readUInt32LE(eocd + 16);
  const count = buf.readUInt16LE(eocd + 10);
  for (let i = 0; i < count; i++) {
    assert.equal(buf.readUInt32LE(offset), 0x02014b50);
    const nameLen = buf.readUInt16LE(offset + 28);
    const extraLen = buf.readUInt16LE(offset + 30);
    const commentLen = buf.readUInt16LE(offset + 32);
    names.push(buf.subarray(offset + 46, offset + 46 + nameLen).toString('utf8'));
    offset += 46 + nameLen + extraLen + commentLen;
  }
  return names;
}

describe('the .vsix package', function () {
  this.timeout(180_000);
  let entries: string[];

  let listed: string[];

  before(async () => {
    await run('npm', ['run', '--silent', 'package'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    entries = zipEntries(path.join(root, 'dist', 'cloud-jobs.vsix'));
    // `vsce ls` of the staged manifest: what vsce itself says it packs
    const ls = await run(process.execPath, ['scripts/package-vsix.mjs', '--ls'], { cwd: root, maxBuffer: 16 * 1024 * 1024 });
    listed = ls.stdout.split('\n').filter((l) => l.trim() !== '');
    console.log(`      vsce ls:\n${listed.map((l) => `        ${l}`).join('\n')}`);
  });

  it('packs what `vsce ls` lists, and nothing else', () => {
    // vsce stores the readme, changelog and license under names of its own
    const renamed: Record<string, string> = { 'readme.md': 'README.md', 'changelog.md': 'CHANGELOG.md', 'LICENSE.txt': 'LICENSE' };
    const files = entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice('extension/'.length)).map((f) => renamed[f] ?? f);
    assert.deepEqual(files.sort(), [...listed].sort());
  });

  it('holds the bundles, the bins and the manifest', () => {
    for (const f of ['extension/package.json', 'extension/dist/extension.js', 'extension/dist/orch.js', 'extension/dist/aws-ec2.js', 'extension/dist/start.js', 'extension/bin/orch', 'extension/bin/cloud-run']) {
      assert.ok(entries.includes(f), `${f} missing from the .vsix (has: ${entries.join(', ')})`);
    }
  });

  it('is ready for the Marketplace: a PNG icon of at least 128 px, a changelog, categories and keywords', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'dist', 'vsix', 'package.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(manifest.icon, 'media/icon.png');
    assert.ok(entries.includes('extension/media/icon.png') && entries.includes('extension/changelog.md'));
    const png = fs.readFileSync(path.join(root, 'media', 'icon.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    // IHDR: width and height, big-endian, at bytes 16 and 20
    assert.ok(png.readUInt32BE(16) >= 128 && png.readUInt32BE(20) >= 128, 'icon of at least 128x128');
    assert.ok((manifest.categories as string[]).length > 0 && !(manifest.categories as string[]).every((c) => c === 'Other'));
    assert.ok((manifest.keywords as string[]).length >= 5 && (manifest.keywords as string[]).length <= 30);
    // what the stage drops: nothing builds inside vsce, no dependency list
    assert.equal(manifest.scripts, undefined);
    assert.equal(manifest.devDependencies, undefined);
  });

  it('holds no sources, tests, source maps or node_modules', () => {
    const bad = entries.filter((e) => /^extension\/(src|test|node_modules|bench|scripts|docs)\//.test(e) || e.endsWith('.ts') || e.endsWith('.map'));
    assert.deepEqual(bad, []);
    for (const l of listed) assert.doesNotMatch(l, /^(src|test|node_modules|bench|scripts|docs)\/|\.ts$|\.map$/);
  });

  it('ships a CLI bundle that runs and reports the package version', async () => {
    const version = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).version as string;
    const out = await run(path.join(root, 'bin', 'orch'), ['--version'], { cwd: root });
    assert.equal(out.stdout.trim(), version);
  });
});
