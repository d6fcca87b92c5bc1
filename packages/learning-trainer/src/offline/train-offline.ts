import { ActionSpace } from '@orchestra/learning-features';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import { experienceSchema, validate, type Experience, type TrainProgress } from '@orchestra/learning-types';
import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from '../config/trainer-config';
import type { ExplorationWeights } from '@orchestra/learning-policy';
import { ActorCritic } from '../networks/actor-critic';
import { SeededRandom } from '../networks/seeded-random';
import { trainPredictionHeads, type PredictionHeadsResult } from '../prediction/prediction-heads';
import { OfflineEpochRunner } from './offline-epoch-runner';
import { checkDataRules, summariseExperiences, type DataSummary, type DataWarning } from './data-rules';
import { buildExperienceDataset, splitByTime, type ExperienceDataset, type RewardNormalization } from './experience-dataset';
import { JsonlMetricsSink, type MetricsSink } from './metrics-sink';
import { fitDistillationTargets, type QDistillationSummary } from './distillation-targets';
import type { LinearCritic } from './linear-critic';
import { offlineObjective } from './offline-objectives';
import { explorationWeightsOf } from './exploration-weights';
import { rulesGreedyIndices } from './rules-strata';

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
  /**
   * `q-distillation` with the linear critic: how the rules' exploration should weigh its alternatives from now on
   * (`explorationWeightsOf`: the critic's probability that each choice beats the rules', floored), for
   * `RulesPolicy.setExplorationWeights`.
   */
  explorationWeights?: ExplorationWeights;
  wallTimeMs: number;
}

export { criticPartOptions, type QDistillationSummary } from './distillation-targets';

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
 * Each objective is an `OfflineObjective` (offline-objectives.ts) and one loop applies them (`OfflineEpochRunner.fit`).
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
  const needsRules = config.offline.rulesPrior > 0 || config.offline.improvementStart === 'rules' || config.offline.evidenceGuardMinimum > 0 || config.offline.criticStrata === 'rules';
  const rulesIndices = config.offline.objective === 'q-distillation' && needsRules ? rulesGreedyIndices(experiences, dataset, actionSpace) : undefined;
  const sink = options.metricsSink ?? (options.dataDir === undefined ? undefined : new JsonlMetricsSink(options.dataDir, runId));
  const split = splitByTime(dataset, config.offline.validationFraction);
  const model = new ActorCritic({ stateSize: dataset.stateSize, heads: { sizes: actionSpace.heads.map((head) => head.size) }, config });
  const distilled = config.offline.objective === 'q-distillation' ? fitDistillationTargets({ experiences, dataset, actionSpace, config, split, rulesIndices }) : undefined;
  const objective = offlineObjective(config, dataset, distilled?.targets);
  const runner = new OfflineEpochRunner(model, dataset, config, new SeededRandom(config.seed + 7), objective, rulesIndices);
  const { epochs, bestEpoch, stoppedEarly } = runner.fit(split, { runId, ...(sink === undefined ? {} : { sink }), ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }) });
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
    bestEpoch,
    stoppedEarly,
    ...(predictions === undefined ? {} : { predictions }),
    ...(distilled === undefined ? {} : { qDistillation: distilled.summary }),
    ...(distilled?.critic === undefined ? {} : { critic: distilled.critic }),
    ...(distilled?.gateCritic === undefined ? {} : { gateCritic: distilled.gateCritic }),
    ...(distilled?.gateEvaluationIds === undefined ? {} : { gateEvaluationIds: distilled.gateEvaluationIds }),
    ...(distilled?.critic === undefined ? {} : { explorationWeights: explorationWeightsOf(distilled.critic, dataset, actionSpace, split.training, rulesIndices === undefined ? {} : { base: rulesIndices, strata: rulesIndices }) }),
    rulesPrior: rulesIndices === undefined ? 0 : config.offline.rulesPrior,
    ...(sink instanceof JsonlMetricsSink ? { metricsPath: sink.path } : {}),
    wallTimeMs: performance.now() - started,
  };
}
