import cheapModelsStrongJson from '../worlds/cheap-models-strong.json';
import defaultJson from '../worlds/default.json';
import rulesNearlyOptimalJson from '../worlds/rules-nearly-optimal.json';
import { parseWorld, type World } from './world-schema';

/** Names of the worlds that ship with the package (also as JSON files in its `worlds/` folder). */
export const builtInWorldNames = ['default', 'cheap-models-strong', 'rules-nearly-optimal'] as const;
export type BuiltInWorldName = (typeof builtInWorldNames)[number];

const sources: Readonly<Record<BuiltInWorldName, unknown>> = {
  default: defaultJson,
  'cheap-models-strong': cheapModelsStrongJson,
  'rules-nearly-optimal': rulesNearlyOptimalJson,
};
let parsed: Record<BuiltInWorldName, World> | undefined;

/**
 * The built-in worlds, validated (parsed once, on first use): `default`; `cheap-models-strong` (cheap models nearly
 * as good as premium ones, which cost 3× more; more complex work); `rules-nearly-optimal` (mostly simple tasks,
 * hand-offs hurt small tasks, light load: textbook rules are close to the best policy).
 */
export function builtInWorlds(): Readonly<Record<BuiltInWorldName, World>> {
  parsed ??= {
    default: parseWorld(sources.default),
    'cheap-models-strong': parseWorld(sources['cheap-models-strong']),
    'rules-nearly-optimal': parseWorld(sources['rules-nearly-optimal']),
  };
  return parsed;
}

/** One built-in world by name. */
export function builtInWorld(name: BuiltInWorldName): World {
  return builtInWorlds()[name];
}
