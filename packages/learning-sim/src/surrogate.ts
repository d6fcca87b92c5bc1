/*
 * Longer than 400 lines, for now: `screenActions` (≈ 320 lines) is the session player's mechanics in expectation.
 * Splitting it before it shares one world-mechanics module with session-player.ts (issue #23) would copy those
 * mechanics a third time; that module is the way to shorten both.
 */
import { timeoutMultiplierBins } from '@orchestra/learning-features';
import { defaultRewardConfig, matchesModel, type RewardConfig } from '@orchestra/learning-reward';
import { approaches, retryStrategies, safetyLevels, type RetryStrategy, type TaskContext } from '@orchestra/learning-types';
import { teamHas, type ActionChoice } from './action-grid';
import { integrationFailureProbability, rateLimitProbability } from './session-player';
import { indexWorld, sigmoid, type WorldIndex } from './world-index';
import type { World, WorldModel } from './world-schema';

/*
 * A closed-form approximation of the expected reward of every action, used by the oracle to rank the whole action
 * space before the best candidates are measured with real rollouts. It follows the session player's mechanics with
 * expectations instead of draws: attempt chains are summed exactly per model; the hidden work and prompt sizes are
 * integrated by Gauss–Hermite quadrature; steps are treated as independent. It is only a ranking aid: the oracle's
 * reported values always come from simulated sessions scored by the reward package.
 */

// Probabilists' Gauss–Hermite nodes and weights for the prompt size (5 points) and the work size (3 points).
const inputNodes = [0, -1.3556261799742659, 1.3556261799742659, -2.8569700138728056, 2.8569700138728056];
const inputWeights = [0.5333333333333333, 0.2220759220056126, 0.2220759220056126, 0.011257411327720693, 0.011257411327720693];
const workNodes = [-Math.sqrt(3), 0, Math.sqrt(3)];
const workWeights = [1 / 6, 2 / 3, 1 / 6];
const SCENARIOS = inputNodes.length * workNodes.length;

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf; error < 1.5e-7). */
function normalCdf(value: number): number {
  const x = Math.abs(value) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return value >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Expected totals of one agent step (averaged over loads; cost and duration kept per size scenario). */
interface StepStats {
  ok: number;
  /** P(step ok and its last attempt ran on model j). */
  finalModel: Float64Array;
  attempts: Float64Array;
  errors: number;
  noErrors: number;
  rotations: number;
  cost: Float64Array;
  duration: Float64Array;
}

// Fields that will hold fractions start as a non-integer double (then reset), so V8 gives them a double
// representation from the start instead of deoptimising the hot loop when the first fraction is stored.
const DOUBLE = 0.5;

function emptyStats(modelCount: number): StepStats {
  const stats: StepStats = {
    ok: DOUBLE,
    finalModel: new Float64Array(modelCount),
    attempts: new Float64Array(modelCount),
    errors: DOUBLE,
    noErrors: DOUBLE,
    rotations: DOUBLE,
    cost: new Float64Array(SCENARIOS),
    duration: new Float64Array(SCENARIOS),
  };
  stats.ok = 0;
  stats.errors = 0;
  stats.noErrors = 0;
  stats.rotations = 0;
  return stats;
}

/** Step kinds: who runs it and what share of the work it is. Executors with p workers are kinds 4..7. */
const ARCHITECT = 0;
const CONSULTANT = 1;
const AUDITOR = 2;
const FIX = 3;
const EXECUTOR = 4;

/** Per-task precomputation: the step table and what every action combination needs. */
class KindModel {
  private readonly steps = new Map<number, StepStats>();
  private readonly index: WorldIndex;
  private readonly loads: number[];
  private readonly inputBase: number;
  private readonly nominalOutput: number;
  private readonly estimatedMs: number;

  constructor(
    readonly world: World,
    readonly context: TaskContext,
    load: number | undefined,
  ) {
    this.index = indexWorld(world);
    const system = world.system;
    this.loads =
      load !== undefined
        ? [load]
        : [1 / 6, 3 / 6, 5 / 6].map((share) => system.loadMin + share * (system.loadMax - system.loadMin));
    this.inputBase = (world.effects.inputTokens[context.complexity] as number) * (1 + world.effects.inputPerExtraDomain * (context.domains.length - 1));
    this.nominalOutput = context.estimatedTimeMinutes * world.effects.outputTokensPerEstimatedMinute;
    this.estimatedMs = context.estimatedTimeMinutes * 60_000;
  }

  /** Expected totals of step `kind` on `model` with timeout bin `timeout` and retry strategy `retry` (memoised). */
  step(kind: number, model: number, timeout: number, retry: number): StepStats {
    const key = ((kind * this.index.models.length + model) * 8 + timeout) * 4 + retry;
    let stats = this.steps.get(key);
    if (stats !== undefined) return stats;
    stats = this.computeStep(kind, model, timeout, retry);
    this.steps.set(key, stats);
    return stats;
  }

  private computeStep(kind: number, firstModel: number, timeout: number, retryIndex: number): StepStats {
    const effects = this.world.effects;
    const roleTokens = effects.roleTokens;
    const models = this.index.models;
    const stats = emptyStats(models.length);
    const multiplier = timeoutMultiplierBins[timeout] as number;
    const strategy = retryStrategies[retryIndex] as RetryStrategy;
    const workers = kind >= EXECUTOR ? kind - EXECUTOR + 1 : 1;
    const inputShare = kind === ARCHITECT ? roleTokens.architect.input : kind === CONSULTANT ? roleTokens.consultant.input : kind === AUDITOR ? roleTokens.auditor.input : kind === FIX ? roleTokens.fix.input : 0.3 + 0.7 / workers;
    const workerShare = (1 + effects.parallelOverhead * (workers - 1)) / workers;
    const outputShare = kind === ARCHITECT ? roleTokens.architect.output : kind === CONSULTANT ? roleTokens.consultant.output : kind === AUDITOR ? roleTokens.auditor.output : kind === FIX ? roleTokens.fix.output : workerShare;
    const budget = multiplier * effects.timeoutCalibration * this.estimatedMs * outputShare;
    const loadShift = kind >= EXECUTOR ? effects.loadPerParallelCall * (workers - 1) : 0;
    const retries = effects.retries;
    const loadWeight = 1 / this.loads.length;

    let scenario = 0;
    for (let inputNode = 0; inputNode < inputNodes.length; inputNode += 1) {
      const prompt = this.inputBase * Math.exp(effects.inputTokensSigma * (inputNodes[inputNode] as number));
      for (let workNode = 0; workNode < workNodes.length; workNode += 1, scenario += 1) {
        const weight = (inputWeights[inputNode] as number) * (workWeights[workNode] as number);
        const output = this.nominalOutput * Math.exp(effects.workSigma * (workNodes[workNode] as number)) * (1 + effects.timeoutTokenSlope * (multiplier - 1));
        const inputTokens = kind === AUDITOR ? prompt * inputShare + output : prompt * inputShare;
        const outputTokens = output * outputShare;
        for (const baseLoad of this.loads) {
          const load = baseLoad + loadShift;
          const mass = weight * loadWeight;
          // Walk the attempt chain: (model, retry number, rotations) with the probability of reaching it.
          const walk = (model: number, retry: number, rotations: number, reach: number, first: boolean): void => {
            const spec = models[model] as WorldModel;
            stats.attempts[model] = (stats.attempts[model] as number) + reach * mass;
            let pContext = 0;
            let pRate = 0;
            let pApi = 0;
            let pTimeout = 0;
            let pOk = 0;
            let latency = 0;
            let cost = 0;
            if (inputTokens > spec.contextLimitTokens) {
              pContext = 1;
              latency = 400;
            } else {
              pRate = rateLimitProbability(spec.rateLimit, load, retry, retries.rateLimitDecay);
              const rest = 1 - pRate;
              const median = spec.latency.baseMs + outputTokens * spec.latency.msPerOutputToken;
              const sigma = spec.latency.sigma;
              const standardised = sigma > 0 ? (Math.log(budget) - Math.log(median)) / sigma : budget >= median ? 1e9 : -1e9;
              const inTime = normalCdf(standardised);
              const clean = 1 - spec.apiErrorProbability - spec.hangProbability;
              pApi = rest * spec.apiErrorProbability;
              pTimeout = rest * (spec.hangProbability + clean * (1 - inTime));
              pOk = rest * clean * inTime;
              const meanInTime = inTime > 1e-12 ? (median * Math.exp((sigma * sigma) / 2) * normalCdf(standardised - sigma)) / inTime : budget;
              latency = pRate * 250 + pApi * Math.min(0.3 * median * Math.exp((sigma * sigma) / 2), budget) + pTimeout * budget + pOk * meanInTime;
              const inputCost = (inputTokens * spec.inputPricePer1kTokens) / 1000;
              const outputCost = (outputTokens * spec.outputPricePer1kTokens) / 1000;
              cost = (pApi + pTimeout + pOk) * inputCost + pOk * outputCost + pTimeout * outputCost * Math.min(1, budget / median) * 0.9;
            }
            stats.cost[scenario] = (stats.cost[scenario] as number) + reach * cost * loadWeight;
            stats.duration[scenario] = (stats.duration[scenario] as number) + reach * latency * loadWeight;
            stats.ok += reach * pOk * mass;
            stats.finalModel[model] = (stats.finalModel[model] as number) + reach * pOk * mass;
            const pError = 1 - pOk;
            stats.errors += reach * pError * mass;
            if (first) stats.noErrors += pOk * mass;
            if (strategy === 'retry_with_backoff' && retry < retries.maxRetries) {
              const retryable = pError - pContext;
              if (retryable > 1e-9) {
                stats.duration[scenario] = (stats.duration[scenario] as number) + reach * retryable * retries.backoffMs * 2 ** retry * loadWeight;
                walk(model, retry + 1, rotations, reach * retryable, false);
              }
            } else if (strategy === 'fallback' && rotations < retries.maxRotations && models.length > 1 && pError > 1e-9) {
              stats.rotations += reach * pError * mass;
              walk(this.index.fallbackNext[model] as number, 0, rotations + 1, reach * pError, false);
            }
          };
          walk(firstModel, 0, 0, 1, true);
        }
      }
    }
    return stats;
  }
}

/** Mean of f(λ) = E[1 / (1 + X)] for X ~ Poisson(λ). */
function satisfactionOfPoisson(mean: number): number {
  return mean < 1e-9 ? 1 : (1 - Math.exp(-mean)) / mean;
}

/** Per strict-penalty variant: the safety-independent part of the score and the two parts of the duration. */
interface VariantTotals {
  partial: number;
  plainDuration: Float64Array;
  phasedDuration: Float64Array;
}

/** Reusable result of the expected review loop. */
interface ReviewResult {
  deliveredCorrect: number;
  deliveredWrong: number;
  auditCalls: number;
  fixCalls: number;
}

/** The review loop in expectation: masses of correct / wrong results per round of audit and fix. */
function expectedReview(
  correct: number,
  fixCorrect: number,
  auditorOk: number,
  review: number,
  fixOk: number,
  rounds: number,
  into: ReviewResult,
): ReviewResult {
  into.deliveredCorrect = 0;
  into.deliveredWrong = 0;
  into.auditCalls = 0;
  into.fixCalls = 0;
  let massCorrect = correct;
  let massWrong = 1 - correct;
  let left = rounds;
  for (;;) {
    into.auditCalls += massCorrect + massWrong;
    into.deliveredCorrect += massCorrect;
    into.deliveredWrong += massWrong * (1 - auditorOk * review);
    const caught = massWrong * auditorOk * review;
    if (left === 0 || caught < 1e-9) break;
    left -= 1;
    into.fixCalls += caught;
    massCorrect = caught * fixOk * fixCorrect;
    massWrong = caught * fixOk * (1 - fixCorrect);
  }
  return into;
}

/** One screened action: its head indices and the closed-form estimate of its expected reward. */
export interface ScreenedAction {
  choice: ActionChoice;
  score: number;
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
  const keep = Math.max(1, options.keep ?? 32);
  const topScores = new Float64Array(keep).fill(-Infinity);
  const topCodes = new Float64Array(keep).fill(-1);
  let worstSlot = 0;
  let worstScore = -Infinity;
  const config = options.rewardConfig ?? defaultRewardConfig;
  const weights = config.experience;
  const costWeights = config.cost;
  const kind = new KindModel(world, context, options.load);
  const index = indexWorld(world);
  const effects = world.effects;
  const models = index.models;
  const modelCount = models.length;
  const cheap = models.map((model) => (matchesModel(model.id, config.cheapModelPatterns) ? 1 : 0));
  const expensive = models.map((model) => (matchesModel(model.id, config.expensiveModelPatterns) ? 1 : 0));
  const executorLogits = models.map((_, position) => index.executorLogit(position, context.complexity, context.taskType));
  const estimatedMs = context.estimatedTimeMinutes * 60_000;
  const budgetUsd = effects.budgetUsd[context.complexity] as number;
  const violationBase = (effects.safety.violationProbability[context.risk] as number) * (effects.safety.typeFactor[context.taskType] ?? 1);
  const tested = effects.testedTypes.includes(context.taskType);
  const scenarioWeights = inputWeights.flatMap((inputWeight) => workWeights.map((workWeight) => inputWeight * workWeight));
  const strictTypePenalty = effects.safety.strictPenalty[context.taskType] ?? 0;
  const safetyPenalty = safetyLevels.map((level) => (level === 'strict' ? strictTypePenalty : 0));
  const safetyTime = safetyLevels.map((level) => effects.safety.timeOverhead[level] as number);
  const safetyViolation = safetyLevels.map((level) => effects.safety.levelFactor[level] as number);
  const satisfactionFailed = satisfactionOfPoisson(effects.userEdits.failed);
  const satisfactionWrong = satisfactionOfPoisson(effects.userEdits.wrong);
  const timeCap = weights.timeEfficiencyCap;
  const auditorSafetyFactor = effects.safety.auditorFactor;
  const wrongPassesTests = effects.wrongPassesTests;
  const correctEditsBase = effects.userEdits.correct[context.complexity] as number;
  const editsAuditorFactor = effects.userEdits.auditorFactor;
  const editsArchitectFactor = effects.userEdits.architectFactor;
  const fixGain = effects.fixGain;
  const extraAgentLogit = effects.extraAgentLogit[context.complexity] as number;
  const cheapSessionUsd = costWeights.cheapSessionUsd;
  const cheapSessionBonus = costWeights.cheapSessionBonus;
  const expensiveSessionUsd = costWeights.expensiveSessionUsd;
  const expensiveSessionPenalty = costWeights.expensiveSessionPenalty;
  const cheapCap = config.caps.cheapModelSuccesses;
  const overuseCap = config.caps.expensiveModelOveruses;
  const freeUses = costWeights.expensiveModelFreeUses;
  const successWeight = weights.success;
  const failureWeight = weights.failure;
  const timeWeight = weights.timeEfficiencyWeight;
  const resourceWeight = weights.resourceEfficiencyWeight;
  const noErrorsBonus = weights.noErrorsBonus;
  const errorPenalty = weights.errorPenalty;
  const satisfactionWeight = weights.userSatisfactionWeight;
  const adherenceBonus = weights.safetyAdherenceBonus;
  const violationPenalty = weights.safetyViolationPenalty;
  const testsBonus = weights.testsPassedBonus;
  const cheapBonus = costWeights.cheapModelSuccessBonus;
  const overusePenalty = costWeights.expensiveModelOverusePenalty;
  const rotationPenalty = costWeights.fallbackRotationPenalty;
  const carelessness = models.map((model) => model.carelessness);
  const integration = new Float64Array(2);
  const noStats = emptyStats(modelCount);
  const timeoutCount = timeoutMultiplierBins.length;
  const retryCount = retryStrategies.length;
  const safetyCount = safetyLevels.length;
  // Scores of direct actions per (executor, timeout, retry, safety), filled with the empty team and reused.
  const directScores = new Float64Array(modelCount * timeoutCount * retryCount * safetyCount);
  const attempts = new Float64Array(modelCount);
  const successes = new Float64Array(modelCount);
  const fixedCost = new Float64Array(SCENARIOS);
  const fixedDuration = new Float64Array(SCENARIOS);
  const reviews = [0, 1].map(() => ({ deliveredCorrect: DOUBLE, deliveredWrong: DOUBLE, auditCalls: DOUBLE, fixCalls: DOUBLE }));
  const variantTotals: VariantTotals[] = [0, 1].map(() => ({ partial: DOUBLE, plainDuration: new Float64Array(SCENARIOS), phasedDuration: new Float64Array(SCENARIOS) }));
  const choice: ActionChoice = { approach: 0, parallelism: 1, timeout: 0, retry: 0, safety: 0, team: 0, architect: 0, executor: 0, auditor: 0, consultant: 0 };

  for (let team = 0; team < 8; team += 1) {
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
              const approach = approaches[approachIndex] as (typeof approaches)[number];
              const direct = approach === 'direct';
              const split = approach === 'parallel' || approach === 'coordinated';
              if (direct && team !== 0) {
                // A direct session ignores the team: same score as the empty team.
                choice.parallelism = 1;
                for (let timeout = 0; timeout < timeoutCount; timeout += 1) {
                  choice.timeout = timeout;
                  for (let retry = 0; retry < retryCount; retry += 1) {
                    choice.retry = retry;
                    for (let safety = 0; safety < safetyCount; safety += 1) {
                      choice.safety = safety;
                      const score = directScores[((executorModel * timeoutCount + timeout) * retryCount + retry) * safetyCount + safety] as number;
                      if (score > worstScore) {
                        topScores[worstSlot] = score;
                        topCodes[worstSlot] = encodeChoice(choice, modelCount);
                        worstSlot = slotOfMinimum(topScores);
                        worstScore = topScores[worstSlot] as number;
                      }
                    }
                  }
                }
                continue;
              }
              const hasArchitect = !direct && teamArchitect;
              const hasConsultant = !direct && teamConsultant;
              const hasAuditor = !direct && teamAuditor;
              const architectGain = hasArchitect ? (effects.architectGain[context.complexity] as number) * (models[architectModel] as WorldModel).planning : 0;
              const consultantGain = hasConsultant ? (effects.consultantGain[context.complexity] as number) * (models[consultantModel] as WorldModel).planning : 0;
              const review = hasAuditor ? (models[auditorModel] as WorldModel).review : 0;
              const rounds = effects.fixRounds[approach] as number;
              const teamLogit = direct ? 0 : extraAgentLogit * ((teamArchitect ? 1 : 0) + (teamAuditor ? 1 : 0) + (teamConsultant ? 1 : 0));
              for (let workers = 1; workers <= (split ? 4 : 1); workers += 1) {
                choice.parallelism = workers;
                const breadth = effects.breadthPenalty * Math.max(0, context.domains.length - workers);
                integration[0] = integrationFailureProbability(world, context, workers, approach === 'coordinated' ? effects.coordinationWithoutArchitect : 1);
                integration[1] = integrationFailureProbability(world, context, workers, approach === 'coordinated' ? effects.coordinationWithArchitect : 1);
                const maxFactor = 1 + 0.3 * (1 - 1 / workers);
                const coordinationTime = approach === 'coordinated' ? effects.coordinationTimeOverhead : 0;
                for (let timeout = 0; timeout < timeoutCount; timeout += 1) {
                  choice.timeout = timeout;
                  for (let retry = 0; retry < retryCount; retry += 1) {
                    choice.retry = retry;
                    const architect = hasArchitect ? kind.step(ARCHITECT, architectModel, timeout, retry) : undefined;
                    const consultant = hasConsultant ? kind.step(CONSULTANT, consultantModel, timeout, retry) : undefined;
                    const executor = kind.step(EXECUTOR + workers - 1, executorModel, timeout, retry);
                    const auditor = hasAuditor ? kind.step(AUDITOR, auditorModel, timeout, retry) : undefined;
                    const fix = hasAuditor ? kind.step(FIX, executorModel, timeout, retry) : undefined;
                    const planned = architect?.ok ?? 0;
                    const consulted = consultant?.ok ?? 0;
                    const executorOk = executor.ok ** workers;
                    const audited = auditor?.ok ?? 0;
                    const integrationFailure = planned * (integration[1] as number) + (1 - planned) * (integration[0] as number);
                    const meanGain = planned * architectGain + consulted * consultantGain;

                    // Correctness and the review loop for each distinct strict-safety penalty (0, and the type's).
                    const penalties = strictTypePenalty > 0 ? 2 : 1;
                    for (let variant = 0; variant < penalties; variant += 1) {
                      const base = -breadth - (variant === 1 ? strictTypePenalty : 0) + teamLogit;
                      let correct = 0;
                      if (executor.ok > 1e-12) {
                        for (let model = 0; model < modelCount; model += 1) {
                          const share = (executor.finalModel[model] as number) / executor.ok;
                          if (share < 1e-9) continue;
                          const value = base + (executorLogits[model] as number);
                          const mixed =
                            planned * consulted * sigmoid(value + architectGain + consultantGain) +
                            planned * (1 - consulted) * sigmoid(value + architectGain) +
                            (1 - planned) * consulted * sigmoid(value + consultantGain) +
                            (1 - planned) * (1 - consulted) * sigmoid(value);
                          correct += share * mixed;
                        }
                      }
                      correct *= 1 - integrationFailure;
                      const result = reviews[variant] as ReviewResult;
                      if (auditor !== undefined && fix !== undefined) {
                        const fixCorrect = sigmoid(base + meanGain + fixGain + (executorLogits[executorModel] as number));
                        expectedReview(correct, fixCorrect, auditor.ok, review, fix.ok, rounds, result);
                      } else {
                        result.deliveredCorrect = correct;
                        result.deliveredWrong = 1 - correct;
                        result.auditCalls = 0;
                        result.fixCalls = 0;
                      }
                    }

                    // Safety-independent totals of the planning steps and the executor workers.
                    attempts.fill(0);
                    successes.fill(0);
                    let baseErrors = 0;
                    let baseRotations = 0;
                    let baseNoErrors = 1;
                    for (let part = 0; part < 3; part += 1) {
                      const stats = part === 0 ? (architect ?? noStats) : part === 1 ? (consultant ?? noStats) : executor;
                      const times = part === 2 ? workers : stats === noStats ? 0 : 1;
                      if (times === 0) continue;
                      for (let model = 0; model < modelCount; model += 1) {
                        attempts[model] = (attempts[model] as number) + times * (stats.attempts[model] as number);
                        successes[model] = (successes[model] as number) + times * (stats.finalModel[model] as number);
                      }
                      baseErrors += times * stats.errors;
                      baseRotations += times * stats.rotations;
                      baseNoErrors *= stats.noErrors ** times;
                    }
                    for (let scenario = 0; scenario < SCENARIOS; scenario += 1) {
                      const planning = architect ?? noStats;
                      const advice = consultant ?? noStats;
                      fixedCost[scenario] = (executor.cost[scenario] as number) * workers + (planning.cost[scenario] as number) + (advice.cost[scenario] as number);
                      fixedDuration[scenario] = (planning.duration[scenario] as number) + (advice.duration[scenario] as number);
                    }

                    // Totals after the review loop, per strict-penalty variant; only the time depends on the safety level.
                    const variants = strictTypePenalty > 0 ? 2 : 1;
                    for (let variant = 0; variant < variants; variant += 1) {
                      const result = reviews[variant] as ReviewResult;
                      const totals = variantTotals[variant] as VariantTotals;
                      const auditTimes = executorOk * result.auditCalls;
                      const fixTimes = executorOk * result.fixCalls;
                      let errors = baseErrors;
                      let rotations = baseRotations;
                      let noErrors = baseNoErrors;
                      let cheapSuccesses = 0;
                      let expensiveUses = 0;
                      for (let model = 0; model < modelCount; model += 1) {
                        let modelAttempts = attempts[model] as number;
                        let modelSuccesses = successes[model] as number;
                        if (auditor !== undefined && fix !== undefined) {
                          modelAttempts += auditTimes * (auditor.attempts[model] as number) + fixTimes * (fix.attempts[model] as number);
                          modelSuccesses += auditTimes * (auditor.finalModel[model] as number) + fixTimes * (fix.finalModel[model] as number);
                        }
                        cheapSuccesses += (cheap[model] as number) * modelSuccesses;
                        expensiveUses += (expensive[model] as number) * modelAttempts;
                      }
                      let resourceEfficiency = 0;
                      let sessionCost = 0;
                      if (auditor !== undefined && fix !== undefined) {
                        errors += auditTimes * auditor.errors + fixTimes * fix.errors;
                        rotations += auditTimes * auditor.rotations + fixTimes * fix.rotations;
                        noErrors *= auditor.noErrors ** auditTimes * fix.noErrors ** fixTimes;
                      }
                      for (let scenario = 0; scenario < SCENARIOS; scenario += 1) {
                        const weight = scenarioWeights[scenario] as number;
                        let cost = fixedCost[scenario] as number;
                        let plain = fixedDuration[scenario] as number;
                        let phased = (executor.duration[scenario] as number) * maxFactor;
                        if (auditor !== undefined && fix !== undefined) {
                          cost += auditTimes * (auditor.cost[scenario] as number) + fixTimes * (fix.cost[scenario] as number);
                          plain += auditTimes * (auditor.duration[scenario] as number);
                          phased += fixTimes * (fix.duration[scenario] as number);
                        }
                        totals.plainDuration[scenario] = plain;
                        totals.phasedDuration[scenario] = phased;
                        const left = 1 - cost / budgetUsd;
                        resourceEfficiency += weight * (left < 0 ? 0 : left > 1 ? 1 : left);
                        sessionCost += weight * (cost < cheapSessionUsd ? cheapSessionBonus : cost > expensiveSessionUsd ? expensiveSessionPenalty : 0);
                      }
                      totals.partial =
                        resourceEfficiency * resourceWeight +
                        sessionCost +
                        noErrors * noErrorsBonus +
                        errors * errorPenalty +
                        Math.min(cheapSuccesses, cheapCap) * cheapBonus +
                        Math.min(Math.max(0, expensiveUses - freeUses), overuseCap) * overusePenalty +
                        rotations * rotationPenalty;
                    }

                    for (let safety = 0; safety < safetyCount; safety += 1) {
                      choice.safety = safety;
                      const variant = (safetyPenalty[safety] as number) > 0 ? 1 : 0;
                      const result = reviews[variant] as ReviewResult;
                      const totals = variantTotals[variant] as VariantTotals;
                      const phaseFactor = 1 + (safetyTime[safety] as number) + coordinationTime;
                      let timeEfficiency = 0;
                      for (let scenario = 0; scenario < SCENARIOS; scenario += 1) {
                        const duration = (totals.plainDuration[scenario] as number) + (totals.phasedDuration[scenario] as number) * phaseFactor;
                        const ratio = duration <= 0 ? timeCap : estimatedMs / duration;
                        timeEfficiency += (scenarioWeights[scenario] as number) * (ratio < timeCap ? ratio : timeCap);
                      }
                      const success = executorOk * result.deliveredCorrect;
                      const delivered = executorOk * (result.deliveredCorrect + result.deliveredWrong);
                      const violationRaw =
                        violationBase *
                        (safetyViolation[safety] as number) *
                        (carelessness[executorModel] as number) *
                        (1 - executorOk * audited * (1 - auditorSafetyFactor)) *
                        (1 + 0.25 * (workers - 1));
                      const violation = violationRaw > 1 ? 1 : violationRaw;
                      const testsPassed = executorOk * (tested ? 1 : audited) * (result.deliveredCorrect + result.deliveredWrong * wrongPassesTests);
                      const correctEdits =
                        correctEditsBase *
                        (hasAuditor ? audited * editsAuditorFactor + (1 - audited) : 1) *
                        (hasArchitect ? planned * editsArchitectFactor + (1 - planned) : 1);
                      const satisfaction =
                        (1 - delivered) * satisfactionFailed + executorOk * result.deliveredWrong * satisfactionWrong + success * satisfactionOfPoisson(correctEdits);
                      const score =
                        totals.partial +
                        success * successWeight +
                        (1 - success) * failureWeight +
                        timeEfficiency * timeWeight +
                        satisfaction * satisfactionWeight +
                        (1 - violation) * adherenceBonus +
                        violation * violationPenalty +
                        testsPassed * testsBonus;
                      if (direct) directScores[((executorModel * timeoutCount + timeout) * retryCount + retry) * safetyCount + safety] = score;
                      if (score > worstScore) {
                        topScores[worstSlot] = score;
                        topCodes[worstSlot] = encodeChoice(choice, modelCount);
                        worstSlot = slotOfMinimum(topScores);
                        worstScore = topScores[worstSlot] as number;
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }
  const result: ScreenedAction[] = [];
  for (let slot = 0; slot < keep; slot += 1) {
    if ((topCodes[slot] as number) < 0) continue;
    result.push({ choice: decodeChoice(topCodes[slot] as number, modelCount), score: topScores[slot] as number });
  }
  return result.sort((left, right) => right.score - left.score);
}

function slotOfMinimum(values: Float64Array): number {
  let slot = 0;
  for (let index = 1; index < values.length; index += 1) if ((values[index] as number) < (values[slot] as number)) slot = index;
  return slot;
}

/** Packs head indices into one number (mixed radix; exact in a double for catalogs of any realistic size). */
function encodeChoice(choice: Readonly<ActionChoice>, modelCount: number): number {
  let code = choice.team;
  code = code * modelCount + choice.executor;
  code = code * modelCount + choice.architect;
  code = code * modelCount + choice.auditor;
  code = code * modelCount + choice.consultant;
  code = code * approaches.length + choice.approach;
  code = code * 4 + (choice.parallelism - 1);
  code = code * timeoutMultiplierBins.length + choice.timeout;
  code = code * retryStrategies.length + choice.retry;
  return code * safetyLevels.length + choice.safety;
}

function decodeChoice(code: number, modelCount: number): ActionChoice {
  let rest = code;
  const take = (radix: number) => {
    const value = rest % radix;
    rest = (rest - value) / radix;
    return value;
  };
  const safety = take(safetyLevels.length);
  const retry = take(retryStrategies.length);
  const timeout = take(timeoutMultiplierBins.length);
  const parallelism = take(4) + 1;
  const approach = take(approaches.length);
  const consultant = take(modelCount);
  const auditor = take(modelCount);
  const architect = take(modelCount);
  const executor = take(modelCount);
  return { team: rest, executor, architect, auditor, consultant, approach, parallelism, timeout, retry, safety };
}
