import { ActionSpace } from '@orchestra/learning-features';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import { experienceSchema, validate, ValidationError, type Experience, type TrainProgress } from '@orchestra/learning-types';
import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from '../config/trainer-config';
import { RulesPolicy, SafetyGuard } from '@orchestra/learning-policy';
import { ActorCritic } from '../networks/actor-critic';
import { policyInputOf } from '../ope/evaluated-policy-from-policy';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import { SeededRandom } from '../networks/seeded-random';
import { trainPredictionHeads, type PredictionHeadsResult } from '../prediction/prediction-heads';
import { OfflineEpochRunner } from './offline-epoch-runner';
import { checkDataRules, summariseExperiences, type DataSummary, type DataWarning } from './data-rules';
import { buildExperienceDataset, splitByTime, type ExperienceDataset, type RewardNormalization } from './experience-dataset';
import { JsonlMetricsSink, type MetricsSink } from './metrics-sink';
import { gateFoldOf } from '../ope/critic-gate';
import { fitLinearCritic, improveActionsLinear, type LinearCritic, type LinearCriticOptions } from './linear-critic';
import { improveActions, normaliseTotal, trainRewardModel, type ActionTargets, type ImprovementSummary } from './q-distillation';

/** Metrics of one offline epoch (also the JSON line written to the metrics file). */
export interface OfflineEpochMetrics {
  runId: string;
  epoch: number;
  phase: 'behaviour-cloning' | 'policy';
  trainingPolicyLoss: number;
  trainingValueLoss: number;
  trainingEntropy: number;
  /** Mean weight applied to the policy gradient (importance or advantage weight) before clipping. */
  meanPolicyWeight: number;
  /** Share of weights that hit the clip. */
  clippedShare: number;
  validationValueLoss: number;
  /** Self-normalised IPS estimate of the policy's mean normalised reward on the validation split. */
  validationPolicyValue: number;
  /** Mean normalised reward the logging policy got on the validation split. */
  validationLoggedValue: number;
  /** Effective sample size (Σw)²/Σw² of the validation importance weights. */
  validationEffectiveSampleSize: number;
  /** `q-distillation`: mean log π(a*|s) of the improved validation actions (what the policy epochs are selected on). */
  validationTargetLogLikelihood?: number;
  epochMs: number;
  timestamp: string;
}

/** Progress of offline training (the types package's `TrainProgress`), with `metrics` at the end of each epoch. */
export interface OfflineProgress extends TrainProgress {
  metrics?: OfflineEpochMetrics;
}

/** Options of `trainOffline`. */
export interface TrainOfflineOptions {
  /** Logged experiences: an array, or any (async) iterable such as the collector's reader. */
  experiences: Iterable<Experience> | AsyncIterable<Experience>;
  /** The action space the experiences' actions are encoded in (default: the default catalog's). */
  actionSpace?: ActionSpace;
  config?: TrainerConfigInput;
  /** The reward configuration the experiences were scored with (for the reward bounds). */
  rewardConfig?: RewardConfigInput;
  /** Writes per-epoch metrics to `<dataDir>/metrics/<runId>.jsonl`. */
  dataDir?: string;
  runId?: string;
  /** Where metrics go instead of (or without) `dataDir`. */
  metricsSink?: MetricsSink;
  onProgress?: (progress: OfflineProgress) => void;
  onWarning?: (warning: DataWarning) => void;
  /** Validate every experience against `experienceSchema` (default true; skip only for already-validated input). */
  validate?: boolean;
  /** Also train the prediction heads (default true). */
  predictions?: boolean;
}

/** What `trainOffline` returns. */
export interface TrainOfflineResult {
  model: ActorCritic;
  actionSpace: ActionSpace;
  config: TrainerConfig;
  runId: string;
  featureSchemaHash: string;
  stateSize: number;
  summary: DataSummary;
  warnings: DataWarning[];
  rewardNormalisation: RewardNormalization;
  trainingSize: number;
  validationSize: number;
  epochs: OfflineEpochMetrics[];
  /** Epoch whose weights were kept (best validation policy value). */
  bestEpoch: number;
  stoppedEarly: boolean;
  predictions?: PredictionHeadsResult;
  /** `q-distillation`: fit of the reward model and what the improvement step changed on the training rows. */
  qDistillation?: QDistillationSummary;
  /** The metrics file, when `dataDir` was given. */
  metricsPath?: string;
  /** The bonus of the actor's rules prior in effect (0 when the default rules cannot act in this action space). */
  rulesPrior: number;
  /** `q-distillation` with the linear critic: the critic fitted on the training rows (the one the actions were improved with). */
  critic?: LinearCritic;
  /**
   * The deploy gate's direct method, cross-fitted: the same model fitted on other training rows than `critic` plus
   * the held-out rows of the other fold (see `gateFoldOf`), so no held-out log is valued by a critic that saw it.
   */
  gateCritic?: { readonly folds: readonly [LinearCritic, LinearCritic] };
  /**
   * Ids of the experiences the deploy gate may value the candidate on (with `gateCritic`): the rows whose rewards
   * neither chose the candidate's actions nor fitted the critic that values them (`gateEvaluation`).
   */
  gateEvaluationIds?: string[];
  wallTimeMs: number;
}

/** What the `q-distillation` objective did before distilling. */
export interface QDistillationSummary {
  /** Validation mean squared error of Q(s, a) against the normalised reward, and of predicting the training mean. */
  rewardModelValidationMeanSquaredError: number;
  baselineValidationMeanSquaredError: number;
  rewardModelEpochs: number;
  /** Share of training rows whose improved action differs from the logged one. */
  changedShare: number;
  /** Mean predicted gain Q(s, a*) − Q(s, a_logged) over the training rows (normalised reward). */
  meanPredictedGain: number;
  /** Outcome critic: mean predicted success probability of the logged and of the improved actions (all rows). */
  predictedSuccessLogged?: number;
  predictedSuccessImproved?: number;
  /** Linear critic: the context ridge factor the model evidence chose. */
  contextRidgeFactor?: number;
}

/**
 * The linear critic's reward-part options of a configuration: the parts, their ridge multipliers, and the training
 * units per reward point (a part's targets are the sum of its components in training units: normalised = scale ·
 * total + offset). Shared by the chooser's critic, the gate's, and a re-look's (`regateCandidate`).
 */
export function criticPartOptions(config: TrainerConfig, normalisation: RewardNormalization): Pick<LinearCriticOptions, 'parts' | 'partRidgeMultipliers' | 'rewardScale'> {
  const rewardScale = normaliseTotal(1, normalisation) - normaliseTotal(0, normalisation);
  return { parts: config.offline.criticRewardParts, partRidgeMultipliers: config.offline.criticPartRidgeMultipliers, rewardScale };
}

async function collect(source: Iterable<Experience> | AsyncIterable<Experience>, check: boolean): Promise<Experience[]> {
  const experiences: Experience[] = [];
  for await (const item of source as AsyncIterable<Experience>) {
    experiences.push(check ? validate(experienceSchema, item, 'Experience') : item);
  }
  return experiences;
}

/**
 * Off-policy actor-critic from logged experiences. Each session is one decision, so the critic learns V(s) from the
 * normalised reward and the advantage is r − V(s). The actor follows
 * - `importance-weighted`: ∇ = ρ·A·∇log π(a|s) with ρ = min(π(a|s)/μ(a|s), clip), μ the logged propensity, or
 * - `advantage-weighted` (AWR): ∇ = min(exp(A/(β·σ_A)), clip)·∇log π(a|s),
 * - `q-distillation`: a reward model Q(s, a) is fitted on the logs, every logged action is improved by coordinate ascent
 *   on Q within the data's support (`improveActions`), and the actor behaviour-clones the improved actions; its
 *   epochs are selected on the validation log-likelihood of the improved actions,
 * plus the entropy bonus, optionally after `behaviourCloningEpochs` of plain log-likelihood of the logged actions.
 * The most recent experiences (by timestamp) are held out; training stops after `earlyStoppingPatience` epochs
 * without a better self-normalised IPS value on them, and the best epoch's weights are kept.
 *
 * Data rules: throws `InsufficientExperiencesError` below `minimumExperiences` (unless overridden), warns below
 * `recommendedExperiences` or when one task type / primary domain dominates, and never drops failed sessions.
 */
export async function trainOffline(options: TrainOfflineOptions): Promise<TrainOfflineResult> {
  const started = performance.now();
  const config = parseTrainerConfig(options.config ?? {});
  const actionSpace = options.actionSpace ?? new ActionSpace();
  const runId = options.runId ?? `offline-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const experiences = await collect(options.experiences, options.validate ?? true);
  const summary = summariseExperiences(experiences);
  const warnings = checkDataRules(summary, config.offline);
  const warn = (warning: DataWarning) => {
    warnings.push(warning);
    options.onWarning?.(warning);
  };
  for (const warning of warnings) options.onWarning?.(warning);
  const dataset = buildExperienceDataset(experiences, {
    actionSpace,
    ...(options.rewardConfig === undefined ? {} : { rewardConfig: options.rewardConfig }),
    onFallback: (message) => warn({ code: 'reward-out-of-bounds', message }),
  });
  // The rules prior belongs to the q-distillation actor (a residual on the rules it clones improvements of); the
  // policy-gradient objectives learn from the logged rewards alone.
  const needsRules = config.offline.rulesPrior > 0 || config.offline.improvementStart === 'rules';
  const rulesIndices = config.offline.objective === 'q-distillation' && needsRules ? rulesGreedyIndices(experiences, dataset, actionSpace) : undefined;
  const sink = options.metricsSink ?? (options.dataDir === undefined ? undefined : new JsonlMetricsSink(options.dataDir, runId));
  const split = splitByTime(dataset, config.offline.validationFraction);
  const model = new ActorCritic({ stateSize: dataset.stateSize, heads: { sizes: actionSpace.heads.map((head) => head.size) }, config });
  let targets: ActionTargets | undefined;
  let qDistillation: QDistillationSummary | undefined;
  let critic: LinearCritic | undefined;
  let gateCritic: { folds: [LinearCritic, LinearCritic] } | undefined;
  let gateEvaluationIds: string[] | undefined;
  if (config.offline.objective === 'q-distillation') {
    const all = Int32Array.from({ length: dataset.size }, (_, index) => index);
    const members = Array.from({ length: config.offline.rewardModelEnsemble }, (_, member) => member);
    let improved: ActionTargets & ImprovementSummary;
    let fit: { validationMeanSquaredError: number; baselineMeanSquaredError: number; epochs: number };
    if (config.offline.rewardModelStructure === 'linear') {
      // Cross-fitting: the critic that chooses the improved actions and the deploy gate's critic (its direct method)
      // are fitted on disjoint rows, so the gate's errors are independent of the choice and it does not share the
      // chooser's winner's curse (measured: a chooser valued its own choices ~10 points above what they achieved).
      // `gateShare` of the training rows (every k-th by time) plus the validation rows go to the gate's critic.
      const gateEvery = config.offline.gateShare > 0 ? Math.max(2, Math.round(1 / config.offline.gateShare)) : 0;
      const chooserRows = gateEvery === 0 ? split.training : split.training.filter((_, position) => position % gateEvery !== 0);
      const gateTrainingRows = gateEvery === 0 ? [] : [...split.training.filter((_, position) => position % gateEvery === 0)];
      // Cross-fitted gate critics: fold k's critic sees the evaluation rows of the other fold only, and the gate values
      // each evaluation log with the critic that did not see it (`gateFoldOf`). The evaluation rows are the held-out
      // rows and, with `gateEvaluation: 'independent'`, the gate's training rows too: no reward of theirs chose the
      // candidate's actions (the chooser never sees them), so they value it as honestly as the held-out rows do.
      const byId = new Map(experiences.map((experience) => [experience.id, experience]));
      const evaluationRows = config.offline.gateEvaluation === 'independent' ? [...gateTrainingRows, ...split.validation] : [...split.validation];
      const evaluationFold = evaluationRows.map((row) => gateFoldOf(byId.get(dataset.ids[row]!)!));
      const gateRowsWithout = (fold: 0 | 1) =>
        config.offline.gateEvaluation === 'independent'
          ? Int32Array.from(evaluationRows.filter((_, position) => evaluationFold[position] !== fold))
          : Int32Array.from([...gateTrainingRows, ...evaluationRows.filter((_, position) => evaluationFold[position] !== fold)]);
      gateEvaluationIds = evaluationRows.map((row) => dataset.ids[row]!);
      const partOptions = criticPartOptions(config, dataset.rewardNormalisation);
      critic = fitLinearCritic(dataset, actionSpace, chooserRows, split.validation, {
        effectRidge: config.offline.criticEffectRidge,
        contextRidgeFactor: config.offline.criticContextRidgeFactor,
        ...partOptions,
      });
      // The gate's critic takes the factor the evidence chose for the chooser's.
      const gateOptions = { effectRidge: config.offline.gateCriticEffectRidge, contextRidgeFactor: critic.contextRidgeFactor, ...partOptions };
      gateCritic = { folds: [fitLinearCritic(dataset, actionSpace, gateRowsWithout(0), split.validation, gateOptions), fitLinearCritic(dataset, actionSpace, gateRowsWithout(1), split.validation, gateOptions)] };
      improved = improveActionsLinear({
        dataset,
        actionSpace,
        critic,
        rows: all,
        rounds: config.offline.improvementRounds,
        pessimism: config.offline.rewardModelPessimism,
        margin: config.offline.improvementMargin,
        maxChangedHeads: config.offline.maxChangedHeads,
        ...(config.offline.improvementStart === 'rules' && rulesIndices !== undefined ? { start: rulesIndices } : {}),
      });
      fit = { ...critic, epochs: 1 };
    } else {
      const rewardModels = members.map((member) => trainRewardModel({ dataset, actionSpace, training: split.training, validation: split.validation, config, member }));
      improved = improveActions({ dataset, actionSpace, rewardModel: rewardModels, rows: all, config });
      fit = rewardModels[0]!;
    }
    targets = improved;
    qDistillation = {
      rewardModelValidationMeanSquaredError: fit.validationMeanSquaredError,
      baselineValidationMeanSquaredError: fit.baselineMeanSquaredError,
      rewardModelEpochs: fit.epochs,
      changedShare: improveSummary(dataset, improved, split.training),
      meanPredictedGain: improved.meanGain,
      ...(improved.predictedSuccessLogged === undefined ? {} : { predictedSuccessLogged: improved.predictedSuccessLogged, predictedSuccessImproved: improved.predictedSuccessImproved! }),
      ...(critic === undefined ? {} : { contextRidgeFactor: critic.contextRidgeFactor }),
    };
  }
  const trainer = new OfflineEpochRunner(model, dataset, config, new SeededRandom(config.seed + 7), targets, rulesIndices);
  const epochs: OfflineEpochMetrics[] = [];
  const offline = config.offline;
  const totalEpochs = offline.behaviourCloningEpochs + offline.epochs;
  let best: { value: number; epoch: number; actor: DenseLayerWeights[]; critic: DenseLayerWeights[] } | undefined;
  let sinceBest = 0;
  let stoppedEarly = false;
  // The critic overfits small logs quickly, and an overfitted V(s) drives the training advantages r − V(s) to zero.
  // It is therefore early-stopped on its own validation loss: its best weights are restored and then frozen.
  let bestCritic: { loss: number; weights: DenseLayerWeights[] } | undefined;
  let criticSinceBest = 0;
  for (let epoch = 1; epoch <= totalEpochs; epoch++) {
    const phase = epoch <= offline.behaviourCloningEpochs ? 'behaviour-cloning' : 'policy';
    if (phase === 'policy' && epoch === offline.behaviourCloningEpochs + 1 && epoch > 1) model.actor.resetOptimiser();
    const epochStarted = performance.now();
    const training = trainer.trainEpoch(split.training, phase, (batch, batchesPerEpoch) =>
      options.onProgress?.({ phase, epoch, totalEpochs, batch, batchesPerEpoch }),
    );
    const validation = trainer.evaluate(split.validation);
    if (!trainer.criticFrozen) {
      if (bestCritic === undefined || validation.validationValueLoss < bestCritic.loss) {
        bestCritic = { loss: validation.validationValueLoss, weights: model.getCriticWeights() };
        criticSinceBest = 0;
      } else if (++criticSinceBest >= offline.criticPatience) {
        model.critic.setWeights(bestCritic.weights);
        trainer.criticFrozen = true;
      }
    }
    const metrics: OfflineEpochMetrics = {
      runId,
      epoch,
      phase,
      ...training,
      ...validation,
      epochMs: performance.now() - epochStarted,
      timestamp: new Date().toISOString(),
    };
    epochs.push(metrics);
    sink?.append({ ...metrics });
    options.onProgress?.({ phase, epoch, totalEpochs, batch: trainer.batchesPerEpoch(split.training.length), batchesPerEpoch: trainer.batchesPerEpoch(split.training.length), metrics });
    if (phase !== 'policy') continue;
    const selection = validation.validationTargetLogLikelihood ?? validation.validationPolicyValue;
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
  const predictions =
    options.predictions === false
      ? undefined
      : trainPredictionHeads({
          dataset,
          actionSpace,
          training: split.training,
          validation: split.validation,
          config,
          ...(options.onProgress === undefined
            ? {}
            : { onProgress: (epoch: number, total: number) => options.onProgress!({ phase: 'prediction', epoch, totalEpochs: total, batch: 0, batchesPerEpoch: 0 }) }),
        });
  return {
    model,
    actionSpace,
    config,
    runId,
    featureSchemaHash: dataset.featureSchemaHash,
    stateSize: dataset.stateSize,
    summary,
    warnings,
    rewardNormalisation: dataset.rewardNormalisation,
    trainingSize: split.training.length,
    validationSize: split.validation.length,
    epochs,
    bestEpoch: best?.epoch ?? epochs.length,
    stoppedEarly,
    ...(predictions === undefined ? {} : { predictions }),
    ...(qDistillation === undefined ? {} : { qDistillation }),
    ...(critic === undefined ? {} : { critic }),
    ...(gateCritic === undefined ? {} : { gateCritic }),
    ...(gateEvaluationIds === undefined ? {} : { gateEvaluationIds }),
    rulesPrior: rulesIndices === undefined ? 0 : config.offline.rulesPrior,
    ...(sink instanceof JsonlMetricsSink ? { metricsPath: sink.path } : {}),
    wallTimeMs: performance.now() - started,
  };
}

/** Share of `rows` whose action in `targets` differs from the logged one. */
function improveSummary(dataset: ExperienceDataset, targets: ActionTargets, rows: Int32Array): number {
  const { headCount } = dataset;
  let changed = 0;
  for (const row of rows) {
    for (let head = 0; head < headCount; head++) {
      if (targets.actions[row * headCount + head] !== dataset.actions[row * headCount + head]) {
        changed += 1;
        break;
      }
    }
  }
  return changed / Math.max(1, rows.length);
}

/**
 * The default rules' greedy action of every row (`size × headCount`, in the dataset's row order): what the actor's
 * rules prior adds its bonus to. The rules decide from the experience's logged state, as they would have then.
 * Undefined when the default rules cannot act in `actionSpace` (another model catalog).
 */
function rulesGreedyIndices(experiences: readonly Experience[], dataset: ExperienceDataset, actionSpace: ActionSpace): Int32Array | undefined {
  let rules: RulesPolicy;
  try {
    rules = new RulesPolicy({ guard: new SafetyGuard({ space: actionSpace }) });
  } catch (error) {
    // The default rules name models of the default catalog; an action space of other models has no rules prior.
    if (ValidationError.isInstance(error)) return undefined;
    throw error;
  }
  const byId = new Map(experiences.map((experience) => [experience.id, experience]));
  const indices = new Int32Array(dataset.size * dataset.headCount);
  dataset.ids.forEach((id, row) => {
    indices.set(rules.greedyIndices(policyInputOf(byId.get(id)!)), row * dataset.headCount);
  });
  return indices;
}
