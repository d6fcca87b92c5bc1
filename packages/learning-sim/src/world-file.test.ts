import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultWorld, printDefaultWorld } from './default-world';
import { reshuffleWorld } from './reshuffle-world';
import { WorldFileError } from './errors/world-file-error';
import { printWorld, readWorldFile, writeWorldFile } from './world-file';
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

describe('readWorldFile', () => {
  it('reads what writeWorldFile wrote, and names the file in one line when it is missing, not JSON or not a world', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'world-file-'));
    directories.push(directory);
    const world = reshuffleWorld(defaultWorld, 6);
    const path = await writeWorldFile(join(directory, 'world.json'), world);
    expect(await readWorldFile(path)).toEqual(world);
    writeFileSync(join(directory, 'broken.json'), '{"models": [');
    writeFileSync(join(directory, 'empty-world.json'), JSON.stringify({ ...world, models: [] }));
    const failures = await Promise.all(
      ['missing.json', 'broken.json', 'empty-world.json'].map((name) => readWorldFile(join(directory, name)).then(() => null, (error: unknown) => error)),
    );
    const messages = failures.map((error) => {
      expect(WorldFileError.isInstance(error)).toBe(true);
      const message = (error as WorldFileError).message;
      expect(message).not.toContain('\n');
      return message;
    });
    expect(messages[0]).toMatch(/^cannot read world file .*missing\.json \(ENOENT\)$/);
    expect(messages[1]).toMatch(/broken\.json is not valid JSON$/);
    expect(messages[2]).toMatch(/empty-world\.json is not a valid world: .*models/);
    expect((failures[0] as WorldFileError).path).toBe(join(directory, 'missing.json'));
  });
});
