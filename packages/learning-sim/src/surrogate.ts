import { timeoutMultiplierBins } from '@orchestra/learning-features';
import { defaultRewardConfig, matchesModel, type RewardConfig } from '@orchestra/learning-reward';
import {
  approaches,
  retryStrategies,
  safetyLevels,
  type Approach,
  type SafetyLevel,
  type TaskContext,
} from '@orchestra/learning-types';
import { TEAM_COUNT, teamHas, type ActionChoice } from './action-grid';
import {
  ARCHITECT,
  AUDITOR,
  CONSULTANT,
  DOUBLE,
  EXECUTOR,
  FIX,
  KindModel,
  SCENARIOS,
  emptyStats,
  expectedReview,
  inputWeights,
  satisfactionOfPoisson,
  workWeights,
  type ReviewResult,
  type Setup,
  type Steps,
  type StepStats,
  type VariantTotals,
} from './expected-steps';
import { DirectScores, TopActions, type ScreenedAction } from './top-actions';
import { indexWorld, sigmoid } from './world-index';
import {
  adviceGain,
  breadthPenalty,
  coordinationFactor,
  correctEditsMean,
  estimatedMs,
  extraAgentsLogit,
  integrationFailureProbability,
  phaseFactor,
  resourceEfficiency,
  strictPenalty,
  testedWithoutReview,
  violationProbability,
} from './world-mechanics';
import type { Effects, World, WorldModel } from './world-schema';

/*
 * A closed-form approximation of the expected reward of every action, used by the oracle to rank the whole action
 * space before the best candidates are measured with real rollouts. It follows the session player's mechanics with
 * expectations instead of draws: attempt chains are summed exactly per model; the hidden work and prompt sizes are
 * integrated by Gauss–Hermite quadrature; steps are treated as independent. It is only a ranking aid: the oracle's
 * reported values always come from simulated sessions scored by the reward package.
 */

/**
 * The screening of one task: the reward weights and per-model facts read once, the step table, the scratch arrays
 * the hot loop reuses, and the best actions so far. `run` walks the action space head by head.
 */
class Screening {
  readonly top: TopActions;
  private readonly effects: Effects;
  private readonly models: readonly WorldModel[];
  private readonly modelCount: number;
  private readonly kind: KindModel;
  private readonly weights: RewardConfig['experience'];
  private readonly costWeights: RewardConfig['cost'];
  private readonly caps: RewardConfig['caps'];
  private readonly cheap: number[];
  private readonly expensive: number[];
  private readonly executorLogits: number[];
  private readonly estimatedMs: number;
  private readonly tested: boolean;
  private readonly scenarioWeights: number[];
  private readonly strictTypePenalty: number;
  private readonly satisfactionFailed: number;
  private readonly satisfactionWrong: number;
  private readonly noStats: StepStats;
  private readonly directScores: DirectScores;
  private readonly integration = new Float64Array(2);
  private readonly attempts: Float64Array;
  private readonly successes: Float64Array;
  private readonly fixedCost = new Float64Array(SCENARIOS);
  private readonly fixedDuration = new Float64Array(SCENARIOS);
  private readonly baseScratch = { errors: DOUBLE, rotations: DOUBLE, noErrors: DOUBLE };
  private readonly reviews: ReviewResult[] = [0, 1].map(() => ({ deliveredCorrect: DOUBLE, deliveredWrong: DOUBLE, auditCalls: DOUBLE, fixCalls: DOUBLE }));
  private readonly variantTotals: VariantTotals[] = [0, 1].map(() => ({
    partial: DOUBLE,
    plainDuration: new Float64Array(SCENARIOS),
    phasedDuration: new Float64Array(SCENARIOS),
  }));
  private readonly choice: ActionChoice = { approach: 0, parallelism: 1, timeout: 0, retry: 0, safety: 0, team: 0, architect: 0, executor: 0, auditor: 0, consultant: 0 };

  constructor(
    private readonly world: World,
    private readonly context: TaskContext,
    options: { load?: number; rewardConfig?: RewardConfig; keep?: number },
  ) {
    const config = options.rewardConfig ?? defaultRewardConfig;
    const index = indexWorld(world);
    this.effects = world.effects;
    this.models = index.models;
    this.modelCount = index.models.length;
    this.top = new TopActions(Math.max(1, options.keep ?? 32), this.modelCount);
    this.kind = new KindModel(world, context, options.load);
    this.weights = config.experience;
    this.costWeights = config.cost;
    this.caps = config.caps;
    this.cheap = this.models.map((model) => (matchesModel(model.id, config.cheapModelPatterns) ? 1 : 0));
    this.expensive = this.models.map((model) => (matchesModel(model.id, config.expensiveModelPatterns) ? 1 : 0));
    this.executorLogits = this.models.map((_, position) => index.executorLogit(position, context.complexity, context.taskType));
    this.estimatedMs = estimatedMs(context);
    this.tested = testedWithoutReview(this.effects, context);
    this.scenarioWeights = inputWeights.flatMap((inputWeight) => workWeights.map((workWeight) => inputWeight * workWeight));
    this.strictTypePenalty = strictPenalty(this.effects, context, 'strict');
    this.satisfactionFailed = satisfactionOfPoisson(this.effects.userEdits.failed);
    this.satisfactionWrong = satisfactionOfPoisson(this.effects.userEdits.wrong);
    this.noStats = emptyStats(this.modelCount);
    this.directScores = new DirectScores(this.modelCount);
    this.attempts = new Float64Array(this.modelCount);
    this.successes = new Float64Array(this.modelCount);
  }

  /** Scores every action: team, then the role models the team uses, then the approach. */
  run(): void {
    const { choice, modelCount } = this;
    for (let team = 0; team < TEAM_COUNT; team += 1) {
      choice.team = team;
      const teamArchitect = teamHas(team, 'architect');
      const teamAuditor = teamHas(team, 'auditor');
      const teamConsultant = teamHas(team, 'consultant');
      for (let executorModel = 0; executorModel < modelCount; executorModel += 1) {
        choice.executor = executorModel;
        for (let architectModel = 0; architectModel < (teamArchitect ? modelCount : 1); architectModel += 1) {
          choice.architect = teamArchitect ? architectModel : executorModel;
          for (let auditorModel = 0; auditorModel < (teamAuditor ? modelCount : 1); auditorModel += 1) {
            choice.auditor = teamAuditor ? auditorModel : executorModel;
            for (let consultantModel = 0; consultantModel < (teamConsultant ? modelCount : 1); consultantModel += 1) {
              choice.consultant = teamConsultant ? consultantModel : executorModel;
              for (let approachIndex = 0; approachIndex < approaches.length; approachIndex += 1) {
                choice.approach = approachIndex;
                const approach = approaches[approachIndex] as Approach;
                // A direct session ignores the team: same score as the empty team.
                if (approach === 'direct' && team !== 0) this.directScores.offerAll(this.top, choice);
                else this.scoreApproach(approach, teamArchitect, teamAuditor, teamConsultant);
              }
            }
          }
        }
      }
    }
  }

  /** Scores the current team and models under `approach`, for every worker count, timeout and retry strategy. */
  private scoreApproach(approach: Approach, teamArchitect: boolean, teamAuditor: boolean, teamConsultant: boolean): void {
    const { choice, effects, context, models, world } = this;
    const direct = approach === 'direct';
    const hasArchitect = !direct && teamArchitect;
    const hasConsultant = !direct && teamConsultant;
    const hasAuditor = !direct && teamAuditor;
    const setup: Setup = {
      approach,
      hasArchitect,
      hasConsultant,
      hasAuditor,
      architectGain: hasArchitect ? adviceGain(effects.architectGain, context, models[choice.architect] as WorldModel) : 0,
      consultantGain: hasConsultant ? adviceGain(effects.consultantGain, context, models[choice.consultant] as WorldModel) : 0,
      review: hasAuditor ? (models[choice.auditor] as WorldModel).review : 0,
      rounds: effects.fixRounds[approach] as number,
      teamLogit: direct ? 0 : extraAgentsLogit(effects, context, (teamArchitect ? 1 : 0) + (teamAuditor ? 1 : 0) + (teamConsultant ? 1 : 0)),
    };
    const split = approach === 'parallel' || approach === 'coordinated';
    for (let workers = 1; workers <= (split ? 4 : 1); workers += 1) {
      choice.parallelism = workers;
      this.integration[0] = integrationFailureProbability(world, context, workers, coordinationFactor(effects, approach, false));
      this.integration[1] = integrationFailureProbability(world, context, workers, coordinationFactor(effects, approach, true));
      for (let timeout = 0; timeout < timeoutMultiplierBins.length; timeout += 1) {
        choice.timeout = timeout;
        for (let retry = 0; retry < retryStrategies.length; retry += 1) {
          choice.retry = retry;
          this.scoreSetting(setup, this.steps(setup, workers, timeout, retry));
        }
      }
    }
  }

  /** The expected steps of the current models under one setting. */
  private steps(setup: Setup, workers: number, timeout: number, retry: number): Steps {
    const { kind, choice } = this;
    const architect = setup.hasArchitect ? kind.step(ARCHITECT, choice.architect, timeout, retry) : undefined;
    const consultant = setup.hasConsultant ? kind.step(CONSULTANT, choice.consultant, timeout, retry) : undefined;
    const executor = kind.step(EXECUTOR + workers - 1, choice.executor, timeout, retry);
    const auditor = setup.hasAuditor ? kind.step(AUDITOR, choice.auditor, timeout, retry) : undefined;
    const fix = setup.hasAuditor ? kind.step(FIX, choice.executor, timeout, retry) : undefined;
    const planned = architect?.ok ?? 0;
    return { workers, architect, consultant, executor, auditor, fix, planned, executorOk: executor.ok ** workers, audited: auditor?.ok ?? 0 };
  }

  /** Scores one setting for every safety level (the correctness and totals computed once per strict-penalty variant). */
  private scoreSetting(setup: Setup, steps: Steps): void {
    const variants = this.strictTypePenalty > 0 ? 2 : 1;
    for (let variant = 0; variant < variants; variant += 1) this.expectReview(setup, steps, variant);
    this.baseTotals(steps);
    for (let variant = 0; variant < variants; variant += 1) this.totalsAfterReview(steps, variant);
    this.scoreSafetyLevels(setup, steps);
  }

  /** Correctness, then the review loop, for strict-penalty variant `variant` (0: none; 1: the task type's). */
  private expectReview(setup: Setup, steps: Steps, variant: number): void {
    const { executor, auditor, fix, planned } = steps;
    const consulted = steps.consultant?.ok ?? 0;
    const { architectGain, consultantGain } = setup;
    const integrationFailure = planned * (this.integration[1] as number) + (1 - planned) * (this.integration[0] as number);
    const base = -breadthPenalty(this.effects, this.context, steps.workers) - (variant === 1 ? this.strictTypePenalty : 0) + setup.teamLogit;
    let correct = 0;
    if (executor.ok > 1e-12) {
      for (let model = 0; model < this.modelCount; model += 1) {
        const share = (executor.finalModel[model] as number) / executor.ok;
        if (share < 1e-9) continue;
        const value = base + (this.executorLogits[model] as number);
        const mixed =
          planned * consulted * sigmoid(value + architectGain + consultantGain) +
          planned * (1 - consulted) * sigmoid(value + architectGain) +
          (1 - planned) * consulted * sigmoid(value + consultantGain) +
          (1 - planned) * (1 - consulted) * sigmoid(value);
        correct += share * mixed;
      }
    }
    correct *= 1 - integrationFailure;
    const result = this.reviews[variant] as ReviewResult;
    if (auditor !== undefined && fix !== undefined) {
      const meanGain = planned * architectGain + consulted * consultantGain;
      const fixCorrect = sigmoid(base + meanGain + this.effects.fixGain + (this.executorLogits[this.choice.executor] as number));
      expectedReview(correct, fixCorrect, auditor.ok, setup.review, fix.ok, setup.rounds, result);
    } else {
      result.deliveredCorrect = correct;
      result.deliveredWrong = 1 - correct;
      result.auditCalls = 0;
      result.fixCalls = 0;
    }
  }

  /** Safety-independent totals of the planning steps and the executor workers (into the scratch arrays). */
  private baseTotals(steps: Steps): void {
    const { attempts, successes, noStats } = this;
    const { executor, workers } = steps;
    const planning = steps.architect ?? noStats;
    const advice = steps.consultant ?? noStats;
    attempts.fill(0);
    successes.fill(0);
    const totals = this.baseScratch;
    totals.errors = 0;
    totals.rotations = 0;
    totals.noErrors = 1;
    for (let part = 0; part < 3; part += 1) {
      const stats = part === 0 ? planning : part === 1 ? advice : executor;
      const times = part === 2 ? workers : stats === noStats ? 0 : 1;
      if (times === 0) continue;
      for (let model = 0; model < this.modelCount; model += 1) {
        attempts[model] = (attempts[model] as number) + times * (stats.attempts[model] as number);
        successes[model] = (successes[model] as number) + times * (stats.finalModel[model] as number);
      }
      totals.errors += times * stats.errors;
      totals.rotations += times * stats.rotations;
      totals.noErrors *= stats.noErrors ** times;
    }
    for (let scenario = 0; scenario < SCENARIOS; scenario += 1) {
      this.fixedCost[scenario] = (executor.cost[scenario] as number) * workers + (planning.cost[scenario] as number) + (advice.cost[scenario] as number);
      this.fixedDuration[scenario] = (planning.duration[scenario] as number) + (advice.duration[scenario] as number);
    }
  }

  /** Totals after the review loop for strict-penalty variant `variant`; only the time depends on the safety level. */
  private totalsAfterReview(steps: Steps, variant: number): void {
    const { auditor, fix, executor, executorOk } = steps;
    const { weights, costWeights, caps } = this;
    const result = this.reviews[variant] as ReviewResult;
    const totals = this.variantTotals[variant] as VariantTotals;
    const auditTimes = executorOk * result.auditCalls;
    const fixTimes = executorOk * result.fixCalls;
    let { errors, rotations, noErrors } = this.baseScratch;
    let cheapSuccesses = 0;
    let expensiveUses = 0;
    for (let model = 0; model < this.modelCount; model += 1) {
      let modelAttempts = this.attempts[model] as number;
      let modelSuccesses = this.successes[model] as number;
      if (auditor !== undefined && fix !== undefined) {
        modelAttempts += auditTimes * (auditor.attempts[model] as number) + fixTimes * (fix.attempts[model] as number);
        modelSuccesses += auditTimes * (auditor.finalModel[model] as number) + fixTimes * (fix.finalModel[model] as number);
      }
      cheapSuccesses += (this.cheap[model] as number) * modelSuccesses;
      expensiveUses += (this.expensive[model] as number) * modelAttempts;
    }
    if (auditor !== undefined && fix !== undefined) {
      errors += auditTimes * auditor.errors + fixTimes * fix.errors;
      rotations += auditTimes * auditor.rotations + fixTimes * fix.rotations;
      noErrors *= auditor.noErrors ** auditTimes * fix.noErrors ** fixTimes;
    }
    let efficiency = 0;
    let sessionCost = 0;
    const maxFactor = 1 + 0.3 * (1 - 1 / steps.workers);
    for (let scenario = 0; scenario < SCENARIOS; scenario += 1) {
      const weight = this.scenarioWeights[scenario] as number;
      let cost = this.fixedCost[scenario] as number;
      let plain = this.fixedDuration[scenario] as number;
      let phased = (executor.duration[scenario] as number) * maxFactor;
      if (auditor !== undefined && fix !== undefined) {
        cost += auditTimes * (auditor.cost[scenario] as number) + fixTimes * (fix.cost[scenario] as number);
        plain += auditTimes * (auditor.duration[scenario] as number);
        phased += fixTimes * (fix.duration[scenario] as number);
      }
      totals.plainDuration[scenario] = plain;
      totals.phasedDuration[scenario] = phased;
      efficiency += weight * resourceEfficiency(this.effects, this.context, cost);
      sessionCost +=
        weight * (cost < costWeights.cheapSessionUsd ? costWeights.cheapSessionBonus : cost > costWeights.expensiveSessionUsd ? costWeights.expensiveSessionPenalty : 0);
    }
    totals.partial =
      efficiency * weights.resourceEfficiencyWeight +
      sessionCost +
      noErrors * weights.noErrorsBonus +
      errors * weights.errorPenalty +
      Math.min(cheapSuccesses, caps.cheapModelSuccesses) * costWeights.cheapModelSuccessBonus +
      Math.min(Math.max(0, expensiveUses - costWeights.expensiveModelFreeUses), caps.expensiveModelOveruses) * costWeights.expensiveModelOverusePenalty +
      rotations * costWeights.fallbackRotationPenalty;
  }

  /** The final score of the setting at every safety level, offered to the top list. */
  private scoreSafetyLevels(setup: Setup, steps: Steps): void {
    const { effects, context, weights, choice } = this;
    const { executorOk, audited, planned, workers } = steps;
    const userEdits = effects.userEdits;
    const carelessness = (this.models[choice.executor] as WorldModel).carelessness;
    const reviewSafety = 1 - executorOk * audited * (1 - effects.safety.auditorFactor);
    const reviewEdits = setup.hasAuditor ? audited * userEdits.auditorFactor + (1 - audited) : 1;
    const planEdits = setup.hasArchitect ? planned * userEdits.architectFactor + (1 - planned) : 1;
    const satisfactionCorrect = satisfactionOfPoisson(correctEditsMean(effects, context, reviewEdits, planEdits));
    for (let safety = 0; safety < safetyLevels.length; safety += 1) {
      choice.safety = safety;
      const level = safetyLevels[safety] as SafetyLevel;
      const variant = strictPenalty(effects, context, level) > 0 ? 1 : 0;
      const result = this.reviews[variant] as ReviewResult;
      const totals = this.variantTotals[variant] as VariantTotals;
      const phase = phaseFactor(effects, level, setup.approach);
      let timeEfficiency = 0;
      for (let scenario = 0; scenario < SCENARIOS; scenario += 1) {
        const duration = (totals.plainDuration[scenario] as number) + (totals.phasedDuration[scenario] as number) * phase;
        const ratio = duration <= 0 ? weights.timeEfficiencyCap : this.estimatedMs / duration;
        timeEfficiency += (this.scenarioWeights[scenario] as number) * (ratio < weights.timeEfficiencyCap ? ratio : weights.timeEfficiencyCap);
      }
      const success = executorOk * result.deliveredCorrect;
      const delivered = executorOk * (result.deliveredCorrect + result.deliveredWrong);
      const violation = Math.min(1, violationProbability(effects, context, level, carelessness, reviewSafety, workers));
      const testsPassed = executorOk * (this.tested ? 1 : audited) * (result.deliveredCorrect + result.deliveredWrong * effects.wrongPassesTests);
      const satisfaction =
        (1 - delivered) * this.satisfactionFailed + executorOk * result.deliveredWrong * this.satisfactionWrong + success * satisfactionCorrect;
      const score =
        totals.partial +
        success * weights.success +
        (1 - success) * weights.failure +
        timeEfficiency * weights.timeEfficiencyWeight +
        satisfaction * weights.userSatisfactionWeight +
        (1 - violation) * weights.safetyAdherenceBonus +
        violation * weights.safetyViolationPenalty +
        testsPassed * weights.testsPassedBonus;
      if (setup.approach === 'direct') this.directScores.record(choice, score);
      this.top.offer(score, choice);
    }
  }

}

/**
 * Scores every action of the discrete space for one task with the closed-form approximation and returns the `keep`
 * best, best first. Work that does not depend on a head is hoisted out of that head's loop, and `direct` actions
 * (which ignore the team) are scored once per executor setting.
 */
export function screenActions(
  world: World,
  context: TaskContext,
  options: { load?: number; rewardConfig?: RewardConfig; keep?: number } = {},
): ScreenedAction[] {
  const screening = new Screening(world, context, options);
  screening.run();
  return screening.top.best();
}

