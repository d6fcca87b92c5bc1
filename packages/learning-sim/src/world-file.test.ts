import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorld, printDefaultWorld } from './default-world';
import { reshuffleWorld } from './reshuffle-world';
import { printWorld, writeWorldFile } from './world-file';
import { parseWorld } from './world-schema';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

describe('printWorld', () => {
  it('prints a world exactly as the built-in world files are written', () => {
    expect(printWorld(defaultWorld)).toBe(printDefaultWorld());
  });
});

describe('writeWorldFile', () => {
  it('writes a world file that parses back to the same world', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'world-file-'));
    directories.push(directory);
    const world = reshuffleWorld(defaultWorld, 5);
    const path = await writeWorldFile(join(directory, 'nested', 'world.json'), world);
    expect(parseWorld(JSON.parse(readFileSync(path, 'utf8')))).toEqual(world);
    await expect(writeWorldFile(join(directory, 'bad.json'), { ...world, models: [] })).rejects.toThrow(/models/);
  });
});
