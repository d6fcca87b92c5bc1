import type { TrainerConfig } from '../config/trainer-config';
import type { ExperienceDataset } from './experience-dataset';
import type { ActionTargets } from './q-distillation';

/*
 * The actor's objectives, one interface: each says which actions the actor's log-likelihood is taken of and turns a
 * minibatch's advantages into the per-row weights of ∇log π(a|s). The epoch runner (offline-epoch-runner.ts) is the
 * one loop that applies them, as stable-baselines3 keeps an algorithm's `train()` apart from its collection loop.
 */

/** One minibatch as an objective sees it. */
export interface ObjectiveBatch {
  readonly count: number;
  /** The batch's dataset rows are `rows[start + index]`. */
  readonly rows: ArrayLike<number>;
  readonly start: number;
  /** log π(a|s) of the batch's actions under the current actor, in a buffer the objective may overwrite. */
  logProbabilities(): Float64Array;
}

/** Running totals of an epoch: the sum of the weights before clipping, and how many rows were clipped. */
export interface WeightTotals {
  weightSum: number;
  clipped: number;
}

/** An actor objective (see `trainOffline`). */
export interface OfflineObjective {
  readonly name: 'behaviour-cloning' | TrainerConfig['offline']['objective'];
  /** The actions the actor learns to choose: the logged ones, or (`q-distillation`) the improved ones. */
  readonly actions: ActionTargets;
  /** The entropy bonus's coefficient under this objective. */
  readonly entropyCoefficient: number;
  /** Turns `advantages` (r − V(s) of the batch's rows, in place) into the weights of ∇log π; adds to `totals`. */
  weigh(batch: ObjectiveBatch, advantages: Float64Array, totals: WeightTotals): void;
}

/** Plain log-likelihood of `actions` (weights 1, no entropy bonus). */
function cloning(name: OfflineObjective['name'], actions: ActionTargets): OfflineObjective {
  return {
    name,
    actions,
    entropyCoefficient: 0,
    weigh: (batch, advantages, totals) => {
      advantages.fill(1, 0, batch.count);
      totals.weightSum += batch.count;
    },
  };
}

/** Behaviour cloning of the logged actions (the optional first epochs of every objective). */
export function behaviourCloning(dataset: ExperienceDataset): OfflineObjective {
  return cloning('behaviour-cloning', dataset);
}

/** ∇ = ρ·A·∇log π(a|s), ρ = min(π(a|s)/μ(a|s), clip), self-normalised within the minibatch. */
function importanceWeighted(dataset: ExperienceDataset, config: TrainerConfig): OfflineObjective {
  const clip = config.offline.importanceWeightClip;
  return {
    name: 'importance-weighted',
    actions: dataset,
    entropyCoefficient: config.entropyCoefficient,
    weigh: (batch, advantages, totals) => {
      const { count, rows, start } = batch;
      const ratios = batch.logProbabilities();
      // Self-normalised within the minibatch: with a factorised action the ratio is a product over ~10 heads and
      // its scale swings by orders of magnitude between batches; dividing by the batch mean keeps the step size
      // stable (the direction within a batch is unchanged).
      let clippedSum = 0;
      for (let index = 0; index < count; index++) {
        const ratio = Math.exp(ratios[index]!) / dataset.propensities[rows[start + index]!]!;
        totals.weightSum += ratio;
        if (ratio > clip) totals.clipped += 1;
        ratios[index] = Math.min(ratio, clip);
        clippedSum += ratios[index]!;
      }
      const normaliser = clippedSum > 0 ? count / clippedSum : 0;
      for (let index = 0; index < count; index++) advantages[index] = advantages[index]! * ratios[index]! * normaliser;
    },
  };
}

/** Advantage-weighted regression: ∇ = min(exp(A/(β·σ_A)), clip)·∇log π(a|s). */
function advantageWeighted(config: TrainerConfig, dataset: ExperienceDataset): OfflineObjective {
  const { advantageTemperature, advantageWeightClip } = config.offline;
  return {
    name: 'advantage-weighted',
    actions: dataset,
    entropyCoefficient: config.entropyCoefficient,
    weigh: (batch, advantages, totals) => {
      const count = batch.count;
      let mean = 0;
      for (let index = 0; index < count; index++) mean += advantages[index]!;
      mean /= count;
      let variance = 0;
      for (let index = 0; index < count; index++) variance += (advantages[index]! - mean) ** 2;
      const scale = advantageTemperature * (Math.sqrt(variance / count) + 1e-6);
      for (let index = 0; index < count; index++) {
        const weight = Math.exp(advantages[index]! / scale);
        totals.weightSum += weight;
        if (weight > advantageWeightClip) totals.clipped += 1;
        advantages[index] = Math.min(weight, advantageWeightClip);
      }
    },
  };
}

/**
 * The objective `config.offline.objective` names. `q-distillation` behaviour-clones `targets`, the improved actions
 * (required for it; `trainOffline` fits them first).
 */
export function offlineObjective(config: TrainerConfig, dataset: ExperienceDataset, targets: ActionTargets | undefined): OfflineObjective {
  switch (config.offline.objective) {
    case 'importance-weighted':
      return importanceWeighted(dataset, config);
    case 'advantage-weighted':
      return advantageWeighted(config, dataset);
    case 'q-distillation':
      if (targets === undefined) throw new RangeError('the q-distillation objective needs the improved actions (targets)');
      return cloning('q-distillation', targets);
  }
}
