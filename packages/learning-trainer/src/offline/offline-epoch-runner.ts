import type { TrainerConfig } from '../config/trainer-config';
import type { ActorCritic } from '../networks/actor-critic';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import { actionLogProbabilities, policyLossAndGradient } from '../networks/factorised-policy';
import type { SeededRandom } from '../networks/seeded-random';
import type { ExperienceDataset } from './experience-dataset';
import { behaviourCloning, type OfflineObjective, type WeightTotals } from './offline-objectives';
import type { ActionTargets } from './q-distillation';
import type { MetricsSink } from './metrics-sink';
import type { OfflineEpochMetrics, OfflineProgress } from './train-offline';

/** Where `fit` reports: the run id of the metrics, the metrics sink, and the progress callback. */
export interface FitOptions {
  runId: string;
  sink?: MetricsSink;
  onProgress?: (progress: OfflineProgress) => void;
}

/** Offline training over a fixed dataset: the epoch loop (`fit`), one epoch of minibatch updates, the validation pass. */
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
  private bestCritic: { loss: number; weights: DenseLayerWeights[] } | undefined;
  private criticSinceBest = 0;
  private readonly offsets: number[];
  private readonly cloning: OfflineObjective;
  /** `q-distillation`: the improved actions, whose validation log-likelihood selects the epoch. */
  private readonly targets: ActionTargets | undefined;

  constructor(
    private readonly model: ActorCritic,
    private readonly dataset: ExperienceDataset,
    private readonly config: TrainerConfig,
    private readonly random: SeededRandom,
    /** The policy phase's objective (the behaviour-cloning epochs before it clone the logged actions). */
    private readonly objective: OfflineObjective,
    /** The default rules' greedy indices per row (`size × headCount`), when the actor is a residual on the rules. */
    private readonly rulesIndices?: Int32Array,
  ) {
    this.cloning = behaviourCloning(dataset);
    this.targets = objective.name === 'q-distillation' ? objective.actions : undefined;
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

  /**
   * The one training loop: `behaviourCloningEpochs` of cloning the logged actions, then the objective's epochs. The
   * critic is early-stopped on its own validation loss (an overfitted V(s) drives the advantages r − V(s) to zero:
   * its best weights are restored, then frozen); the policy epochs stop after `earlyStoppingPatience` without a better
   * selection value (the improved actions' log-likelihood for `q-distillation`, else the SNIPS value), and the best
   * epoch's weights are kept.
   */
  fit(split: { training: Int32Array; validation: Int32Array }, options: FitOptions): { epochs: OfflineEpochMetrics[]; bestEpoch: number; stoppedEarly: boolean } {
    const { model } = this;
    const offline = this.config.offline;
    const totalEpochs = offline.behaviourCloningEpochs + offline.epochs;
    const epochs: OfflineEpochMetrics[] = [];
    let best: { value: number; epoch: number; actor: DenseLayerWeights[]; critic: DenseLayerWeights[] } | undefined;
    let sinceBest = 0;
    let stoppedEarly = false;
    for (let epoch = 1; epoch <= totalEpochs; epoch++) {
      const phase = epoch <= offline.behaviourCloningEpochs ? 'behaviour-cloning' : 'policy';
      if (phase === 'policy' && epoch === offline.behaviourCloningEpochs + 1 && epoch > 1) model.actor.resetOptimiser();
      const metrics = this.runEpoch(split, epoch, phase, totalEpochs, options);
      epochs.push(metrics);
      if (phase !== 'policy') continue;
      const selection = metrics.validationTargetLogLikelihood ?? metrics.validationPolicyValue;
      if (best === undefined || selection > best.value) {
        best = { value: selection, epoch, actor: model.getActorWeights(), critic: model.getCriticWeights() };
        sinceBest = 0;
      } else if (++sinceBest >= offline.earlyStoppingPatience) {
        stoppedEarly = epoch < totalEpochs;
        break;
      }
    }
    if (best !== undefined) {
      model.actor.setWeights(best.actor);
      model.critic.setWeights(best.critic);
    }
    return { epochs, bestEpoch: best?.epoch ?? epochs.length, stoppedEarly };
  }

  /** One epoch: training, validation, the critic's early stopping, and the epoch's metrics (recorded and reported). */
  private runEpoch(
    split: { training: Int32Array; validation: Int32Array },
    epoch: number,
    phase: 'behaviour-cloning' | 'policy',
    totalEpochs: number,
    options: FitOptions,
  ): OfflineEpochMetrics {
    const epochStarted = performance.now();
    const training = this.trainEpoch(split.training, phase, (batch, batchesPerEpoch) =>
      options.onProgress?.({ phase, epoch, totalEpochs, batch, batchesPerEpoch }),
    );
    const validation = this.evaluate(split.validation);
    if (!this.criticFrozen) {
      if (this.bestCritic === undefined || validation.validationValueLoss < this.bestCritic.loss) {
        this.bestCritic = { loss: validation.validationValueLoss, weights: this.model.getCriticWeights() };
        this.criticSinceBest = 0;
      } else if (++this.criticSinceBest >= this.config.offline.criticPatience) {
        this.model.critic.setWeights(this.bestCritic.weights);
        this.criticFrozen = true;
      }
    }
    const metrics: OfflineEpochMetrics = {
      runId: options.runId,
      epoch,
      phase,
      ...training,
      ...validation,
      epochMs: performance.now() - epochStarted,
      timestamp: new Date().toISOString(),
    };
    options.sink?.append({ ...metrics });
    const batches = this.batchesPerEpoch(split.training.length);
    options.onProgress?.({ phase, epoch, totalEpochs, batch: batches, batchesPerEpoch: batches, metrics });
    return metrics;
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
    const objective = phase === 'behaviour-cloning' ? this.cloning : this.objective;
    const order = this.random.shuffle(Int32Array.from(rows));
    const batches = this.batchesPerEpoch(order.length);
    let policyLoss = 0;
    let valueLoss = 0;
    let entropy = 0;
    const totals: WeightTotals = { weightSum: 0, clipped: 0 };
    for (let batchIndex = 0; batchIndex < batches; batchIndex++) {
      const start = batchIndex * this.batchSize;
      const count = Math.min(this.batchSize, order.length - start);
      this.gather(order, start, count, objective.actions);
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
      // Actor: the objective weighs ∇log π of the batch's actions.
      const logits = this.withRulesPrior(model.actor.forward(count), order, start, count);
      const policyBatch = { batch: count, actions: this.actions, active: this.active, masks: this.masks };
      const logProbabilities = () => actionLogProbabilities(this.heads, logits, policyBatch, this.logProbabilities);
      objective.weigh({ count, rows: order, start, logProbabilities }, advantages, totals);
      const gradient = model.actor.outputGradient(count);
      const policy = policyLossAndGradient(this.heads, logits, policyBatch, advantages.subarray(0, count), objective.entropyCoefficient, gradient);
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
      meanPolicyWeight: totals.weightSum / total,
      clippedShare: totals.clipped / total,
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
