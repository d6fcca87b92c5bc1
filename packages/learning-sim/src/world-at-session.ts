import type { World } from './world-schema';

const cache = new WeakMap<World, Map<number, World>>();

/**
 * The world as it is at session `index` (0-based): the base world with every scheduled change whose `atSession` ≤
 * `index` applied in order, without its schedule. A world without a schedule is returned as it is (the same
 * object), so runs of unscheduled worlds are untouched. Results are cached per number of changes in force.
 */
export function worldAtSession(world: World, index: number): World {
  const schedule = world.schedule;
  if (schedule === undefined || schedule.length === 0) return world;
  let applied = 0;
  while (applied < schedule.length && schedule[applied]!.atSession <= index) applied += 1;
  let byCount = cache.get(world);
  if (byCount === undefined) {
    byCount = new Map();
    cache.set(world, byCount);
  }
  const known = byCount.get(applied);
  if (known !== undefined) return known;
  const { schedule: _schedule, ...base } = world;
  let models = base.models;
  for (const change of schedule.slice(0, applied)) {
    models = models.map((model) => {
      const patch = change.models[model.id];
      return patch === undefined ? model : { ...model, ...patch };
    });
  }
  const result: World = { ...base, models };
  byCount.set(applied, result);
  return result;
}

/** The session indices at which the world changes (empty without a schedule). */
export function worldChangePoints(world: World): number[] {
  return (world.schedule ?? []).map((change) => change.atSession);
}
