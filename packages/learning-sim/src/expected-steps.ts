import { timeoutMultiplierBins } from '@orchestra/learning-features';
import { normalCdf, retryStrategies, type Approach, type RetryStrategy, type TaskContext } from '@orchestra/learning-types';
import { indexWorld, type WorldIndex } from './world-index';
import {
  API_ERROR_LATENCY_SHARE,
  CONTEXT_EXCEEDED_LATENCY_MS,
  RATE_LIMIT_LATENCY_MS,
  attemptCostUsd,
  backoffMs,
  callBudgetMs,
  estimatedMs,
  medianLatencyMs,
  outputTokens,
  promptTokens,
  rateLimitProbability,
  retriesAgain,
  rotatesAgain,
  stepShares,
  workerLoad,
  type StepRole,
} from './world-mechanics';
import type { Effects, World, WorldModel } from './world-schema';

/*
 * The surrogate's step table: the expected totals of one agent step (attempt chains summed exactly per model, the
 * hidden work and prompt sizes integrated by Gauss–Hermite quadrature, loads averaged), with the world's mechanics
 * taken in expectation where the session player draws them. surrogate.ts combines the steps into actions.
 */

// Probabilists' Gauss–Hermite nodes and weights for the prompt size (5 points) and the work size (3 points).
export const inputNodes = [0, -1.3556261799742659, 1.3556261799742659, -2.8569700138728056, 2.8569700138728056];
export const inputWeights = [0.5333333333333333, 0.2220759220056126, 0.2220759220056126, 0.011257411327720693, 0.011257411327720693];
export const workNodes = [-Math.sqrt(3), 0, Math.sqrt(3)];
export const workWeights = [1 / 6, 2 / 3, 1 / 6];
export const SCENARIOS = inputNodes.length * workNodes.length;

/** Expected totals of one agent step (averaged over loads; cost and duration kept per size scenario). */
export interface StepStats {
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
export const DOUBLE = 0.5;

export function emptyStats(modelCount: number): StepStats {
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
export const ARCHITECT = 0;
export const CONSULTANT = 1;
export const AUDITOR = 2;
export const FIX = 3;
export const EXECUTOR = 4;
const kindRoles: readonly StepRole[] = ['architect', 'consultant', 'auditor', 'fix'];

/** The surrogate's mean of the billed share of the output a timed-out call writes (the player bills the exact share). */
const TIMEOUT_BILLED_OUTPUT = 0.9;

/** An attempt in expectation: the probabilities of its endings, its mean latency and its mean cost. */
interface AttemptExpectation {
  pContext: number;
  pOk: number;
  latency: number;
  cost: number;
}

/** One call's sizes, timeout and load (as the player's `StepCall`, but fractional). */
interface ExpectedCall {
  inputTokens: number;
  outputTokens: number;
  budget: number;
  load: number;
}

/** The expectation of one attempt of `spec` on retry number `retry` (`into` is reused; the player draws the same). */
function expectAttempt(effects: Effects, spec: WorldModel, call: ExpectedCall, retry: number, into: AttemptExpectation): AttemptExpectation {
  const { inputTokens, outputTokens, budget } = call;
  if (inputTokens > spec.contextLimitTokens) {
    into.pContext = 1;
    into.pOk = 0;
    into.latency = CONTEXT_EXCEEDED_LATENCY_MS;
    into.cost = 0;
    return into;
  }
  const pRate = rateLimitProbability(spec.rateLimit, call.load, retry, effects.retries.rateLimitDecay);
  const rest = 1 - pRate;
  const median = medianLatencyMs(spec, outputTokens);
  const sigma = spec.latency.sigma;
  const standardised = sigma > 0 ? (Math.log(budget) - Math.log(median)) / sigma : budget >= median ? 1e9 : -1e9;
  const inTime = normalCdf(standardised);
  const clean = 1 - spec.apiErrorProbability - spec.hangProbability;
  const pApi = rest * spec.apiErrorProbability;
  const pTimeout = rest * (spec.hangProbability + clean * (1 - inTime));
  const pOk = rest * clean * inTime;
  const meanInTime = inTime > 1e-12 ? (median * Math.exp((sigma * sigma) / 2) * normalCdf(standardised - sigma)) / inTime : budget;
  const apiLatency = Math.min(API_ERROR_LATENCY_SHARE * median * Math.exp((sigma * sigma) / 2), budget);
  const inputCost = attemptCostUsd(spec, inputTokens, 0);
  const outputCost = attemptCostUsd(spec, 0, outputTokens);
  into.pContext = 0;
  into.pOk = pOk;
  into.latency = pRate * RATE_LIMIT_LATENCY_MS + pApi * apiLatency + pTimeout * budget + pOk * meanInTime;
  into.cost = (pApi + pTimeout + pOk) * inputCost + pOk * outputCost + pTimeout * outputCost * Math.min(1, budget / median) * TIMEOUT_BILLED_OUTPUT;
  return into;
}

/** Per-task precomputation: the step table and what every action combination needs. */
export class KindModel {
  private readonly steps = new Map<number, StepStats>();
  private readonly index: WorldIndex;
  private readonly loads: number[];
  private readonly estimatedMs: number;
  private readonly attempt: AttemptExpectation = { pContext: DOUBLE, pOk: DOUBLE, latency: DOUBLE, cost: DOUBLE };

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
    this.estimatedMs = estimatedMs(context);
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

  /** Sums the step over the size scenarios (Gauss–Hermite nodes) and the loads. */
  private computeStep(kind: number, firstModel: number, timeout: number, retryIndex: number): StepStats {
    const effects = this.world.effects;
    const stats = emptyStats(this.index.models.length);
    const multiplier = timeoutMultiplierBins[timeout] as number;
    const strategy = retryStrategies[retryIndex] as RetryStrategy;
    const executor = kind >= EXECUTOR;
    const workers = executor ? kind - EXECUTOR + 1 : 1;
    const shares = stepShares(effects, executor ? 'executor' : (kindRoles[kind] as StepRole), workers);
    const call: ExpectedCall = { inputTokens: 0, outputTokens: 0, budget: callBudgetMs(effects, multiplier, this.estimatedMs, shares.output), load: 0 };
    const loadWeight = 1 / this.loads.length;
    let scenario = 0;
    for (let inputNode = 0; inputNode < inputNodes.length; inputNode += 1) {
      const prompt = promptTokens(effects, this.context, inputNodes[inputNode] as number);
      for (let workNode = 0; workNode < workNodes.length; workNode += 1, scenario += 1) {
        const weight = (inputWeights[inputNode] as number) * (workWeights[workNode] as number);
        const output = outputTokens(effects, this.context, multiplier, workNodes[workNode] as number);
        call.inputTokens = kind === AUDITOR ? prompt * shares.input + output : prompt * shares.input;
        call.outputTokens = output * shares.output;
        for (const baseLoad of this.loads) {
          call.load = executor ? workerLoad(effects, baseLoad, workers) : baseLoad;
          const walk: ChainWalk = { stats, call, strategy, scenario, mass: weight * loadWeight, loadWeight };
          this.walk(walk, firstModel, 0, 0, 1, true);
        }
      }
    }
    return stats;
  }

  /** Walks the attempt chain: (model, retry number, rotations) with the probability `reach` of getting there. */
  private walk(chain: ChainWalk, model: number, retry: number, rotations: number, reach: number, first: boolean): void {
    const { stats, scenario, mass, loadWeight, strategy } = chain;
    const effects = this.world.effects;
    const models = this.index.models;
    stats.attempts[model] = (stats.attempts[model] as number) + reach * mass;
    const { pContext, pOk, latency, cost } = expectAttempt(effects, models[model] as WorldModel, chain.call, retry, this.attempt);
    stats.cost[scenario] = (stats.cost[scenario] as number) + reach * cost * loadWeight;
    stats.duration[scenario] = (stats.duration[scenario] as number) + reach * latency * loadWeight;
    stats.ok += reach * pOk * mass;
    stats.finalModel[model] = (stats.finalModel[model] as number) + reach * pOk * mass;
    const pError = 1 - pOk;
    stats.errors += reach * pError * mass;
    if (first) stats.noErrors += pOk * mass;
    if (retriesAgain(strategy, effects, retry)) {
      const retryable = pError - pContext;
      if (retryable > 1e-9) {
        stats.duration[scenario] = (stats.duration[scenario] as number) + reach * retryable * backoffMs(effects, retry) * loadWeight;
        this.walk(chain, model, retry + 1, rotations, reach * retryable, false);
      }
    } else if (rotatesAgain(strategy, effects, rotations, models.length) && pError > 1e-9) {
      stats.rotations += reach * pError * mass;
      this.walk(chain, this.index.fallbackNext[model] as number, 0, rotations + 1, reach * pError, false);
    }
  }
}

/** One walk of the attempt chains of a step for one size scenario and load. */
interface ChainWalk {
  readonly stats: StepStats;
  readonly call: ExpectedCall;
  readonly strategy: RetryStrategy;
  readonly scenario: number;
  readonly mass: number;
  readonly loadWeight: number;
}

/** Mean of f(λ) = E[1 / (1 + X)] for X ~ Poisson(λ). */
export function satisfactionOfPoisson(mean: number): number {
  return mean < 1e-9 ? 1 : (1 - Math.exp(-mean)) / mean;
}

/** Per strict-penalty variant: the safety-independent part of the score and the two parts of the duration. */
export interface VariantTotals {
  partial: number;
  plainDuration: Float64Array;
  phasedDuration: Float64Array;
}

/** Reusable result of the expected review loop. */
export interface ReviewResult {
  deliveredCorrect: number;
  deliveredWrong: number;
  auditCalls: number;
  fixCalls: number;
}

/** The review loop in expectation: masses of correct / wrong results per round of audit and fix. */
export function expectedReview(
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

/** The team of the action being scored under one approach, and what it adds to correctness. */
export interface Setup {
  approach: Approach;
  hasArchitect: boolean;
  hasConsultant: boolean;
  hasAuditor: boolean;
  architectGain: number;
  consultantGain: number;
  review: number;
  rounds: number;
  teamLogit: number;
}

/** The expected steps of one (workers, timeout, retry) setting of a setup. */
export interface Steps {
  workers: number;
  architect: StepStats | undefined;
  consultant: StepStats | undefined;
  executor: StepStats;
  auditor: StepStats | undefined;
  fix: StepStats | undefined;
  planned: number;
  executorOk: number;
  audited: number;
}
