import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printDefaultWorld } from '@orchestra/learning-sim';
import { DemoWorldError, loadWorld } from './load-world';

const directory = mkdtempSync(join(tmpdir(), 'demo-world-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

async function failure(path: string): Promise<DemoWorldError> {
  try {
    await loadWorld(path);
  } catch (error) {
    if (DemoWorldError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a DemoWorldError');
}

describe('loadWorld', () => {
  it('returns the default world without a file and validates a world file', async () => {
    expect((await loadWorld(undefined)).name).toBe('default');
    const path = join(directory, 'copy.json');
    writeFileSync(path, printDefaultWorld());
    const loaded = await loadWorld(path);
    expect(loaded.world.models.length).toBeGreaterThanOrEqual(4);
    expect(loaded.source).toBe(path);
  });

  it('refuses missing, non-JSON, invalid worlds and worlds without the catalog models', async () => {
    expect((await failure(join(directory, 'missing.json'))).message).toMatch(/cannot read/);
    writeFileSync(join(directory, 'bad.json'), '{ nope');
    expect((await failure(join(directory, 'bad.json'))).message).toMatch(/not valid JSON/);
    writeFileSync(join(directory, 'invalid.json'), JSON.stringify({ name: 'x' }));
    expect((await failure(join(directory, 'invalid.json'))).message).toMatch(/not a valid world/);
    const world = JSON.parse(printDefaultWorld());
    world.models = world.models.filter((model: { id: string }) => model.id !== 'claude-opus');
    world.fallbackOrder = (world.fallbackOrder ?? []).filter((id: string) => id !== 'claude-opus');
    writeFileSync(join(directory, 'no-opus.json'), JSON.stringify(world));
    const error = await failure(join(directory, 'no-opus.json'));
    expect(error.message).toMatch(/claude-opus|not a valid world/);
  });
});
