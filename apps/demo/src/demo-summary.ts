import type { RegateReport, TrainReport } from '@orchestra/learning';
import type { PolicyComparison } from '@orchestra/learning-policy';
import type { GateVerdict, ReportExtrasInput, TimelineEvent } from '@orchestra/learning-report';
import { DEFAULT_COST_WEIGHT, type LearningMode } from '@orchestra/learning-types';
import { meanWithInterval, pairedDifference, type PolicyMetrics, type PolicyRun } from '@orchestra/learning-sim';
import type { InferredContextOracleEffort } from './oracle-on-inferred-context';

/**
 * Trainer settings of the demo: q-distillation with the linear critic (a Bayesian linear model factorised over the
 * action heads): each logged action is improved head by head where the lower confidence bound (mean − 1 sd) of the
 * gain is positive (no further margin: `improvementMargin` 0 instead of the trainer's 0.02, which refused the many
 * small model and timeout moves whose gains add up; demo README, "No improvement margin"), at most 2 passes (a move
 * of the approach together with the team: `improvementJointApproachTeam`), and the actor clones the improved actions.
 * The critic is stratified by the rules' choices (`criticStrata: 'rules'`, every run length; demo README, "The critic
 * is stratified by the rules' choices"). Measured on the default world (seed 11, one training on shadow logs, 1,000
 * held-out tasks): +4.3 [1.4, 7.2] after 6,000 sessions at −9 % cost, ≈ 0 after 2,000 (README).
 */
export const demoTrainerConfig = {
  actor: { hiddenSizes: [256, 128] },
  critic: { hiddenSizes: [256, 128] },
  batchSize: 128,
  offline: { objective: 'q-distillation', rewardModelStructure: 'linear', behaviourCloningEpochs: 0, epochs: 25, earlyStoppingPatience: 5, improvementRounds: 2, rewardModelPessimism: 1, improvementMargin: 0, improvementJointApproachTeam: true, criticStrata: 'rules' },
} as const;

/** Oracle search effort (candidates after the closed-form screen × rollouts each). */
export const demoOracleEffort = { candidates: 16, rollouts: 128 } as const;

/** One progress line of the demo. */
export interface DemoProgress {
  phase: 'setup' | 'shadow' | 'train' | 'deploy' | 'ab_test' | 'production' | 'evaluate' | 'report';
  message: string;
  /** Sessions simulated so far (of the budget). */
  sessionsSeen: number;
}

/** One policy's estimated mean reward with its 95 % CI (and the Kish effective sample size, when the estimator has one). */
export interface OpeEstimate {
  value: number;
  ci: [number, number];
  effectiveSampleSize?: number;
}

/** A policy estimate of the deploy gate's comparison (the artifact format's schema) as the summary shows it. */
export function opeEstimateOf(estimate: PolicyComparison['target']): OpeEstimate {
  return { value: estimate.value, ci: [estimate.lower, estimate.upper], effectiveSampleSize: estimate.effectiveSampleSize };
}

/** The round of the deploy gate at a training: its comparison (or why there is none) and what was then measured. */
export function gateRoundOf(
  model: string,
  sessionsSeen: number,
  report: Pick<TrainReport, 'ope' | 'beatsRules' | 'opeError'>,
  outcome: Pick<OpeRound, 'deployed' | 'explored' | 'measured' | 'trainingMs'>,
): OpeRound {
  const comparison = report.ope;
  return {
    model,
    sessionsSeen,
    estimator: comparison?.estimator ?? null,
    learned: comparison === null ? null : opeEstimateOf(comparison.target),
    rules: comparison === null ? null : opeEstimateOf(comparison.baseline),
    difference: comparison === null ? null : { value: comparison.difference.value, ci: [comparison.difference.lower, comparison.difference.upper] },
    beatsRules: report.beatsRules,
    error: report.opeError,
    deployed: outcome.deployed,
    explored: outcome.explored,
    look: null,
    forced: false,
    baseline: 'rules',
    measured: outcome.measured,
    trainingMs: outcome.trainingMs,
  };
}

/** The round of a re-look at the exploration candidate (deployed when it passed; `kept` when it keeps exploring). */
export function relookRoundOf(relook: RegateReport, sessionsSeen: number, kept: boolean, measured: OpeRound['measured']): OpeRound {
  const { value, lower, upper } = relook.difference;
  return {
    model: relook.version,
    sessionsSeen,
    estimator: `doubly-robust re-look ${relook.look}`,
    learned: null,
    rules: null,
    difference: { value, ci: [lower, upper] },
    beatsRules: relook.passed,
    error: null,
    deployed: relook.passed,
    explored: kept,
    look: { index: relook.look, alpha: relook.alpha, confidence: relook.confidence, bound: relook.bound, freshLogs: relook.freshLogs, candidateActed: relook.candidateActed, supported: relook.supported, medianUnbiased: relook.medianUnbiased },
    baseline: relook.baseline?.version ?? 'rules',
    forced: false,
    measured,
    trainingMs: 0,
  };
}

/** An off-policy estimate as the deploy gate made it (before deployment), next to what was then measured. */
export interface OpeRound {
  model: string;
  /** Sessions in the buffer the model was trained on. */
  sessionsSeen: number;
  estimator: string | null;
  /** Estimated mean reward of the learned policy and of the rules on the held-out (most recent) logs, with 95 % CIs. */
  learned: OpeEstimate | null;
  rules: OpeEstimate | null;
  difference: { value: number; ci: [number, number] } | null;
  beatsRules: boolean | null;
  /** Why no estimate could be made (e.g. too little overlap with the logging policy). */
  error: string | null;
  /** Deployed: only when the gate passed (`forced` is always false: the demo never overrides the gate). */
  deployed: boolean;
  /** Refused but not found worse than the rules: it became the exploration candidate of shadow mode. */
  explored: boolean;
  /**
   * A re-look at the exploration candidate (`model`, trained earlier) on the logs it explored on: which look (1, 2,
   * …), the error rate its candidate may spend in all (`alpha`, twice the one-sided rate: its share of the run's
   * budget), at what confidence and z bound; null for the gate at training.
   */
  look: { index: number; alpha: number; confidence: number; bound: number; freshLogs: number; candidateActed: number; supported: boolean; medianUnbiased: number } | null;
  forced: boolean;
  /**
   * What `difference` and `measured` compare the model with: `rules`, or — for a challenger's re-look in production —
   * the deployed model's version.
   */
  baseline: string;
  /**
   * Measured afterwards on the held-out tasks: greedy learned − baseline (mean and 95 % CI, same tasks); `rules` is the
   * baseline's mean reward (the rules', or the challenged model's).
   */
  measured: { learned: number; rules: number; difference: number; ci: [number, number] };
  trainingMs: number;
}

/** The cost weights of the cost–quality curve: 0, ½, 1, 2 and 4 × the default weight (`DEFAULT_COST_WEIGHT`, 1). */
export const demoCostWeights: readonly number[] = [0, 0.5, 1, 2, 4].map((factor) => factor * DEFAULT_COST_WEIGHT);

/** One point of a cost–quality curve: the held-out success rate and cost per session of decisions made with `costWeight`. */
export interface CostQualityPoint {
  costWeight: number;
  successRate: number;
  costPerSession: number;
  meanReward: number;
}

/** One point of the learning curve: held-out mean reward vs sessions seen. */
export interface LearningCurvePoint {
  sessionsSeen: number;
  rules: number;
  learned: number;
  oracle: number;
}

/** What `runDemo` returns; `--json` prints it (the contract other tools read). */
export interface DemoSummary {
  world: string;
  worldSource: string;
  seed: number;
  sessions: number;
  evaluationTasks: number;
  dataDir: string;
  reportPath: string;
  /**
   * `oracleOnInferredContext`: the oracle restricted to the inferred kind every policy perceives (one action per
   * inferred kind, the best in expectation over the true tasks perceived as that kind; see `oracleOnInferredContext`).
   */
  policies: { rules: PolicyMetrics; learned: PolicyMetrics; oracle: PolicyMetrics; oracleOnInferredContext: PolicyMetrics };
  /** (learned − rules) / (oracle − rules) on the held-out tasks. */
  gapClosed: number;
  /** (oracleOnInferredContext − rules) / (oracle − rules): the share of the gap a policy of the inferred kind alone can close. */
  gapClosedOnInferredContext: number;
  /** Paired learned − rules on the held-out tasks, with its 95 % CI. */
  learnedMinusRules: { mean: number; ci: [number, number] };
  /**
   * The model serving at the end, as its own logs value it: learned − rules re-estimated on the ab_test and
   * production logs recorded since its deployment (`LearningManager.revalueDeployed`, the gate's doubly robust
   * estimate at 95 %), beside `learnedMinusRules` as the held-out tasks measure it. Unlike the look that deployed it
   * (`ope[]`), which passed and so reads high, none of these logs chose it. Null when nothing is deployed or fewer than
   * 100 logs were recorded since.
   */
  deployedRevalued: { version: string; value: number; ci: [number, number]; logs: number } | null;
  /** Cost per session of the learned policy relative to the rules (0.3 = 30 % cheaper). */
  costReduction: number;
  ope: OpeRound[];
  learningCurve: LearningCurvePoint[];
  /**
   * The cost–quality knob of the policy that serves at the end (the deployed model, else the rules: `policies.learned`'s
   * policy), on the held-out tasks: one point per weight of `demoCostWeights`, decisions made with `costWeight` and
   * nothing retrained. The point at weight 1 is `policies.learned`.
   */
  costQualityCurve: CostQualityPoint[];
  /**
   * The knob of each policy on the same tasks: the rules, and the learned policy (the deployed model, else the last
   * trained candidate even though the gate refused it; null before any training). `monotone`: cost per session never
   * rises with the weight.
   */
  costQualityCurves: {
    served: 'rules' | 'learned';
    rules: { points: CostQualityPoint[]; monotone: boolean };
    learned: { model: string; deployed: boolean; points: CostQualityPoint[]; monotone: boolean } | null;
  };
  phases: {
    shadow: { sessions: number; meanReward: number };
    abTest: { sessions: number; learnedSessions: number; rampEvents: string[]; meanReward: number };
    production: { sessions: number; meanReward: number };
    /**
     * Every session of the run, whatever served it (the rules exploring, a candidate, the deployed model): what the
     * users got while the system learned, with its 95 % interval.
     */
    served: { sessions: number; meanReward: number; ci: [number, number] };
    trainings: number;
    finalMode: LearningMode;
    finalModel: string | null;
    fallbacks: Record<string, number>;
  };
  goals: {
    beatsRulesWithCI: boolean;
    gapClosedAtLeast70Percent: boolean;
    cost30PercentLowerAtEqualOrBetterSuccess: boolean;
  };
  settings: { exploration: number; candidateShare: number; adaptiveExploration: boolean; gateErrorBudget: 'candidate' | 'run'; explorationDesign: { share: number; switchProbability: number }; shadowSessions: number; retrainEvery: number; relookEvery: number; relookLogs: number; sessionsPerStep: number; abTestSessionsBeforeProduction: number; guardrails: { maxRewardDrop: number; maxErrorRateIncrease: number; maxCostRatio: number; standardErrors: number }; trainer: Record<string, unknown>; learnedSelection: 'argmax' | 'sample'; learnedExploration: number | null; oracle: typeof demoOracleEffort & { kinds: number; inWorker: boolean; cpuMs: number; onInferredContext: InferredContextOracleEffort & { kinds: number; sessions: number; cpuMs: number } } };
  /** `costQualityMs`: the cost–quality curves (every policy re-deciding and re-playing the held-out tasks per weight). */
  timings: { totalMs: number; trainingMs: number; oracleWaitMs: number; costQualityMs: number; cpuMs: number };
  /**
   * Online drift detection: whether it ran, the world's scheduled changes, what was detected (session index, what,
   * the response) and the realised reward per window of sessions (the dip after a change and the recovery).
   */
  drift: {
    enabled: boolean;
    changes: Array<{ atSession: number; description: string | null }>;
    events: Array<{ session: number; subject: string; metric: string; direction: 'up' | 'down'; degraded: boolean; baseline: number; changed: number; response: string }>;
    /** Sessions at which the demo retrained early because drift detection found a change for the worse. */
    retrainingsAfterDrift: number[];
    windows: Array<{ from: number; to: number; meanReward: number; successRate: number; modes: string[] }>;
  };
}

/**
 * What the report shows beyond the data dir (whose state file says what is deployed): the held-out comparison, every
 * gate verdict, the timeline of the whole run (the state file keeps only the last events), the held-out curve.
 */
export function reportExtrasOf(summary: DemoSummary, timeline: readonly TimelineEvent[], gateReasons: ReadonlyMap<string, string | null>, learnedDeployed: boolean): ReportExtrasInput {
  const policy = (name: string, metrics: PolicyMetrics) => ({ name, meanReward: metrics.meanReward, ci: metrics.meanRewardCI, successRate: metrics.successRate, costPerSession: metrics.costPerSession });
  const estimate = (entry: OpeEstimate | null) => (entry === null ? null : { value: entry.value, ci: entry.ci, effectiveSampleSize: entry.effectiveSampleSize });
  const gates: GateVerdict[] = summary.ope.map((round) => ({
    model: round.model,
    sessionsSeen: round.sessionsSeen,
    estimator: round.estimator,
    learned: estimate(round.learned),
    rules: estimate(round.rules),
    against: round.baseline,
    difference: round.difference,
    verdict: round.deployed ? 'passed' : round.difference === null ? 'not-evaluated' : 'refused',
    reason: round.error ?? gateReasons.get(round.model) ?? null,
    deployed: round.deployed,
  }));
  return {
    heldOut: {
      description: `${summary.evaluationTasks} fresh held-out tasks, the same for every policy (world ${summary.world} as it ends)`,
      // Without a deployed model the rules serve the "learned" arm: no learned row, no difference (it would read 0 ± 0).
      policies: [policy('rules', summary.policies.rules), ...(learnedDeployed ? [policy('learned', summary.policies.learned)] : []), policy('oracle', summary.policies.oracle), policy('oracle on inferred context', summary.policies.oracleOnInferredContext)],
      ...(learnedDeployed ? { difference: { mean: summary.learnedMinusRules.mean, ci: summary.learnedMinusRules.ci } } : {}),
      measured: true,
    },
    gates,
    events: [...timeline],
    heldOutCurve: summary.learningCurve,
    // The knob's curve of the policy that serves at the end (the rules while nothing is deployed).
    costWeightCurve: summary.costQualityCurve.map(({ costWeight, successRate, costPerSession }) => ({ costWeight, successRate, costPerSession })),
    costWeightCurvePolicy: learnedDeployed ? 'learned' : 'rules',
  };
}

/** `value` rounded to `digits` decimals (the summary's figures). */
export function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** What every session of the run was served, over the phases (shadow, A/B, production) together. */
export function servedRewardOf(phaseRewards: { readonly shadow: readonly number[]; readonly ab_test: readonly number[]; readonly production: readonly number[] }): DemoSummary['phases']['served'] {
  const all = [...phaseRewards.shadow, ...phaseRewards.ab_test, ...phaseRewards.production];
  const { mean, interval } = meanWithInterval(all);
  return { sessions: all.length, meanReward: round(mean), ci: [round(interval[0]), round(interval[1])] };
}

/** Realised mean reward, success rate and modes per window of consecutive sessions. */
export function rewardWindows(rewards: readonly number[], successes: readonly boolean[], modes: readonly string[], size: number): DemoSummary['drift']['windows'] {
  const windows: DemoSummary['drift']['windows'] = [];
  for (let from = 0; from < rewards.length; from += size) {
    const to = Math.min(rewards.length, from + size);
    const slice = rewards.slice(from, to);
    windows.push({
      from,
      to,
      meanReward: round(slice.reduce((sum, value) => sum + value, 0) / slice.length),
      successRate: round(successes.slice(from, to).filter(Boolean).length / slice.length),
      modes: [...new Set(modes.slice(from, to))],
    });
  }
  return windows;
}

/**
 * The cost–quality knob on the held-out tasks, decisions made at each of `demoCostWeights` and nothing retrained: the
 * rules' curve (`rulesAt`), then the learned model's (`learned.at`) when there is one; `served` is the learned
 * policy when it is deployed, else the rules.
 */
export async function costQualityCurvesOf(
  rulesAt: (costWeight: number) => PolicyRun,
  learned: { model: string; deployed: boolean; at: (costWeight: number) => Promise<PolicyRun> } | null,
): Promise<DemoSummary['costQualityCurves']> {
  const pointOf = (costWeight: number, run: PolicyRun): CostQualityPoint => ({
    costWeight,
    successRate: run.metrics.successRate,
    costPerSession: run.metrics.costPerSession,
    meanReward: run.metrics.meanReward,
  });
  const monotone = (points: readonly CostQualityPoint[]) => points.every((point, index) => index === 0 || point.costPerSession <= points[index - 1]!.costPerSession);
  const rulesCurve = demoCostWeights.map((costWeight) => pointOf(costWeight, rulesAt(costWeight)));
  const learnedCurvePoints: CostQualityPoint[] = [];
  if (learned !== null) {
    for (const costWeight of demoCostWeights) learnedCurvePoints.push(pointOf(costWeight, await learned.at(costWeight)));
  }
  return {
    served: learned?.deployed === true ? 'learned' : 'rules',
    rules: { points: rulesCurve, monotone: monotone(rulesCurve) },
    learned: learned === null ? null : { model: learned.model, deployed: learned.deployed, points: learnedCurvePoints, monotone: monotone(learnedCurvePoints) },
  };
}

/**
 * The held-out figures of the four policies' runs on the same tasks: the share of the rules-to-oracle gap the learned
 * policy (and the oracle on inferred context) closes, learned − rules paired, the cost reduction, and the learning
 * curve (the rules and the oracle on the first `curveCount` tasks, the learned policy after every training in `curve`).
 */
export function heldOutFigures(
  runs: { rules: PolicyRun; learned: PolicyRun; oracle: PolicyRun; oracleOnInferredContext: PolicyRun },
  curve: ReadonlyArray<{ sessionsSeen: number; learned: PolicyRun }>,
  curveCount: number,
  total: number,
): { gapClosed: number; gapClosedOnInferredContext: number; difference: { mean: number; interval: [number, number] }; costReduction: number; learningCurve: LearningCurvePoint[] } {
  const { rules: rulesRun, learned: learnedRun, oracle: oracleRun, oracleOnInferredContext: inferredOracleRun } = runs;
  const gap = oracleRun.metrics.meanReward - rulesRun.metrics.meanReward;
  const gapClosed = gap === 0 ? 0 : (learnedRun.metrics.meanReward - rulesRun.metrics.meanReward) / gap;
  const gapClosedOnInferredContext = gap === 0 ? 0 : (inferredOracleRun.metrics.meanReward - rulesRun.metrics.meanReward) / gap;
  const difference = pairedDifference(learnedRun.rewards, rulesRun.rewards);
  const costReduction = rulesRun.metrics.costPerSession === 0 ? 0 : 1 - learnedRun.metrics.costPerSession / rulesRun.metrics.costPerSession;

  // Learning curve: the rules and the oracle on the curve tasks (constant policies), the learned policy after every training.
  const meanOf = (values: number[]) => meanWithInterval(values.slice(0, curveCount)).mean;
  const learningCurve: LearningCurvePoint[] = [
    { sessionsSeen: 0, rules: meanOf(rulesRun.rewards), learned: meanOf(rulesRun.rewards), oracle: meanOf(oracleRun.rewards) },
    ...curve.map((point) => ({ sessionsSeen: point.sessionsSeen, rules: meanOf(rulesRun.rewards), learned: point.learned.metrics.meanReward, oracle: meanOf(oracleRun.rewards) })),
    { sessionsSeen: total, rules: meanOf(rulesRun.rewards), learned: meanOf(learnedRun.rewards), oracle: meanOf(oracleRun.rewards) },
  ];
  return { gapClosed, gapClosedOnInferredContext, difference, costReduction, learningCurve };
}
