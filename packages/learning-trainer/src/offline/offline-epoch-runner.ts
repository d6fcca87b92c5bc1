import type { TrainerConfig } from '../config/trainer-config';
import type { ActorCritic } from '../networks/actor-critic';
import { actionLogProbabilities, policyLossAndGradient } from '../networks/factorised-policy';
import type { SeededRandom } from '../networks/seeded-random';
import type { ExperienceDataset } from './experience-dataset';
import type { ActionTargets } from './q-distillation';
import type { OfflineEpochMetrics } from './train-offline';

/** One epoch of minibatch updates and the validation pass, over a fixed dataset. */
export class OfflineEpochRunner {
  private readonly heads: { sizes: number[] };
  private readonly batchSize: number;
  private readonly actions: Int32Array;
  private readonly active: Uint8Array;
  private readonly masks: Uint8Array;
  private readonly coefficients: Float64Array;
  private readonly logProbabilities: Float64Array;
  /** Set once the critic stopped improving on validation: it then gets no more updates. */
  criticFrozen = false;
  private readonly offsets: number[];

  constructor(
    private readonly model: ActorCritic,
    private readonly dataset: ExperienceDataset,
    private readonly config: TrainerConfig,
    private readonly random: SeededRandom,
    /** `q-distillation`: the improved actions the policy phase clones (the logged ones otherwise). */
    private readonly targets?: ActionTargets,
    /** The default rules' greedy indices per row (`size × headCount`), when the actor is a residual on the rules. */
    private readonly rulesIndices?: Int32Array,
  ) {
    this.heads = { sizes: [...model.heads.sizes] };
    this.offsets = [];
    for (let head = 0, offset = 0; head < this.heads.sizes.length; head++) {
      this.offsets.push(offset);
      offset += this.heads.sizes[head]!;
    }
    this.batchSize = Math.max(1, config.batchSize);
    const chunk = Math.max(this.batchSize, 1024);
    this.actions = new Int32Array(chunk * dataset.headCount);
    this.active = new Uint8Array(chunk * dataset.headCount);
    this.masks = new Uint8Array(chunk * dataset.totalLogits);
    this.coefficients = new Float64Array(chunk);
    this.logProbabilities = new Float64Array(chunk);
  }

  /** Adds the rules prior (`offline.rulesPrior` on the rules' choice of every head) to a batch of actor logits, in place. */
  private withRulesPrior(logits: Float32Array, rows: ArrayLike<number>, start: number, count: number): Float32Array {
    const rulesIndices = this.rulesIndices;
    if (rulesIndices === undefined) return logits;
    const { headCount, totalLogits } = this.dataset;
    const bonus = this.config.offline.rulesPrior;
    const offsets = this.offsets;
    for (let index = 0; index < count; index++) {
      const row = rows[start + index]!;
      for (let head = 0; head < headCount; head++) logits[index * totalLogits + offsets[head]! + rulesIndices[row * headCount + head]!]! += bonus;
    }
    return logits;
  }

  batchesPerEpoch(rows: number): number {
    return Math.ceil(rows / this.batchSize);
  }

  /** Copies `rows` into both networks' inputs and the action buffers (actions from `source`, the logged ones by default). */
  private gather(rows: ArrayLike<number>, start: number, count: number, source: ActionTargets = this.dataset): void {
    const { dataset, model } = this;
    const { stateSize, headCount, totalLogits } = dataset;
    const actorInput = model.actor.input(count);
    const criticInput = model.critic.input(count);
    for (let index = 0; index < count; index++) {
      const row = rows[start + index]!;
      const state = dataset.states.subarray(row * stateSize, (row + 1) * stateSize);
      actorInput.set(state, index * stateSize);
      criticInput.set(state, index * stateSize);
      this.actions.set(source.actions.subarray(row * headCount, (row + 1) * headCount), index * headCount);
      this.active.set(source.active.subarray(row * headCount, (row + 1) * headCount), index * headCount);
      this.masks.set(source.masks.subarray(row * totalLogits, (row + 1) * totalLogits), index * totalLogits);
    }
  }

  trainEpoch(
    rows: Int32Array,
    phase: 'behaviour-cloning' | 'policy',
    onBatch: (batch: number, batchesPerEpoch: number) => void,
  ): Pick<OfflineEpochMetrics, 'trainingPolicyLoss' | 'trainingValueLoss' | 'trainingEntropy' | 'meanPolicyWeight' | 'clippedShare'> {
    const { dataset, model, config } = this;
    const offline = config.offline;
    const order = this.random.shuffle(Int32Array.from(rows));
    const batches = this.batchesPerEpoch(order.length);
    let policyLoss = 0;
    let valueLoss = 0;
    let entropy = 0;
    let weightSum = 0;
    let clipped = 0;
    for (let batchIndex = 0; batchIndex < batches; batchIndex++) {
      const start = batchIndex * this.batchSize;
      const count = Math.min(this.batchSize, order.length - start);
      const distilling = phase === 'policy' && offline.objective === 'q-distillation' && this.targets !== undefined;
      this.gather(order, start, count, distilling ? this.targets : this.dataset);
      // Critic: V(s) regressed on the normalised reward (one-step episodes: no bootstrap).
      const values = model.critic.forward(count);
      const valueGradient = model.critic.outputGradient(count);
      const advantages = this.coefficients;
      let batchValueLoss = 0;
      for (let index = 0; index < count; index++) {
        const target = dataset.normalisedRewards[order[start + index]!]!;
        const error = values[index]! - target;
        batchValueLoss += error * error;
        valueGradient[index] = (config.valueCoefficient * 2 * error) / count;
        advantages[index] = -error;
      }
      if (!this.criticFrozen) model.critic.backward(count);
      // Actor.
      const logits = this.withRulesPrior(model.actor.forward(count), order, start, count);
      const policyBatch = { batch: count, actions: this.actions, active: this.active, masks: this.masks };
      let entropyCoefficient = config.entropyCoefficient;
      if (phase === 'behaviour-cloning' || distilling) {
        // Behaviour cloning: of the logged actions, or (`q-distillation`) of the improved ones.
        advantages.fill(1, 0, count);
        entropyCoefficient = 0;
        weightSum += count;
      } else if (offline.objective === 'importance-weighted') {
        actionLogProbabilities(this.heads, logits, policyBatch, this.logProbabilities);
        // Self-normalised within the minibatch: with a factorised action the ratio is a product over ~10 heads and
        // its scale swings by orders of magnitude between batches; dividing by the batch mean keeps the step size
        // stable (the direction within a batch is unchanged).
        let clippedSum = 0;
        for (let index = 0; index < count; index++) {
          const ratio = Math.exp(this.logProbabilities[index]!) / dataset.propensities[order[start + index]!]!;
          weightSum += ratio;
          if (ratio > offline.importanceWeightClip) clipped += 1;
          this.logProbabilities[index] = Math.min(ratio, offline.importanceWeightClip);
          clippedSum += this.logProbabilities[index]!;
        }
        const normaliser = clippedSum > 0 ? count / clippedSum : 0;
        for (let index = 0; index < count; index++) advantages[index] = advantages[index]! * this.logProbabilities[index]! * normaliser;
      } else {
        let mean = 0;
        for (let index = 0; index < count; index++) mean += advantages[index]!;
        mean /= count;
        let variance = 0;
        for (let index = 0; index < count; index++) variance += (advantages[index]! - mean) ** 2;
        const scale = offline.advantageTemperature * (Math.sqrt(variance / count) + 1e-6);
        for (let index = 0; index < count; index++) {
          const weight = Math.exp(advantages[index]! / scale);
          weightSum += weight;
          if (weight > offline.advantageWeightClip) clipped += 1;
          advantages[index] = Math.min(weight, offline.advantageWeightClip);
        }
      }
      const policy = policyLossAndGradient(this.heads, logits, policyBatch, advantages.subarray(0, count), entropyCoefficient, model.actor.outputGradient(count));
      model.actor.backward(count);
      model.applyGradients({ updateCritic: !this.criticFrozen });
      policyLoss += policy.loss * count;
      valueLoss += batchValueLoss;
      entropy += policy.meanEntropy * count;
      onBatch(batchIndex + 1, batches);
    }
    const total = Math.max(1, order.length);
    return {
      trainingPolicyLoss: policyLoss / total,
      trainingValueLoss: valueLoss / total,
      trainingEntropy: entropy / total,
      meanPolicyWeight: weightSum / total,
      clippedShare: clipped / total,
    };
  }

  /** Critic error and the SNIPS value of the current policy on `rows` (no updates). */
  evaluate(
    rows: Int32Array,
  ): Pick<OfflineEpochMetrics, 'validationValueLoss' | 'validationPolicyValue' | 'validationLoggedValue' | 'validationEffectiveSampleSize' | 'validationTargetLogLikelihood'> {
    const { dataset, model } = this;
    const chunk = Math.min(1024, this.coefficients.length);
    let squaredError = 0;
    let weightSum = 0;
    let weightSquaredSum = 0;
    let weightedReward = 0;
    let loggedReward = 0;
    for (let start = 0; start < rows.length; start += chunk) {
      const count = Math.min(chunk, rows.length - start);
      this.gather(rows, start, count);
      const values = model.critic.forward(count);
      const logits = this.withRulesPrior(model.actor.forward(count), rows, start, count);
      actionLogProbabilities(this.heads, logits, { batch: count, actions: this.actions, active: this.active, masks: this.masks }, this.logProbabilities);
      for (let index = 0; index < count; index++) {
        const row = rows[start + index]!;
        const reward = dataset.normalisedRewards[row]!;
        squaredError += (values[index]! - reward) ** 2;
        const weight = Math.exp(this.logProbabilities[index]!) / dataset.propensities[row]!;
        weightSum += weight;
        weightSquaredSum += weight * weight;
        weightedReward += weight * reward;
        loggedReward += reward;
      }
    }
    const size = Math.max(1, rows.length);
    let targetLogLikelihood: number | undefined;
    if (this.targets !== undefined) {
      targetLogLikelihood = 0;
      for (let start = 0; start < rows.length; start += chunk) {
        const count = Math.min(chunk, rows.length - start);
        this.gather(rows, start, count, this.targets);
        const logits = this.withRulesPrior(model.actor.forward(count), rows, start, count);
        actionLogProbabilities(this.heads, logits, { batch: count, actions: this.actions, active: this.active, masks: this.masks }, this.logProbabilities);
        for (let index = 0; index < count; index++) targetLogLikelihood += Math.max(this.logProbabilities[index]!, -1e3);
      }
      targetLogLikelihood /= size;
    }
    return {
      ...(targetLogLikelihood === undefined ? {} : { validationTargetLogLikelihood: targetLogLikelihood }),
      validationValueLoss: squaredError / size,
      validationPolicyValue: weightSum > 0 ? weightedReward / weightSum : Number.NaN,
      validationLoggedValue: loggedReward / size,
      validationEffectiveSampleSize: weightSquaredSum > 0 ? (weightSum * weightSum) / weightSquaredSum : 0,
    };
  }
}
