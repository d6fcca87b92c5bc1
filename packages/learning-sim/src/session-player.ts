/*
 * Longer than 400 lines, for now: `runSession` plays a session step by step with the world's mechanics, which
 * surrogate.ts follows in expectation. The two shorten together once the mechanics are one world-mechanics module
 * (issue #23); split apart before that, they would drift.
 */
import {
  SESSION_SCHEMA_VERSION,
  actionSchema,
  systemStateSchema,
  validate,
  type Action,
  type AgentRole,
  type EnhancedSessionState,
  type ModelErrorCode,
  type ModelUsage,
  type Outcome,
  type RetryStrategy,
  type SystemState,
  type TaskContext,
  type TaskStep,
} from '@orchestra/learning-types';
import { normal, poisson, type UniformSource } from './random';
import type { SimulatedTask } from './task-sampler';
import { indexWorld, modelPositionOf, sigmoid, type WorldIndex } from './world-index';
import type { World } from './world-schema';

/** Options of `runSession`. */
export interface RunSessionOptions {
  /** The orchestrator's load when the session starts; drawn from the world's system distribution when absent. */
  system?: SystemState;
  sessionId?: string;
  /** Skip validating the action (callers that built it from an enumerated space, e.g. the oracle). */
  trustedAction?: boolean;
}

/** What a simulated session produced: the raw session record, the task-level outcome, and the system it ran in. */
export interface SimulatedSession {
  session: EnhancedSessionState;
  outcome: Outcome;
  system: SystemState;
  /** Facts the outcome cannot carry but tests and reports use. */
  details: { correct: boolean; delivered: boolean; auditorCaught: number; integrationFailed: boolean };
}

/** Mutable running totals of one session (one object per session, arrays per model). */
interface Tally {
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

interface StepResult {
  ok: boolean;
  model: number;
  durationMs: number;
}

const errorLatencyMs: Readonly<Record<'RATE_LIMIT_429' | 'CONTEXT_EXCEEDED', number>> = { RATE_LIMIT_429: 250, CONTEXT_EXCEEDED: 400 };

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

/**
 * Plays one agent step: attempts on the chosen model, and on errors retries or rotates per the retry strategy.
 * Appends the step (with every attempt) to the workflow and updates the tallies.
 */
function playStep(
  tally: Tally,
  role: AgentRole,
  description: string,
  firstModel: number,
  inputTokens: number,
  outputTokens: number,
  budgetMs: number,
  load: number,
  strategy: RetryStrategy,
): StepResult {
  const { index, rng } = tally;
  const retries = index.world.effects.retries;
  const usage: ModelUsage[] = [];
  let model = firstModel;
  let retry = 0;
  let rotations = 0;
  let durationMs = 0;
  let ok = false;
  for (let attempt = 1; ; attempt += 1) {
    const spec = index.models[model]!;
    let errorCode: ModelErrorCode | undefined;
    let latencyMs: number;
    let billedInput = 0;
    let billedOutput = 0;
    if (inputTokens > spec.contextLimitTokens) {
      errorCode = 'CONTEXT_EXCEEDED';
      latencyMs = errorLatencyMs.CONTEXT_EXCEEDED;
    } else if (rng.next() < rateLimitProbability(spec.rateLimit, load, retry, retries.rateLimitDecay)) {
      errorCode = 'RATE_LIMIT_429';
      latencyMs = errorLatencyMs.RATE_LIMIT_429;
    } else {
      const nominal = (spec.latency.baseMs + outputTokens * spec.latency.msPerOutputToken) * Math.exp(spec.latency.sigma * normal(rng));
      const failure = rng.next();
      billedInput = inputTokens;
      if (failure < spec.apiErrorProbability) {
        errorCode = 'API_ERROR';
        latencyMs = Math.min(nominal * 0.3, budgetMs);
      } else if (failure < spec.apiErrorProbability + spec.hangProbability || nominal > budgetMs) {
        errorCode = 'TIMEOUT';
        latencyMs = budgetMs;
        billedOutput = Math.round(outputTokens * Math.min(1, budgetMs / nominal));
      } else {
        latencyMs = nominal;
        billedOutput = outputTokens;
      }
    }
    const cost = (billedInput * spec.inputPricePer1kTokens + billedOutput * spec.outputPricePer1kTokens) / 1000;
    const success = errorCode === undefined;
    const record: ModelUsage = {
      modelId: spec.id,
      provider: spec.provider,
      tokensUsed: billedInput + billedOutput,
      inputTokens: billedInput,
      outputTokens: billedOutput,
      latencyMs,
      success,
      estimatedCost: cost,
      costSource: 'price_table',
      attempt,
    };
    if (errorCode !== undefined) record.errorCode = errorCode;
    usage.push(record);
    tally.attempts[model] = (tally.attempts[model] as number) + 1;
    tally.latencies.push(latencyMs);
    tally.cost += cost;
    tally.tokens += billedInput + billedOutput;
    durationMs += latencyMs;
    if (success) {
      tally.successes[model] = (tally.successes[model] as number) + 1;
      ok = true;
      break;
    }
    tally.errors += 1;
    if (strategy === 'retry_with_backoff' && errorCode !== 'CONTEXT_EXCEEDED' && retry < retries.maxRetries) {
      retry += 1;
      durationMs += retries.backoffMs * 2 ** (retry - 1);
    } else if (strategy === 'fallback' && rotations < retries.maxRotations && index.models.length > 1) {
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

function coupling(world: World, context: TaskContext): number {
  const effects = world.effects;
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
  const split = coupling(world, context) * effects.integrationRisk * ((workers - 1) / workers) * coordination;
  const collisions = (effects.oversplitRisk * Math.max(0, workers - parts)) / workers;
  return Math.min(1, split + collisions);
}

/** The p95 of a small list of latencies (nearest-rank). */
function percentile95(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = values.slice().sort((left, right) => left - right);
  return sorted[Math.min(sorted.length - 1, Math.ceil(0.95 * sorted.length) - 1)] as number;
}

/** Draws the orchestrator's load for one session from the world's system distribution. */
export function sampleSystem(world: World, rng: UniformSource): SystemState {
  const load = world.system.loadMin + rng.next() * (world.system.loadMax - world.system.loadMin);
  return { concurrentTasks: Math.round(load * world.system.maxConcurrentTasks), load, agentAvailability: {} };
}

/**
 * Plays a whole session of `task` under `action` in `world`, step by step: architect (plan) → consultant →
 * executor workers → auditor review (→ fix rounds), each a model call with attempts, errors, retries and fallback
 * rotations. Returns a real `EnhancedSessionState` and the task-level `Outcome`. Deterministic given the state of
 * `rng`. The simulator sees only the task and the action — never who chose the action.
 *
 * @throws ValidationError when `action` is not a valid `Action`; UnknownModelError when it names a model the world lacks.
 */
export function runSession(
  world: World,
  task: SimulatedTask,
  action: Action,
  rng: UniformSource,
  options: RunSessionOptions = {},
): SimulatedSession {
  const checkedAction = options.trustedAction === true ? action : validate(actionSchema, action, 'Action');
  const index = indexWorld(world);
  const effects = world.effects;
  const context = task.trueContext;
  const system = options.system === undefined ? sampleSystem(world, rng) : validate(systemStateSchema, options.system, 'SystemState');
  const models = index.models;
  const tally: Tally = {
    index,
    rng,
    workflow: [],
    attempts: new Array<number>(models.length).fill(0),
    successes: new Array<number>(models.length).fill(0),
    latencies: [],
    cost: 0,
    tokens: 0,
    errors: 0,
    rotations: 0,
  };

  const approach = checkedAction.approach;
  const direct = approach === 'direct';
  const split = approach === 'parallel' || approach === 'coordinated';
  const workers = split ? checkedAction.parallelism : 1;
  const has = (role: AgentRole) => !direct && checkedAction.agents.includes(role);
  const modelOf = (role: AgentRole) => modelPositionOf(index, checkedAction.models[role] as string, role);
  const strategy = checkedAction.retryStrategy;
  const multiplier = checkedAction.timeoutMultiplier;
  const safety = checkedAction.safetyLevel;

  // The task's hidden size: actual work and prompt size vary around what the estimate suggests.
  const estimatedMs = context.estimatedTimeMinutes * 60_000;
  const nominalOutput = context.estimatedTimeMinutes * effects.outputTokensPerEstimatedMinute;
  const workFactor = Math.exp(effects.workSigma * normal(rng));
  const outputTokens = nominalOutput * workFactor * (1 + effects.timeoutTokenSlope * (multiplier - 1));
  const inputTokens =
    (effects.inputTokens[context.complexity] as number) *
    (1 + effects.inputPerExtraDomain * (context.domains.length - 1)) *
    Math.exp(effects.inputTokensSigma * normal(rng));
  // A call's timeout is the multiplier times the estimated time of its share of the work.
  const budgetFor = (outputShare: number) => multiplier * effects.timeoutCalibration * estimatedMs * outputShare;
  const load = system.load;
  const roleTokens = effects.roleTokens;

  let durationMs = 0;
  let qualityLogit = 0;
  let planned = false;
  /** The architect's or the consultant's call: its share of the tokens; when it succeeds, its gain × the model's planning. */
  const adviseStep = (role: 'architect' | 'consultant', description: string, gain: typeof effects.architectGain): boolean => {
    const step = playStep(
      tally,
      role,
      description,
      modelOf(role),
      Math.round(inputTokens * roleTokens[role].input),
      Math.round(outputTokens * roleTokens[role].output),
      budgetFor(roleTokens[role].output),
      load,
      strategy,
    );
    durationMs += step.durationMs;
    if (step.ok) qualityLogit += (gain[context.complexity] as number) * (models[step.model] as { planning: number }).planning;
    return step.ok;
  };
  if (has('architect')) planned = adviseStep('architect', 'Plan the change', effects.architectGain);
  if (has('consultant')) adviseStep('consultant', 'Advise on the hard parts', effects.consultantGain);

  // Executor workers run at once; each takes a share of the work plus coordination overhead.
  const executorModel = modelOf('executor');
  const workerOutput = Math.round((outputTokens / workers) * (1 + effects.parallelOverhead * (workers - 1)));
  const workerInput = Math.round(inputTokens * (0.3 + 0.7 / workers));
  const workerLoad = load + effects.loadPerParallelCall * (workers - 1);
  let executorDuration = 0;
  let executorOk = true;
  let executorLogit = 0;
  for (let worker = 0; worker < workers; worker += 1) {
    const step = playStep(
      tally,
      'executor',
      workers === 1 ? 'Implement the change' : `Implement part ${worker + 1} of ${workers}`,
      executorModel,
      workerInput,
      workerOutput,
      budgetFor((1 + effects.parallelOverhead * (workers - 1)) / workers),
      workerLoad,
      strategy,
    );
    if (step.durationMs > executorDuration) executorDuration = step.durationMs;
    if (!step.ok) executorOk = false;
    else executorLogit += index.executorLogit(step.model, context.complexity, context.taskType);
  }
  const safetyEffects = effects.safety;
  let phaseFactor = 1 + (safetyEffects.timeOverhead[safety] as number);
  if (approach === 'coordinated') phaseFactor += effects.coordinationTimeOverhead;
  durationMs += executorDuration * phaseFactor;

  const breadth = Math.max(0, context.domains.length - workers);
  const strictPenalty = safety === 'strict' ? (safetyEffects.strictPenalty[context.taskType] ?? 0) : 0;
  let extraAgents = 0;
  if (!direct) for (const role of checkedAction.agents) if (role !== 'executor') extraAgents += 1;
  const baseLogit =
    qualityLogit - effects.breadthPenalty * breadth - strictPenalty + (effects.extraAgentLogit[context.complexity] as number) * extraAgents;
  let correct = false;
  let integrationFailed = false;
  let auditorCaught = 0;
  let audited = false;
  let flagged = false;
  if (executorOk) {
    correct = rng.next() < sigmoid(baseLogit + executorLogit / workers);
    if (workers > 1) {
      const coordination =
        approach === 'coordinated' ? (planned ? effects.coordinationWithArchitect : effects.coordinationWithoutArchitect) : 1;
      const risk = integrationFailureProbability(world, context, workers, coordination);
      if (rng.next() < risk) {
        integrationFailed = correct;
        correct = false;
      }
    }
    if (has('auditor')) {
      let rounds = effects.fixRounds[approach] as number;
      const auditorModel = modelOf('auditor');
      for (;;) {
        const review = playStep(
          tally,
          'auditor',
          auditorCaught === 0 ? 'Review and test the change' : 'Review the fix',
          auditorModel,
          Math.round(inputTokens * roleTokens.auditor.input + outputTokens),
          Math.round(outputTokens * roleTokens.auditor.output),
          budgetFor(roleTokens.auditor.output),
          load,
          strategy,
        );
        durationMs += review.durationMs;
        if (!review.ok) break;
        audited = true;
        if (correct || rng.next() >= (models[review.model] as { review: number }).review) break;
        auditorCaught += 1;
        if (rounds === 0) {
          flagged = true;
          break;
        }
        rounds -= 1;
        const fix = playStep(
          tally,
          'executor',
          'Fix what the review found',
          executorModel,
          Math.round(inputTokens * roleTokens.fix.input),
          Math.round(outputTokens * roleTokens.fix.output),
          budgetFor(roleTokens.fix.output),
          load,
          strategy,
        );
        durationMs += fix.durationMs * phaseFactor;
        if (!fix.ok) {
          flagged = true;
          break;
        }
        correct = rng.next() < sigmoid(baseLogit + effects.fixGain + index.executorLogit(fix.model, context.complexity, context.taskType));
      }
    }
  }
  const delivered = executorOk && !flagged;

  // Safety: each session's executor phase may violate a rule; strict gates and a reviewer make it rarer.
  let safetyViolations = 0;
  if (tally.attempts.some((count) => count > 0)) {
    const violation =
      (safetyEffects.violationProbability[context.risk] as number) *
      (safetyEffects.levelFactor[safety] as number) *
      (safetyEffects.typeFactor[context.taskType] ?? 1) *
      (models[executorModel] as { carelessness: number }).carelessness *
      (audited ? safetyEffects.auditorFactor : 1) *
      (1 + 0.25 * (workers - 1));
    if (rng.next() < violation) safetyViolations = 1;
  }

  const tested = audited || effects.testedTypes.includes(context.taskType);
  const testsPassed = !tested ? null : !delivered ? false : correct ? true : rng.next() < effects.wrongPassesTests;
  const editsEffects = effects.userEdits;
  const editsMean = !delivered
    ? editsEffects.failed
    : !correct
      ? editsEffects.wrong
      : (editsEffects.correct[context.complexity] as number) *
        (audited ? editsEffects.auditorFactor : 1) *
        (planned ? editsEffects.architectFactor : 1);
  const userEdits = poisson(rng, editsMean);

  const success = delivered && correct;
  const budget = effects.budgetUsd[context.complexity] as number;
  const resourceEfficiency = Math.min(1, Math.max(0, 1 - tally.cost / budget));
  const modelUsageCounts: Record<string, number> = {};
  const modelOutcomes: Outcome['models'] = [];
  let totalAttempts = 0;
  let successfulAttempts = 0;
  let latencySum = 0;
  for (let position = 0; position < models.length; position += 1) {
    const attempts = tally.attempts[position] as number;
    if (attempts === 0) continue;
    const id = (models[position] as { id: string }).id;
    modelUsageCounts[id] = attempts;
    modelOutcomes.push({ model: id, attempts, successes: tally.successes[position] as number });
    totalAttempts += attempts;
    successfulAttempts += tally.successes[position] as number;
  }
  for (const latency of tally.latencies) latencySum += latency;

  // Team members that a direct approach leaves out are recorded as skipped steps.
  if (direct) {
    for (const role of checkedAction.agents) {
      if (role === 'executor') continue;
      tally.workflow.push({ id: `step-${tally.workflow.length + 1}`, agentRole: role, description: 'Not used by a direct session', status: 'skipped', attempts: [] });
    }
  }

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
  if (options.sessionId !== undefined) session.sessionId = options.sessionId;
  const outcome: Outcome = {
    schemaVersion: 1,
    success,
    durationMs,
    estimatedDurationMs: estimatedMs,
    resourceEfficiency,
    errorCount: tally.errors,
    userEdits,
    safetyViolations,
    testsPassed,
    totalCostUsd: tally.cost,
    totalTokens: tally.tokens,
    fallbackRotations: tally.rotations,
    p95LatencyMs: percentile95(tally.latencies),
    models: modelOutcomes,
  };
  return { session, outcome, system, details: { correct, delivered, auditorCaught, integrationFailed } };
}
