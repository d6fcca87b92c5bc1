import type { Approach, RetryStrategy, SafetyLevel, TaskContext } from '@orchestra/learning-types';
import type { Effects, World, WorldModel } from './world-schema';

/*
 * The world's mechanics, once: the constants and formulas that both the session player (session-player.ts, which
 * draws) and the surrogate (surrogate.ts, which takes expectations) apply. Each function is the formula as the
 * player evaluates it, in the same order of operations, so that the two cannot drift and the player's figures stay
 * bit-for-bit what they were.
 */

/** Latency of an attempt that fails at once: a 429 answer, or a prompt over the model's context limit. */
export const RATE_LIMIT_LATENCY_MS = 250;
export const CONTEXT_EXCEEDED_LATENCY_MS = 400;
/** An API error arrives after this share of the call's nominal latency (capped by the call's budget). */
export const API_ERROR_LATENCY_SHARE = 0.3;
/** Each executor worker beyond the first raises the chance of a safety violation by this share. */
export const VIOLATION_PER_EXTRA_WORKER = 0.25;
/** The part of the prompt every executor worker receives whole; the rest is split between the workers. */
const SHARED_WORKER_INPUT = 0.3;

/** The step kinds of a session: the four advisory or follow-up calls and an executor worker. */
export type StepRole = 'architect' | 'consultant' | 'auditor' | 'fix' | 'executor';

/** Share of the session's prompt and of its output tokens that one step of `role` takes, with `workers` executors. */
export function stepShares(effects: Effects, role: StepRole, workers: number): { input: number; output: number } {
  if (role !== 'executor') return effects.roleTokens[role];
  return { input: SHARED_WORKER_INPUT + (1 - SHARED_WORKER_INPUT) / workers, output: workerOutputShare(effects, workers) };
}

/** Share of the output one of `workers` executor workers writes: its part plus the coordination overhead. */
export function workerOutputShare(effects: Effects, workers: number): number {
  return (1 + effects.parallelOverhead * (workers - 1)) / workers;
}

/** The session's prompt size: the complexity's base, grown per extra domain, times `exp(σ·z)` for a standard normal z. */
export function promptTokens(effects: Effects, context: TaskContext, z: number): number {
  return (
    (effects.inputTokens[context.complexity] as number) *
    (1 + effects.inputPerExtraDomain * (context.domains.length - 1)) *
    Math.exp(effects.inputTokensSigma * z)
  );
}

/** The session's output size: what the estimate suggests times `exp(σ·z)`, grown with a longer timeout multiplier. */
export function outputTokens(effects: Effects, context: TaskContext, timeoutMultiplier: number, z: number): number {
  const nominal = context.estimatedTimeMinutes * effects.outputTokensPerEstimatedMinute;
  return nominal * Math.exp(effects.workSigma * z) * (1 + effects.timeoutTokenSlope * (timeoutMultiplier - 1));
}

/** The task's estimated time in milliseconds. */
export function estimatedMs(context: TaskContext): number {
  return context.estimatedTimeMinutes * 60_000;
}

/** A call's timeout: the multiplier times the estimated time of its share of the work. */
export function callBudgetMs(effects: Effects, timeoutMultiplier: number, estimated: number, outputShare: number): number {
  return timeoutMultiplier * effects.timeoutCalibration * estimated * outputShare;
}

/** The orchestrator's load seen by each of `workers` executor workers running at once. */
export function workerLoad(effects: Effects, load: number, workers: number): number {
  return load + effects.loadPerParallelCall * (workers - 1);
}

/** Probability of a 429 for one attempt of `model` at `load`, on retry number `retry` (0 = first attempt). */
export function rateLimitProbability(
  rateLimit: { base: number; threshold: number; slope: number },
  load: number,
  retry: number,
  decay: number,
): number {
  const over = load > rateLimit.threshold ? (load - rateLimit.threshold) / (1 - rateLimit.threshold) : 0;
  return Math.min(1, (rateLimit.base + rateLimit.slope * Math.min(over, 1.5)) * decay ** retry);
}

/** The median latency of a successful call writing `output` tokens (the draw multiplies it by `exp(σ·z)`). */
export function medianLatencyMs(model: WorldModel, output: number): number {
  return model.latency.baseMs + output * model.latency.msPerOutputToken;
}

/** What an attempt billed `input` and `output` tokens costs at the model's price table. */
export function attemptCostUsd(model: WorldModel, input: number, output: number): number {
  return (input * model.inputPricePer1kTokens + output * model.outputPricePer1kTokens) / 1000;
}

/** Whether a failed attempt is retried on the same model (`retry` retries done so far; a context error never is). */
export function retriesAgain(strategy: RetryStrategy, effects: Effects, retry: number): boolean {
  return strategy === 'retry_with_backoff' && retry < effects.retries.maxRetries;
}

/** Whether a failed attempt rotates to the next model of the fallback order (`rotations` done so far). */
export function rotatesAgain(strategy: RetryStrategy, effects: Effects, rotations: number, modelCount: number): boolean {
  return strategy === 'fallback' && rotations < effects.retries.maxRotations && modelCount > 1;
}

/** The wait before retry number `retry + 1`, after `retry` retries. */
export function backoffMs(effects: Effects, retry: number): number {
  return effects.retries.backoffMs * 2 ** retry;
}

/** The correctness logit an advisory step adds when it succeeds: its gain for the task's complexity × the model's planning. */
export function adviceGain(gain: Effects['architectGain'], context: TaskContext, model: WorldModel): number {
  return (gain[context.complexity] as number) * model.planning;
}

/** The correctness logit lost to domains no worker covers. */
export function breadthPenalty(effects: Effects, context: TaskContext, workers: number): number {
  return effects.breadthPenalty * Math.max(0, context.domains.length - workers);
}

/** The correctness logit strict safety gates cost a task of this type. */
export function strictPenalty(effects: Effects, context: TaskContext, safety: SafetyLevel): number {
  return safety === 'strict' ? (effects.safety.strictPenalty[context.taskType] ?? 0) : 0;
}

/** The correctness logit of `extraAgents` team members besides the executor. */
export function extraAgentsLogit(effects: Effects, context: TaskContext, extraAgents: number): number {
  return (effects.extraAgentLogit[context.complexity] as number) * extraAgents;
}

/** How much of the integration risk a split keeps: coordination (better with a plan) mitigates it. */
export function coordinationFactor(effects: Effects, approach: Approach, planned: boolean): number {
  if (approach !== 'coordinated') return 1;
  return planned ? effects.coordinationWithArchitect : effects.coordinationWithoutArchitect;
}

function coupling(effects: Effects, context: TaskContext): number {
  const raw =
    (effects.coupling[context.taskType] as number) * (effects.couplingByComplexity[context.complexity] as number) -
    effects.couplingReliefPerDomain * (context.domains.length - 1);
  return raw < 0 ? 0 : raw > 1 ? 1 : raw;
}

/**
 * Probability that splitting the task over `workers` breaks integration: coupled work split apart (scaled by
 * `coordination`, the approach's mitigation), plus workers beyond the task's independent parts colliding.
 */
export function integrationFailureProbability(world: World, context: TaskContext, workers: number, coordination: number): number {
  if (workers <= 1) return 0;
  const effects = world.effects;
  const parts = context.domains.length + (context.complexity === 'complex' ? 1 : 0);
  const split = coupling(effects, context) * effects.integrationRisk * ((workers - 1) / workers) * coordination;
  const collisions = (effects.oversplitRisk * Math.max(0, workers - parts)) / workers;
  return Math.min(1, split + collisions);
}

/** The factor on the executor phase's time: the safety level's overhead, and coordination's. */
export function phaseFactor(effects: Effects, safety: SafetyLevel, approach: Approach): number {
  const factor = 1 + (effects.safety.timeOverhead[safety] as number);
  return approach === 'coordinated' ? factor + effects.coordinationTimeOverhead : factor;
}

/**
 * Probability that the session violates a safety rule. `reviewFactor` is the auditor's factor when a review ran
 * (1 when none did; the surrogate passes its expectation).
 */
export function violationProbability(
  effects: Effects,
  context: TaskContext,
  safety: SafetyLevel,
  carelessness: number,
  reviewFactor: number,
  workers: number,
): number {
  const safetyEffects = effects.safety;
  return (
    (safetyEffects.violationProbability[context.risk] as number) *
    (safetyEffects.levelFactor[safety] as number) *
    (safetyEffects.typeFactor[context.taskType] ?? 1) *
    carelessness *
    reviewFactor *
    (1 + VIOLATION_PER_EXTRA_WORKER * (workers - 1))
  );
}

/** Whether the task's type runs tests even without a review. */
export function testedWithoutReview(effects: Effects, context: TaskContext): boolean {
  return effects.testedTypes.includes(context.taskType);
}

/**
 * Mean number of edits the user makes to a correct result; `reviewFactor` and `planFactor` are the auditor's and
 * the architect's factors when they ran (1 when not; the surrogate passes expectations).
 */
export function correctEditsMean(effects: Effects, context: TaskContext, reviewFactor: number, planFactor: number): number {
  return (effects.userEdits.correct[context.complexity] as number) * reviewFactor * planFactor;
}

/** Share of the task's budget left after spending `costUsd`, in [0, 1]. */
export function resourceEfficiency(effects: Effects, context: TaskContext, costUsd: number): number {
  const left = 1 - costUsd / (effects.budgetUsd[context.complexity] as number);
  return left < 0 ? 0 : left > 1 ? 1 : left;
}
