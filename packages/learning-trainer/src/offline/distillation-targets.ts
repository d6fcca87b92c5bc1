import type { ActionSpace } from '@orchestra/learning-features';
import type { Experience } from '@orchestra/learning-types';
import type { TrainerConfig } from '../config/trainer-config';
import { gateFoldOf } from '../ope/critic-gate';
import type { ExperienceDataset, RewardNormalization } from './experience-dataset';
import { buildLocalEvidence } from './local-evidence';
import { fitLinearCritic, improveActionsLinear, type LinearCritic, type LinearCriticOptions } from './linear-critic';
import { improveActions, normaliseTotal, trainRewardModel, type ActionTargets, type ImprovementSummary } from './q-distillation';

/*
 * The `q-distillation` objective's first step: a reward model Q(s, a) fitted on the logs, and every logged action
 * improved on it within the data's support. The actor then behaviour-clones the improved actions
 * (`offlineObjective`); the linear critic's cross-fitted twins become the deploy gate's direct method.
 */

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

/** The improved actions, what fitting and improving did, and (linear critic) the critics and the gate's rows. */
export interface DistillationTargets {
  targets: ActionTargets;
  summary: QDistillationSummary;
  critic?: LinearCritic;
  gateCritic?: { folds: [LinearCritic, LinearCritic] };
  gateEvaluationIds?: string[];
}

/** What `fitDistillationTargets` fits on. */
export interface DistillationInput {
  experiences: readonly Experience[];
  dataset: ExperienceDataset;
  actionSpace: ActionSpace;
  config: TrainerConfig;
  split: { training: Int32Array; validation: Int32Array };
  /**
   * The default rules' greedy indices per row, when the improvement starts from them, the evidence guard reads them
   * or the critic is stratified by them (`criticStrata`).
   */
  rulesIndices: Int32Array | undefined;
}

/** Fits the reward model (`rewardModelStructure`) and improves every logged action on it. */
export function fitDistillationTargets(input: DistillationInput): DistillationTargets {
  const { dataset, actionSpace, config, split } = input;
  if (config.offline.rewardModelStructure === 'linear') return linearTargets(input);
  const all = Int32Array.from({ length: dataset.size }, (_, index) => index);
  const members = Array.from({ length: config.offline.rewardModelEnsemble }, (_, member) => member);
  const rewardModels = members.map((member) => trainRewardModel({ dataset, actionSpace, training: split.training, validation: split.validation, config, member }));
  const improved = improveActions({ dataset, actionSpace, rewardModel: rewardModels, rows: all, config });
  return { targets: improved, summary: summaryOf(dataset, improved, split.training, rewardModels[0]!, undefined) };
}

/**
 * Cross-fitting: the critic that chooses the improved actions and the deploy gate's critic (its direct method) are
 * fitted on disjoint rows, so the gate's errors are independent of the choice and it does not share the chooser's
 * winner's curse (measured: a chooser valued its own choices ~10 points above what they achieved). `gateShare` of
 * the training rows (every k-th by time) plus the validation rows go to the gate's critic.
 */
function linearTargets(input: DistillationInput): DistillationTargets {
  const { experiences, dataset, actionSpace, config, split, rulesIndices } = input;
  const all = Int32Array.from({ length: dataset.size }, (_, index) => index);
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
  const gateEvaluationIds = evaluationRows.map((row) => dataset.ids[row]!);
  // Stratified by the rules' choices (`criticStrata`): the chooser's critic and the gate's alike.
  const strata = config.offline.criticStrata === 'rules' ? rulesIndices : undefined;
  const partOptions = { ...criticPartOptions(config, dataset.rewardNormalisation), ...(strata === undefined ? {} : { strata }) };
  const critic = fitLinearCritic(dataset, actionSpace, chooserRows, split.validation, {
    effectRidge: config.offline.criticEffectRidge,
    contextRidgeFactor: config.offline.criticContextRidgeFactor,
    ...partOptions,
  });
  // The gate's critic takes the factor the evidence chose for the chooser's.
  const gateOptions = { effectRidge: config.offline.gateCriticEffectRidge, contextRidgeFactor: critic.contextRidgeFactor, ...partOptions };
  const gateCritic: DistillationTargets['gateCritic'] = {
    folds: [fitLinearCritic(dataset, actionSpace, gateRowsWithout(0), split.validation, gateOptions), fitLinearCritic(dataset, actionSpace, gateRowsWithout(1), split.validation, gateOptions)],
  };
  const improved = improveActionsLinear({
    dataset,
    actionSpace,
    critic,
    rows: all,
    rounds: config.offline.improvementRounds,
    pessimism: config.offline.rewardModelPessimism,
    margin: config.offline.improvementMargin,
    maxChangedHeads: config.offline.maxChangedHeads,
    jointApproachTeam: config.offline.improvementJointApproachTeam,
    ...(strata === undefined ? {} : { strata }),
    ...(config.offline.improvementStart === 'rules' && rulesIndices !== undefined ? { start: rulesIndices } : {}),
    ...(config.offline.evidenceGuardMinimum > 0 && rulesIndices !== undefined
      ? { evidence: buildLocalEvidence(dataset, actionSpace, rulesIndices, chooserRows, config.offline.evidenceGuardMinimum) }
      : {}),
  });
  const summary = summaryOf(dataset, improved, split.training, { ...critic, epochs: 1 }, critic);
  return { targets: improved, summary, critic, gateCritic, gateEvaluationIds };
}

function summaryOf(
  dataset: ExperienceDataset,
  improved: ActionTargets & ImprovementSummary,
  training: Int32Array,
  fit: { validationMeanSquaredError: number; baselineMeanSquaredError: number; epochs: number },
  critic: LinearCritic | undefined,
): QDistillationSummary {
  return {
    rewardModelValidationMeanSquaredError: fit.validationMeanSquaredError,
    baselineValidationMeanSquaredError: fit.baselineMeanSquaredError,
    rewardModelEpochs: fit.epochs,
    changedShare: improveSummary(dataset, improved, training),
    meanPredictedGain: improved.meanGain,
    ...(improved.predictedSuccessLogged === undefined ? {} : { predictedSuccessLogged: improved.predictedSuccessLogged, predictedSuccessImproved: improved.predictedSuccessImproved! }),
    ...(critic === undefined ? {} : { contextRidgeFactor: critic.contextRidgeFactor }),
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
