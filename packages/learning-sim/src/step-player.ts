import {
  SESSION_SCHEMA_VERSION,
  type AgentRole,
  type EnhancedSessionState,
  type ModelErrorCode,
  type ModelUsage,
  type Outcome,
  type RetryStrategy,
  type TaskStep,
} from '@orchestra/learning-types';
import { normal, type UniformSource } from './random';
import type { WorldIndex } from './world-index';
import {
  API_ERROR_LATENCY_SHARE,
  CONTEXT_EXCEEDED_LATENCY_MS,
  RATE_LIMIT_LATENCY_MS,
  attemptCostUsd,
  backoffMs,
  medianLatencyMs,
  rateLimitProbability,
  retriesAgain,
  rotatesAgain,
} from './world-mechanics';
import type { WorldModel } from './world-schema';

/*
 * One agent step of a simulated session, attempt by attempt (errors, retries, fallback rotations), and the running
 * tallies of the session the steps add to. The session player (session-player.ts) decides which steps run.
 */

/** A session's tallies, empty, for a world of `index`. */
export function createTally(index: WorldIndex, rng: UniformSource): Tally {
  const modelCount = index.models.length;
  return {
    index,
    rng,
    workflow: [],
    attempts: new Array<number>(modelCount).fill(0),
    successes: new Array<number>(modelCount).fill(0),
    latencies: [],
    cost: 0,
    tokens: 0,
    errors: 0,
    rotations: 0,
  };
}

/** Mutable running totals of one session (one object per session, arrays per model). */
export interface Tally {
  readonly index: WorldIndex;
  readonly rng: UniformSource;
  readonly workflow: TaskStep[];
  readonly attempts: number[];
  readonly successes: number[];
  readonly latencies: number[];
  cost: number;
  tokens: number;
  errors: number;
  rotations: number;
}

export interface StepResult {
  ok: boolean;
  model: number;
  durationMs: number;
}

/** One call of a step: its prompt and output sizes, its timeout, and the load it meets. */
export interface StepCall {
  inputTokens: number;
  outputTokens: number;
  budgetMs: number;
  load: number;
}

/** What one attempt billed and how it ended. */
interface AttemptResult {
  errorCode: ModelErrorCode | undefined;
  latencyMs: number;
  billedInput: number;
  billedOutput: number;
}

/** Draws one attempt of `spec` for `call` on retry number `retry`. */
function drawAttempt(tally: Tally, spec: WorldModel, call: StepCall, retry: number): AttemptResult {
  const { rng } = tally;
  const effects = tally.index.world.effects;
  if (call.inputTokens > spec.contextLimitTokens) {
    return { errorCode: 'CONTEXT_EXCEEDED', latencyMs: CONTEXT_EXCEEDED_LATENCY_MS, billedInput: 0, billedOutput: 0 };
  }
  if (rng.next() < rateLimitProbability(spec.rateLimit, call.load, retry, effects.retries.rateLimitDecay)) {
    return { errorCode: 'RATE_LIMIT_429', latencyMs: RATE_LIMIT_LATENCY_MS, billedInput: 0, billedOutput: 0 };
  }
  const nominal = medianLatencyMs(spec, call.outputTokens) * Math.exp(spec.latency.sigma * normal(rng));
  const failure = rng.next();
  const budgetMs = call.budgetMs;
  if (failure < spec.apiErrorProbability) {
    return { errorCode: 'API_ERROR', latencyMs: Math.min(nominal * API_ERROR_LATENCY_SHARE, budgetMs), billedInput: call.inputTokens, billedOutput: 0 };
  }
  if (failure < spec.apiErrorProbability + spec.hangProbability || nominal > budgetMs) {
    const billedOutput = Math.round(call.outputTokens * Math.min(1, budgetMs / nominal));
    return { errorCode: 'TIMEOUT', latencyMs: budgetMs, billedInput: call.inputTokens, billedOutput };
  }
  return { errorCode: undefined, latencyMs: nominal, billedInput: call.inputTokens, billedOutput: call.outputTokens };
}

/** Records one attempt in the tallies and returns its usage record. */
function recordAttempt(tally: Tally, model: number, attempt: number, result: AttemptResult): ModelUsage {
  const spec = tally.index.models[model] as WorldModel;
  const { billedInput, billedOutput, latencyMs, errorCode } = result;
  const cost = attemptCostUsd(spec, billedInput, billedOutput);
  const record: ModelUsage = {
    modelId: spec.id,
    provider: spec.provider,
    tokensUsed: billedInput + billedOutput,
    inputTokens: billedInput,
    outputTokens: billedOutput,
    latencyMs,
    success: errorCode === undefined,
    estimatedCost: cost,
    costSource: 'price_table',
    attempt,
  };
  if (errorCode !== undefined) record.errorCode = errorCode;
  tally.attempts[model] = (tally.attempts[model] as number) + 1;
  tally.latencies.push(latencyMs);
  tally.cost += cost;
  tally.tokens += billedInput + billedOutput;
  if (errorCode === undefined) tally.successes[model] = (tally.successes[model] as number) + 1;
  else tally.errors += 1;
  return record;
}

/**
 * Plays one agent step: attempts on the chosen model, and on errors retries or rotates per the retry strategy.
 * Appends the step (with every attempt) to the workflow and updates the tallies.
 */
export function playStep(tally: Tally, role: AgentRole, description: string, firstModel: number, call: StepCall, strategy: RetryStrategy): StepResult {
  const { index } = tally;
  const effects = index.world.effects;
  const usage: ModelUsage[] = [];
  let model = firstModel;
  let retry = 0;
  let rotations = 0;
  let durationMs = 0;
  let ok = false;
  for (let attempt = 1; ; attempt += 1) {
    const result = drawAttempt(tally, index.models[model] as WorldModel, call, retry);
    usage.push(recordAttempt(tally, model, attempt, result));
    durationMs += result.latencyMs;
    if (result.errorCode === undefined) {
      ok = true;
      break;
    }
    if (result.errorCode !== 'CONTEXT_EXCEEDED' && retriesAgain(strategy, effects, retry)) {
      durationMs += backoffMs(effects, retry);
      retry += 1;
    } else if (rotatesAgain(strategy, effects, rotations, index.models.length)) {
      rotations += 1;
      retry = 0;
      model = index.fallbackNext[model] as number;
    } else {
      break;
    }
  }
  tally.rotations += rotations;
  tally.workflow.push({
    id: `step-${tally.workflow.length + 1}`,
    agentRole: role,
    description,
    status: ok ? 'completed' : 'failed',
    attempts: usage,
  });
  return { ok, model, durationMs };
}

/** The raw session record of the tallies, and the per-model outcome. */
export function sessionRecord(tally: Tally, delivered: boolean): { session: EnhancedSessionState; models: Outcome['models'] } {
  const modelUsageCounts: Record<string, number> = {};
  const models: Outcome['models'] = [];
  let totalAttempts = 0;
  let successfulAttempts = 0;
  let latencySum = 0;
  for (let position = 0; position < tally.index.models.length; position += 1) {
    const attempts = tally.attempts[position] as number;
    if (attempts === 0) continue;
    const id = (tally.index.models[position] as WorldModel).id;
    modelUsageCounts[id] = attempts;
    models.push({ model: id, attempts, successes: tally.successes[position] as number });
    totalAttempts += attempts;
    successfulAttempts += tally.successes[position] as number;
  }
  for (const latency of tally.latencies) latencySum += latency;
  const session: EnhancedSessionState = {
    schemaVersion: SESSION_SCHEMA_VERSION,
    workflow: tally.workflow,
    globalMetrics: {
      totalCostEstimate: tally.cost,
      totalTokens: tally.tokens,
      totalAttempts,
      successfulAttempts,
      failedAttempts: totalAttempts - successfulAttempts,
      avgLatencyMs: totalAttempts === 0 ? 0 : latencySum / totalAttempts,
      fallbackRotations: tally.rotations,
      modelUsageCounts,
    },
    phase: delivered ? 'completed' : 'failed',
  };
  return { session, models };
}

