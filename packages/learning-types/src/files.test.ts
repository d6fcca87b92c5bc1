import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFileAtomically } from './files';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

function directory(): string {
  const created = mkdtempSync(join(tmpdir(), 'write-atomically-'));
  directories.push(created);
  return created;
}

describe('writeFileAtomically', () => {
  it('replaces a file whole, private by default, and leaves no temporary file behind', async () => {
    const root = directory();
    const path = join(root, 'state.json');
    writeFileSync(path, 'old');
    await writeFileAtomically(path, '{"new":true}\n');
    expect(readFileSync(path, 'utf8')).toBe('{"new":true}\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    await writeFileAtomically(join(root, 'bytes.bin'), Uint8Array.of(1, 2, 3), { mode: 0o640 });
    expect([...readFileSync(join(root, 'bytes.bin'))]).toEqual([1, 2, 3]);
    expect(statSync(join(root, 'bytes.bin')).mode & 0o777).toBe(0o640);
    expect(readdirSync(root).sort()).toEqual(['bytes.bin', 'state.json']);
  });

  it('replaces a symlink at the target instead of writing through it', async () => {
    const root = directory();
    const outside = join(root, 'outside.txt');
    writeFileSync(outside, 'keep me');
    symlinkSync(outside, join(root, 'report.html'));
    await writeFileAtomically(join(root, 'report.html'), 'report');
    expect(readFileSync(outside, 'utf8')).toBe('keep me');
    expect(readFileSync(join(root, 'report.html'), 'utf8')).toBe('report');
  });

  it('fails when the directory is missing, leaving nothing behind', async () => {
    const root = directory();
    await expect(writeFileAtomically(join(root, 'missing', 'file.txt'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(root)).toEqual([]);
  });
});
