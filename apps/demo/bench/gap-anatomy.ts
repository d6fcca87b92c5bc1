/**
 * Where the rules→oracle gap lies: for tasks of a world, the rules' action (on the inferred context, as served) and
 * the oracle's (on the true context); then the rules' action with one part of the oracle's copied into it (approach,
 * parallelism, timeout, retry, safety, team, the role models), each valued by simulated rollouts with common random
 * numbers. A part whose copy alone recovers much of the gap is what a learner must find; a learner that can only
 * change what the logs explored must find it from the rules' exploration of that head.
 *
 *   pnpm --filter @orchestra/demo bench:gap [--world default|FILE] [--tasks 100] [--seed 99] [--rollouts 128]
 *
 * Measured (default world, 100 tasks, seed 99): rules 148.6, oracle 180.0; copying the oracle's team alone +17.4
 * (the oracle keeps all four roles: each successful attempt of a cheap model earns the design's bonus), its models
 * +9.3, parallelism +1.4, approach +0.7, safety +0.6, timeout −2.0 (it belongs with the oracle's other choices).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { createRng } from '@orchestra/learning-features';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import { RulesPolicy } from '@orchestra/learning-policy';
import { builtInWorld, builtInWorldNames, expectedReward, oracleAction, parseWorld, sampleSystem, sampleTask, type BuiltInWorldName } from '@orchestra/learning-sim';
import type { Action, AgentRole } from '@orchestra/learning-types';

const { values } = parseArgs({ options: { world: { type: 'string' }, tasks: { type: 'string' }, seed: { type: 'string' }, rollouts: { type: 'string' } } });
const worldArgument = values.world ?? 'default';
const world = (builtInWorldNames as readonly string[]).includes(worldArgument)
  ? builtInWorld(worldArgument as BuiltInWorldName)
  : parseWorld(JSON.parse(await readFile(worldArgument, 'utf8')));
const taskCount = Number(values.tasks ?? '100');
const rollouts = Number(values.rollouts ?? '128');
const random = createRng(Number(values.seed ?? '99'));
const rules = new RulesPolicy({ config: { epsilon: 0 } });

type Part = 'approach' | 'parallelism' | 'timeoutMultiplier' | 'retryStrategy' | 'safetyLevel' | 'agents' | 'models';
const parts: readonly Part[] = ['approach', 'parallelism', 'timeoutMultiplier', 'retryStrategy', 'safetyLevel', 'agents', 'models'];
const splitApproaches = new Set(['parallel', 'coordinated']);

/** The rules' action with one part of the oracle's; undefined when that changes nothing or is not a valid action. */
function withPart(base: Action, oracle: Action, part: Part): Action | undefined {
  const action: Action = { ...base, agents: [...base.agents], models: { ...base.models } };
  if (part === 'models') action.models = { ...base.models, ...oracle.models };
  else if (part === 'agents') {
    action.agents = [...oracle.agents];
    action.models = { ...base.models, ...oracle.models };
  } else if (part === 'parallelism') {
    if (!splitApproaches.has(base.approach)) return undefined;
    action.parallelism = oracle.parallelism;
  } else {
    (action as unknown as Record<string, unknown>)[part] = oracle[part];
    if (part === 'approach' && !splitApproaches.has(action.approach)) action.parallelism = 1;
  }
  for (const role of action.agents as AgentRole[]) if (action.models[role] === undefined) action.models[role] = action.models.executor;
  return JSON.stringify(action) === JSON.stringify(base) ? undefined : action;
}

const differs = new Map<Part, number>();
const gains = new Map<Part, number>();
let rulesTotal = 0;
let oracleTotal = 0;
let bestSingleTotal = 0;
for (let index = 0; index < taskCount; index++) {
  const task = sampleTask(world, random);
  const system = sampleSystem(world, random);
  const inferred = inferTaskContext({ description: task.description, files: task.files }).context;
  const rulesAction = rules.decide({ context: inferred, system }).action;
  const oracle = oracleAction(world, task, { candidates: 16, rollouts: Math.max(16, rollouts / 2), system }).action;
  const options = { rollouts, seed: index, system };
  const rulesValue = expectedReward(world, task, rulesAction, options).mean;
  rulesTotal += rulesValue;
  oracleTotal += expectedReward(world, task, oracle, options).mean;
  let best = rulesValue;
  for (const part of parts) {
    const action = withPart(rulesAction, oracle, part);
    if (action === undefined) continue;
    const value = expectedReward(world, task, action, options).mean;
    differs.set(part, (differs.get(part) ?? 0) + 1);
    gains.set(part, (gains.get(part) ?? 0) + value - rulesValue);
    best = Math.max(best, value);
  }
  bestSingleTotal += best;
}
const mean = (total: number) => (total / taskCount).toFixed(1);
console.log(`${worldArgument}: ${taskCount} tasks × ${rollouts} rollouts — rules ${mean(rulesTotal)}, oracle ${mean(oracleTotal)}, best single part copied ${mean(bestSingleTotal)}`);
console.log('| part copied from the oracle | tasks where it differs | mean gain over the rules (all tasks) |');
console.log('|---|---:|---:|');
for (const part of parts) console.log(`| ${part} | ${(((differs.get(part) ?? 0) / taskCount) * 100).toFixed(0)} % | ${((gains.get(part) ?? 0) / taskCount).toFixed(2)} |`);
