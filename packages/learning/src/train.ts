import { mkdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { defaultFeatureSchema, type ActionSpace } from '@orchestra/learning-features';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import { deployVerdictOf, type DeployVerdict, type ExplorationDesign, type LearnedPolicyOptions, type PolicyComparison } from '@orchestra/learning-policy';
import type * as Trainer from '@orchestra/learning-trainer';
import type { Experience, TrainProgress } from '@orchestra/learning-types';
import { TrainerUnavailableError } from './errors';
import type { TrainerModule } from './trainer-loader';


/** Options of `LearningManager.train`. */
export interface TrainOptions {
  /** The logged experiences (default: the data dir's buffer). */
  experiences?: Iterable<Experience> | AsyncIterable<Experience>;
  /** Artifact directory to write. */
  output: string;
  /** Offline epochs (trainer default otherwise). */
  epochs?: number;
  /** Train below the trainer's minimum of experiences (50 by default). */
  allowFewExperiences?: boolean;
  /** Other trainer configuration (see the trainer package's `trainerConfigSchema`). */
  trainerConfig?: Record<string, unknown>;
  /** Model version (default `learned-<time>`). */
  version?: string;
  /**
   * How the candidate serves (e.g. `{ selection: 'argmax', epsilon: 0.05 }` when the router serves greedy decisions
   * with ε-exploration). The deploy gate judges an `argmax` candidate by its greedy decisions (ε 0), as it judges the
   * greedy rules (the trainer's `judge: 'decisions'`); a sampling one as it samples. Default: the policy package's
   * default (sampling).
   */
  servedAs?: ServedAs;
  onProgress?: (progress: TrainProgress) => void;
  onWarning?: (message: string) => void;
  /** The action space (model catalog) the experiences' actions are encoded in; the manager passes its own. */
  actionSpace?: ActionSpace;
  /** The reward configuration (tiers of the catalog's models); the manager passes its own. */
  rewardConfig?: RewardConfigInput;
}

/** What `train` did: sizes, epochs, where the artifact went, and the deploy gate's verdict. */
export interface TrainReport {
  version: string;
  output: string;
  experiences: number;
  trainingSize: number;
  validationSize: number;
  /** Epochs run (fewer than `plannedEpochs` when training stopped early). */
  epochs: number;
  /** Epochs planned: behaviour-cloning epochs + policy epochs (`--epochs`). */
  plannedEpochs: number;
  bestEpoch: number;
  stoppedEarly: boolean;
  warnings: string[];
  metricsPath: string | null;
  /** The off-policy comparison with the rules on the validation split (null when it could not be made). */
  ope: PolicyComparison | null;
  /** Why the comparison could not be made (e.g. no overlap: logs without exploration). */
  opeError: string | null;
  /** Whether the lower bound of (learned − rules) is above 0; null without a comparison. */
  beatsRules: boolean | null;
  /** What the critic fitted and what the improvement step changed (`q-distillation`), null for other objectives. */
  critic: Record<string, unknown> | null;
  /** The deploy verdict: `beats-rules`, `does-not-beat-rules`, or `not-evaluated` (see `opeError`). */
  verdict: DeployVerdict;
  /**
   * How the rules' exploration should weigh its alternatives after this training (head → choice → weight; the
   * critic's probability that each choice beats the rules', floored): what `improve` applies with
   * `adaptiveExploration`. Null without a linear critic.
   */
  explorationWeights: Record<string, Record<string, number>> | null;
  wallTimeMs: number;
}

/**
 * The parts of the trainer package `train` uses, typed by the trainer's own declarations (a type-only import: the
 * trainer stays an optional peer, loaded at run time, and none of its types reach this package's declarations).
 */
type TrainerApi = Pick<typeof Trainer, 'trainOffline' | 'trainedModelFromOffline' | 'writeTrainedModelArtifact' | 'evaluateModelArtifact'> &
  Partial<Pick<typeof Trainer, 'evaluateModelArtifactWithCritic'>>;

function trainerApi(module: TrainerModule): TrainerApi {
  for (const name of ['trainOffline', 'trainedModelFromOffline', 'writeTrainedModelArtifact', 'evaluateModelArtifact']) {
    if (typeof module[name] !== 'function') {
      throw new TrainerUnavailableError({ cause: new Error(`the installed @orchestra/learning-trainer has no ${name}(); install a matching version`) });
    }
  }
  return module as unknown as TrainerApi;
}

/** Behaviour-cloning + policy epochs of the trainer's resolved configuration (at least the epochs run). */
function plannedEpochs(config: Record<string, unknown>, run: number): number {
  const offline = config.offline as { behaviourCloningEpochs?: unknown; epochs?: unknown } | undefined;
  const planned = Number(offline?.behaviourCloningEpochs ?? 0) + Number(offline?.epochs ?? 0);
  return Number.isFinite(planned) && planned >= run ? planned : run;
}

async function collect(source: Iterable<Experience> | AsyncIterable<Experience>): Promise<Experience[]> {
  const experiences: Experience[] = [];
  for await (const experience of source as AsyncIterable<Experience>) experiences.push(experience);
  return experiences;
}

/**
 * How a candidate serves, as the gate loads it (`LearnedPolicyOptions` of the policy package): selection, ε,
 * temperature, and the exploration design its ε-exploration follows (the manager adds its configured
 * `explorationDesign`, so a gate that judges the candidate as served — `judge: 'as-served'` — values the exploration
 * production will draw).
 */
export type ServedAs = Pick<LearnedPolicyOptions, 'selection' | 'epsilon' | 'temperature' | 'explorationDesign'>;

/** `servedAs` with `explorationDesign` added when both are given and `servedAs` names none of its own. */
export function servedWithDesign(servedAs: ServedAs | undefined, explorationDesign: ExplorationDesign | undefined): ServedAs | undefined {
  if (servedAs === undefined || explorationDesign === undefined || servedAs.explorationDesign !== undefined) return servedAs;
  return { ...servedAs, explorationDesign };
}

/**
 * Trains a policy offline from logged experiences, evaluates it against the rules on the held-out (most recent)
 * experiences, and writes the artifact with that evaluation in its manifest (`ope`), which `deploy` checks.
 */
export async function trainPolicy(module: TrainerModule, dataDir: string, options: TrainOptions, experienceSource: () => Promise<Iterable<Experience> | AsyncIterable<Experience>>): Promise<TrainReport> {
  const started = performance.now();
  const trainer = trainerApi(module);
  const experiences = await collect(options.experiences ?? (await experienceSource()));
  const version = options.version ?? `learned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const warnings: string[] = [];
  const offline: Record<string, unknown> = {};
  if (options.epochs !== undefined) offline.epochs = options.epochs;
  if (options.allowFewExperiences === true) offline.allowFewExperiences = true;
  // The product's learner by default: the linear critic's improvements distilled into a residual actor (trainer
  // README), whose critic also gives the deploy gate its doubly robust estimate. A caller may choose another objective.
  const config = { ...options.trainerConfig, offline: { objective: 'q-distillation', ...(options.trainerConfig?.offline as Record<string, unknown> | undefined), ...offline } };
  const result = await trainer.trainOffline({
    experiences,
    // The caller's configuration is validated by the trainer (`parseTrainerConfig`: a typed error naming the field).
    config: config as Trainer.TrainerConfigInput,
    dataDir,
    // `<dataDir>/metrics/<version>--<time>.jsonl`: the report names each learning curve by the model it trained.
    runId: `${version.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}--${new Date().toISOString().replace(/[:.]/g, '-')}`,
    ...(options.actionSpace === undefined ? {} : { actionSpace: options.actionSpace }),
    ...(options.rewardConfig === undefined ? {} : { rewardConfig: options.rewardConfig }),
    onProgress: (progress: Trainer.OfflineProgress) => options.onProgress?.(progress),
    onWarning: (warning: { message: string }) => {
      warnings.push(warning.message);
      options.onWarning?.(warning.message);
    },
  });
  const output = resolve(options.output);
  // Actor, critic and the prediction head (expected duration, cost, success of a decision), with the training
  // configuration and final metrics.
  const model = trainer.trainedModelFromOffline(result, {
    version,
    featureSchema: defaultFeatureSchema,
    metrics: { experiences: experiences.length },
  });

  // Evaluate the artifact exactly as production would load it, on the most recent (held-out) experiences.
  const candidate = join(dirname(output), `.${version}.candidate`);
  await mkdir(dirname(output), { recursive: true, mode: 0o700 });
  let ope: PolicyComparison | null = null;
  let opeError: string | null = null;
  try {
    await trainer.writeTrainedModelArtifact(candidate, { ...model, ope: null }, { onnx: false });
    // The logs the gate may value the candidate on: those the trainer names (rows no reward of which chose the
    // candidate's actions or fitted the critic valuing them), else the most recent held-out ones.
    const evaluationIds = result.gateEvaluationIds === undefined ? null : new Set(result.gateEvaluationIds);
    const held =
      evaluationIds !== null
        ? experiences.filter((experience) => evaluationIds.has(experience.id))
        : [...experiences].sort((left, right) => Date.parse(left.timestamp) - Date.parse(right.timestamp)).slice(-Math.max(1, result.validationSize));
    const learnedPolicy = options.servedAs === undefined ? {} : { learnedPolicy: options.servedAs };
    // With a critic of the run (q-distillation), the gate is doubly robust with the critic fitted on these held-out
    // logs as its direct method;
    // otherwise importance sampling alone, which needs the candidate to act where the logger explored.
    ope =
      result.gateCritic !== undefined && trainer.evaluateModelArtifactWithCritic !== undefined
        ? await trainer.evaluateModelArtifactWithCritic(candidate, held, { ...learnedPolicy, critic: result.gateCritic, normalisation: result.rewardNormalisation })
        : await trainer.evaluateModelArtifact(candidate, held, learnedPolicy);
  } catch (error) {
    opeError = (error as Error).message;
  } finally {
    await rm(candidate, { recursive: true, force: true });
  }
  await rm(output, { recursive: true, force: true });
  await trainer.writeTrainedModelArtifact(output, { ...model, ope: ope ?? (opeError === null ? null : { error: opeError }) });
  const verdict = deployVerdictOf(ope);
  const beatsRules = verdict === 'not-evaluated' ? null : verdict === 'beats-rules';
  return {
    version,
    output,
    experiences: experiences.length,
    trainingSize: result.trainingSize,
    validationSize: result.validationSize,
    epochs: result.epochs.length,
    plannedEpochs: plannedEpochs(result.config, result.epochs.length),
    bestEpoch: result.bestEpoch,
    stoppedEarly: result.stoppedEarly,
    warnings: [...new Set([...warnings, ...result.warnings.map((warning) => warning.message)])],
    metricsPath: result.metricsPath ?? null,
    ope,
    opeError,
    beatsRules,
    critic: result.qDistillation === undefined ? null : { ...result.qDistillation },
    verdict,
    explorationWeights: (result.explorationWeights as Record<string, Record<string, number>> | undefined) ?? null,
    wallTimeMs: performance.now() - started,
  };
}

/** Off-policy evaluation of a model artifact against the rules on logged experiences (the deploy gate's numbers). */
export async function evaluatePolicyArtifact(module: TrainerModule, directory: string, experiences: Iterable<Experience> | AsyncIterable<Experience>): Promise<PolicyComparison> {
  const trainer = trainerApi(module);
  return trainer.evaluateModelArtifact(resolve(directory), await collect(experiences));
}
