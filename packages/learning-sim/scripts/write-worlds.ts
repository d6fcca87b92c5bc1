/**
 * Writes the built-in world files into `worlds/`: `default.json` from `defaultWorld`, and two variants derived from
 * it. Run with `node --import tsx scripts/write-worlds.ts` after changing the default world; the test suite checks
 * that `worlds/default.json` matches `printDefaultWorld()`.
 */
import { writeFileSync } from 'node:fs';
import { defaultWorld, printDefaultWorld } from '../src/default-world';
import { parseWorld, type World } from '../src/world-schema';

const directory = new URL('../worlds/', import.meta.url);

function derive(name: string, description: string, change: (world: World) => void): World {
  const world = structuredClone(defaultWorld);
  world.name = name;
  world.description = description;
  change(world);
  return parseWorld(world);
}

function model(world: World, id: string) {
  const found = world.models.find((entry) => entry.id === id);
  if (found === undefined) throw new Error(`no model ${id}`);
  return found;
}

// Cheap models are strong: open-weight models caught up, the premium ones got pricier. A complex-heavy backlog.
const cheapModelsStrong = derive(
  'cheap-models-strong',
  'The cheap and mid models are nearly as good as the premium ones, which cost three times more; the backlog has more complex, multi-domain work.',
  (world) => {
    Object.assign(model(world, 'glm-4.7'), { skill: { simple: 0.93, medium: 0.84, complex: 0.58 }, planning: 0.75, review: 0.7, contextLimitTokens: 200_000 });
    Object.assign(model(world, 'kimi-k2.5'), { skill: { simple: 0.93, medium: 0.86, complex: 0.62 }, planning: 0.8, review: 0.75 });
    Object.assign(model(world, 'gpt-5.2-codex'), { inputPricePer1kTokens: 0.005, outputPricePer1kTokens: 0.04 });
    Object.assign(model(world, 'claude-opus'), { inputPricePer1kTokens: 0.015, outputPricePer1kTokens: 0.075 });
    world.tasks.complexityWeights = { simple: 25, medium: 40, complex: 35 };
    world.tasks.extraDomainProbability = { simple: 0.2, medium: 0.45, complex: 0.7 };
  },
);

// Rules nearly optimal: a world shaped like the assumptions of the hand-written rules (issue 5's `RulesPolicy`):
// the cheap model handles simple and medium work, a planner helps medium and complex work, extra agents hurt small
// tasks, call budgets are generous, balanced safety is almost free, and load is light. Little is left to learn.
const rulesNearlyOptimal = derive(
  'rules-nearly-optimal',
  'Shaped like the textbook rules: the cheap model handles simple and medium work, planners help bigger work, extra agents hurt small tasks, budgets are generous and load is light; the rules are close to the best policy.',
  (world) => {
    world.tasks.complexityWeights = { simple: 55, medium: 35, complex: 10 };
    world.tasks.complexityWeightsByType = {};
    world.tasks.extraDomainProbability = { simple: 0.05, medium: 0.15, complex: 0.3 };
    world.effects.extraAgentLogit = { simple: -1.2, medium: -0.5, complex: -0.1 };
    world.effects.architectGain = { simple: 0, medium: 1.2, complex: 1.4 };
    world.effects.oversplitRisk = 0.8;
    world.effects.timeoutCalibration = 3;
    world.effects.safety.timeOverhead = { strict: 0.3, balanced: 0.02, permissive: 0 };
    world.effects.safety.levelFactor = { strict: 0.1, balanced: 0.2, permissive: 1 };
    Object.assign(model(world, 'glm-4.7'), { skill: { simple: 0.93, medium: 0.82, complex: 0.2 }, planning: 0.2, review: 0.3 });
    world.system = { loadMin: 0, loadMax: 0.4, maxConcurrentTasks: 4 };
  },
);

writeFileSync(new URL('default.json', directory), printDefaultWorld());
for (const world of [cheapModelsStrong, rulesNearlyOptimal]) {
  writeFileSync(new URL(`${world.name}.json`, directory), `${JSON.stringify(world, null, 2)}\n`);
}
console.log('wrote', ['default', cheapModelsStrong.name, rulesNearlyOptimal.name].map((name) => `worlds/${name}.json`).join(', '));
