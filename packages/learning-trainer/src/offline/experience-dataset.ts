import type { ActionSpace } from '@orchestra/learning-features';
import { normalizeReward, rewardBounds, type RewardConfigInput } from '@orchestra/learning-reward';
import type { Experience } from '@orchestra/learning-types';
import { IncompatibleExperiencesError } from './incompatible-experiences-error';

/** How rewards were mapped to training targets. */
export type RewardNormalization =
  | { kind: 'bounds'; min: number; max: number }
  | { kind: 'standardise'; mean: number; standardDeviation: number };
/** @deprecated Renamed `RewardNormalization` (one spelling with the features package's `Normalizer`). */
export type RewardNormalisation = RewardNormalization;

/**
 * Logged experiences as flat arrays, ordered by timestamp (oldest first). Row i of every array is experience i.
 * Failed sessions are kept like any other.
 */
export interface ExperienceDataset {
  size: number;
  stateSize: number;
  featureSchemaHash: string;
  headCount: number;
  totalLogits: number;
  ids: string[];
  timestamps: Float64Array;
  /** `size × stateSize`. */
  states: Float32Array;
  /** `size × headCount` action indices (`ActionSpace.encode`). */
  actions: Int32Array;
  /** `size × headCount`, 1 where the head counts (`ActionSpace.activeHeads`). */
  active: Uint8Array;
  /** `size × totalLogits`, 1 for valid choices given the logged earlier heads (`ActionSpace.mask`). */
  masks: Uint8Array;
  /** μ(a|s): the logging policy's propensity. */
  propensities: Float64Array;
  rewards: Float64Array;
  /** Rewards after `rewardNormalisation`: the training targets. */
  normalisedRewards: Float64Array;
  rewardNormalisation: RewardNormalization;
  /** Names of the reward components (union over the experiences, sorted): the columns of `components`. */
  componentNames: string[];
  /** `size × componentNames.length`: each experience's reward breakdown (0 where a component is absent). */
  components: Float64Array;
  success: Uint8Array;
  durationMs: Float64Array;
  costUsd: Float64Array;
  taskTypes: string[];
}

/** Options of `buildExperienceDataset`. */
export interface BuildDatasetOptions {
  actionSpace: ActionSpace;
  /** The reward configuration the experiences were scored with; rewards are mapped from its bounds to [-1, 1]. */
  rewardConfig?: RewardConfigInput;
  /** Called when rewards fall outside the bounds and are standardised instead. */
  onFallback?: (message: string) => void;
}

/**
 * Encodes experiences into an `ExperienceDataset`: sorted by time, actions encoded per head, masks and active
 * heads precomputed, rewards mapped to [-1, 1] with `rewardBounds`/`normalizeReward` of the reward package (or
 * standardised when a reward lies outside those bounds, i.e. was scored with another configuration).
 * Throws `IncompatibleExperiencesError` for mixed feature schemas.
 */
export function buildExperienceDataset(experiences: readonly Experience[], options: BuildDatasetOptions): ExperienceDataset {
  const { actionSpace } = options;
  const sorted = [...experiences].sort((left, right) => Date.parse(left.timestamp) - Date.parse(right.timestamp));
  const size = sorted.length;
  const first = sorted[0];
  const stateSize = first?.state.features.length ?? 0;
  const featureSchemaHash = first?.state.featureSchemaHash ?? '';
  const headCount = actionSpace.heads.length;
  const totalLogits = actionSpace.totalLogits;
  const componentNameSet = new Set<string>();
  for (const experience of sorted) for (const name of Object.keys(experience.reward.components)) componentNameSet.add(name);
  const componentNames = [...componentNameSet].sort();
  const componentColumn = new Map(componentNames.map((name, column) => [name, column]));
  const dataset: ExperienceDataset = {
    size,
    stateSize,
    featureSchemaHash,
    headCount,
    totalLogits,
    ids: new Array<string>(size),
    timestamps: new Float64Array(size),
    states: new Float32Array(size * stateSize),
    actions: new Int32Array(size * headCount),
    active: new Uint8Array(size * headCount),
    masks: new Uint8Array(size * totalLogits),
    propensities: new Float64Array(size),
    rewards: new Float64Array(size),
    normalisedRewards: new Float64Array(size),
    rewardNormalisation: { kind: 'standardise', mean: 0, standardDeviation: 1 },
    componentNames,
    components: new Float64Array(size * componentNames.length),
    success: new Uint8Array(size),
    durationMs: new Float64Array(size),
    costUsd: new Float64Array(size),
    taskTypes: new Array<string>(size),
  };
  const indices = new Int32Array(headCount);
  const activeHeads = new Array<boolean>(headCount);
  const headMask = new Uint8Array(Math.max(...actionSpace.heads.map((head) => head.size)));
  sorted.forEach((experience, row) => {
    if (experience.state.featureSchemaHash !== featureSchemaHash) {
      throw new IncompatibleExperiencesError({
        experienceId: experience.id,
        field: 'state.featureSchemaHash',
        expected: featureSchemaHash,
        found: experience.state.featureSchemaHash,
      });
    }
    if (experience.state.features.length !== stateSize) {
      throw new IncompatibleExperiencesError({
        experienceId: experience.id,
        field: 'state.features',
        expected: `${stateSize} features`,
        found: `${experience.state.features.length} features`,
      });
    }
    dataset.ids[row] = experience.id;
    dataset.timestamps[row] = Date.parse(experience.timestamp);
    dataset.states.set(experience.state.features, row * stateSize);
    actionSpace.encode(experience.action, indices);
    dataset.actions.set(indices, row * headCount);
    actionSpace.activeHeads(indices, activeHeads);
    for (let head = 0; head < headCount; head++) {
      dataset.active[row * headCount + head] = activeHeads[head] ? 1 : 0;
      const headSize = actionSpace.heads[head]!.size;
      actionSpace.mask(head, indices, headMask);
      dataset.masks.set(headMask.subarray(0, headSize), row * totalLogits + actionSpace.offsets[head]!);
    }
    dataset.propensities[row] = experience.propensity;
    dataset.rewards[row] = experience.reward.total;
    for (const [name, value] of Object.entries(experience.reward.components)) {
      dataset.components[row * componentNames.length + componentColumn.get(name)!] = value;
    }
    dataset.success[row] = experience.outcome.success ? 1 : 0;
    dataset.durationMs[row] = experience.outcome.durationMs;
    dataset.costUsd[row] = experience.outcome.totalCostUsd;
    dataset.taskTypes[row] = experience.state.context.taskType;
  });
  normaliseRewards(dataset, options);
  return dataset;
}

function normaliseRewards(dataset: ExperienceDataset, options: BuildDatasetOptions): void {
  const bounds = rewardBounds(options.rewardConfig).experience;
  let outside = 0;
  for (let row = 0; row < dataset.size; row++) {
    try {
      dataset.normalisedRewards[row] = normalizeReward(dataset.rewards[row]!, bounds);
    } catch {
      outside += 1;
    }
  }
  if (outside === 0) {
    dataset.rewardNormalisation = { kind: 'bounds', min: bounds.min, max: bounds.max };
    return;
  }
  let mean = 0;
  for (const reward of dataset.rewards) mean += reward;
  mean /= Math.max(1, dataset.size);
  let variance = 0;
  for (const reward of dataset.rewards) variance += (reward - mean) ** 2;
  const standardDeviation = Math.sqrt(variance / Math.max(1, dataset.size)) || 1;
  for (let row = 0; row < dataset.size; row++) dataset.normalisedRewards[row] = (dataset.rewards[row]! - mean) / standardDeviation;
  dataset.rewardNormalisation = { kind: 'standardise', mean, standardDeviation };
  options.onFallback?.(
    `${outside} reward${outside === 1 ? '' : 's'} outside the reward bounds [${bounds.min}, ${bounds.max}] (another reward configuration?): rewards standardised instead.`,
  );
}

/** Splits rows by time: the oldest `1 − validationFraction` for training, the most recent for validation. */
export function splitByTime(dataset: ExperienceDataset, validationFraction: number): { training: Int32Array; validation: Int32Array } {
  const validationSize = Math.min(dataset.size - 1, Math.max(1, Math.round(dataset.size * validationFraction)));
  const trainingSize = dataset.size - validationSize;
  return {
    training: Int32Array.from({ length: trainingSize }, (_, index) => index),
    validation: Int32Array.from({ length: validationSize }, (_, index) => trainingSize + index),
  };
}
