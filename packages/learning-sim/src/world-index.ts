import { complexities, taskTypes, type Complexity, type TaskType } from '@orchestra/learning-types';
import { UnknownModelError } from './errors/unknown-model-error';
import type { World, WorldModel } from './world-schema';

/** Natural log-odds of a probability. */
export function logit(probability: number): number {
  return Math.log(probability / (1 - probability));
}

/** The logistic function, inverse of `logit`. */
export function sigmoid(value: number): number {
  return 1 / (1 + Math.exp(-value));
}

/** A world with its lookups precomputed for the hot loop (built once per world object, then cached). */
export interface WorldIndex {
  readonly world: World;
  readonly models: readonly WorldModel[];
  readonly modelIds: readonly string[];
  /** Model id → position in `models`. */
  readonly modelPosition: ReadonlyMap<string, number>;
  /** `fallbackNext[i]` = model position tried after model i fails under `fallback`. */
  readonly fallbackNext: readonly number[];
  /** `executorLogit[model][complexity][taskType]`: the lone-executor correctness logit before team effects. */
  executorLogit(model: number, complexity: Complexity, taskType: TaskType): number;
}

const cache = new WeakMap<World, WorldIndex>();

/** Returns the cached index of `world` (worlds are treated as immutable once used). */
export function indexWorld(world: World): WorldIndex {
  const cached = cache.get(world);
  if (cached !== undefined) return cached;
  const models = world.models;
  const modelIds = models.map((model) => model.id);
  const modelPosition = new Map(modelIds.map((id, position) => [id, position]));
  const order = (world.fallbackOrder ?? modelIds).map((id) => modelPosition.get(id) as number);
  for (let position = 0; position < models.length; position += 1) if (!order.includes(position)) order.push(position);
  const fallbackNext = models.map((_, position) => order[(order.indexOf(position) + 1) % order.length] as number);
  const logits = new Float64Array(models.length * complexities.length * taskTypes.length);
  models.forEach((model, modelPositionIndex) => {
    complexities.forEach((complexity, complexityIndex) => {
      taskTypes.forEach((taskType, typeIndex) => {
        logits[(modelPositionIndex * complexities.length + complexityIndex) * taskTypes.length + typeIndex] =
          logit(model.skill[complexity] as number) +
          (model.taskTypeModifiers[taskType] ?? 0) +
          (world.effects.taskTypeDifficulty[taskType] ?? 0);
      });
    });
  });
  const complexityIndex = Object.fromEntries(complexities.map((value, index) => [value, index])) as Record<Complexity, number>;
  const typeIndex = Object.fromEntries(taskTypes.map((value, index) => [value, index])) as Record<TaskType, number>;
  const index: WorldIndex = {
    world,
    models,
    modelIds,
    modelPosition,
    fallbackNext,
    executorLogit: (model, complexity, taskType) =>
      logits[(model * complexities.length + complexityIndex[complexity]) * taskTypes.length + typeIndex[taskType]] as number,
  };
  cache.set(world, index);
  return index;
}

/** Position of `modelId` in the world's catalog; throws `UnknownModelError` when the world has no such model. */
export function modelPositionOf(index: WorldIndex, modelId: string, role: string): number {
  const position = index.modelPosition.get(modelId);
  if (position === undefined) throw new UnknownModelError({ model: modelId, role, known: [...index.modelIds], world: index.world.name });
  return position;
}
