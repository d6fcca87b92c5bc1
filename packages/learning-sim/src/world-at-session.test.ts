import { describe, expect, it } from 'vitest';
import { defaultWorld, defaultWorldInput } from './default-world';
import { parseWorld } from './world-schema';
import { worldAtSession, worldChangePoints } from './world-at-session';

describe('worldAtSession', () => {
  it('returns an unscheduled world itself', () => {
    expect(worldAtSession(defaultWorld, 5_000)).toBe(defaultWorld);
    expect(worldChangePoints(defaultWorld)).toEqual([]);
  });

  it('applies the scheduled model changes in order from their session on', () => {
    const id = defaultWorld.models[2]!.id;
    const world = parseWorld({
      ...defaultWorldInput,
      schedule: [
        { atSession: 100, models: { [id]: { skill: { simple: 0.3, medium: 0.2, complex: 0.1 }, apiErrorProbability: 0.2 } }, description: 'worse' },
        { atSession: 300, models: { [id]: { apiErrorProbability: 0.01 } } },
      ],
    });
    expect(worldAtSession(world, 99).models[2]).toEqual(defaultWorld.models[2]);
    expect(worldAtSession(world, 99).schedule).toBeUndefined();
    expect(worldAtSession(world, 100).models[2]).toMatchObject({ skill: { simple: 0.3, medium: 0.2, complex: 0.1 }, apiErrorProbability: 0.2 });
    expect(worldAtSession(world, 300).models[2]).toMatchObject({ skill: { simple: 0.3 }, apiErrorProbability: 0.01 });
    expect(worldAtSession(world, 100)).toBe(worldAtSession(world, 299));
    expect(worldAtSession(world, 100).models[0]).toBe(worldAtSession(world, 0).models[0]);
    expect(worldChangePoints(world)).toEqual([100, 300]);
  });

  it('refuses a schedule naming an unknown model or out of order, naming the field', () => {
    expect(() => parseWorld({ ...defaultWorldInput, schedule: [{ atSession: 1, models: { nope: { apiErrorProbability: 0.5 } } }] })).toThrow(/schedule\.0\.models\.nope/);
    const id = defaultWorld.models[0]!.id;
    expect(() => parseWorld({ ...defaultWorldInput, schedule: [{ atSession: 5, models: { [id]: {} } }, { atSession: 2, models: {} }] })).toThrow(/schedule\.1\.atSession/);
    expect(() => parseWorld({ ...defaultWorldInput, schedule: [{ atSession: 5, models: { [id]: { skill: 0.5 } } }] })).toThrow(/skill/);
  });
});

describe('the model-degrades world file', () => {
  it('parses and degrades gpt-5.2-codex from session 2,600 on', async () => {
    const { readFile } = await import('node:fs/promises');
    const world = parseWorld(JSON.parse(await readFile(new URL('../worlds/model-degrades.json', import.meta.url), 'utf8')));
    const before = worldAtSession(world, 2_599).models.find((model) => model.id === 'gpt-5.2-codex')!;
    const after = worldAtSession(world, 2_600).models.find((model) => model.id === 'gpt-5.2-codex')!;
    expect(before).toEqual(defaultWorld.models.find((model) => model.id === 'gpt-5.2-codex'));
    expect(after.skill.complex).toBeLessThan(before.skill.complex / 2);
    expect(after.apiErrorProbability).toBe(0.15);
  });
});
