import {
  actionSchema,
  systemStateSchema,
  validate,
  type Action,
  type AgentRole,
  type EnhancedSessionState,
  type Outcome,
  type SystemState,
  type TaskContext,
} from '@orchestra/learning-types';
import { normal, poisson, type UniformSource } from './random';
import { percentile } from './statistics';
import { createTally, playStep, sessionRecord, type StepCall, type StepResult, type Tally } from './step-player';
import type { SimulatedTask } from './task-sampler';
import { indexWorld, modelPositionOf, sigmoid } from './world-index';
import {
  adviceGain,
  breadthPenalty,
  callBudgetMs,
  coordinationFactor,
  correctEditsMean,
  estimatedMs,
  extraAgentsLogit,
  integrationFailureProbability,
  outputTokens,
  phaseFactor,
  promptTokens,
  resourceEfficiency,
  stepShares,
  strictPenalty,
  testedWithoutReview,
  violationProbability,
  workerLoad,
} from './world-mechanics';
import type { World, WorldModel } from './world-schema';

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

/** Draws the orchestrator's load for one session from the world's system distribution. */
export function sampleSystem(world: World, rng: UniformSource): SystemState {
  const load = world.system.loadMin + rng.next() * (world.system.loadMax - world.system.loadMin);
  return { concurrentTasks: Math.round(load * world.system.maxConcurrentTasks), load, agentAvailability: {} };
}

/** The session as it unfolds: the action, the task's hidden sizes, and what the steps so far produced. */
interface SessionPlay {
  readonly world: World;
  readonly tally: Tally;
  readonly action: Action;
  readonly context: TaskContext;
  readonly load: number;
  readonly workers: number;
  readonly estimatedMs: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** The executor's model position (resolved after the advisory steps, so that their unknown models are named first). */
  executorModel: number;
  durationMs: number;
  qualityLogit: number;
  planned: boolean;
}

/** How the executor workers and the review ended. */
interface ResultState {
  executorOk: boolean;
  correct: boolean;
  integrationFailed: boolean;
  auditorCaught: number;
  audited: boolean;
  flagged: boolean;
}

function hasRole(action: Action, role: AgentRole): boolean {
  return action.approach !== 'direct' && action.agents.includes(role);
}

function modelOf(play: SessionPlay, role: AgentRole): number {
  return modelPositionOf(play.tally.index, play.action.models[role] as string, role);
}

/** Plays one call of `role` at the session's load with its share of the prompt and the output. */
function playRoleStep(play: SessionPlay, role: 'architect' | 'consultant' | 'auditor' | 'fix', description: string, model: number): StepResult {
  const effects = play.world.effects;
  const shares = stepShares(effects, role, 1);
  const input = play.inputTokens * shares.input;
  const call: StepCall = {
    inputTokens: Math.round(role === 'auditor' ? input + play.outputTokens : input),
    outputTokens: Math.round(play.outputTokens * shares.output),
    budgetMs: callBudgetMs(effects, play.action.timeoutMultiplier, play.estimatedMs, shares.output),
    load: play.load,
  };
  return playStep(play.tally, role === 'fix' ? 'executor' : role, description, model, call, play.action.retryStrategy);
}

/** The architect's or the consultant's call: when it succeeds, its gain × the model's planning. */
function playAdvice(play: SessionPlay, role: 'architect' | 'consultant', description: string): boolean {
  const step = playRoleStep(play, role, description, modelOf(play, role));
  play.durationMs += step.durationMs;
  const gain = role === 'architect' ? play.world.effects.architectGain : play.world.effects.consultantGain;
  if (step.ok) play.qualityLogit += adviceGain(gain, play.context, play.tally.index.models[step.model] as WorldModel);
  return step.ok;
}

/** Executor workers run at once; each takes a share of the work plus coordination overhead. Returns the slowest. */
function playExecutors(play: SessionPlay): { ok: boolean; logit: number; durationMs: number } {
  const { workers, context, world } = play;
  const shares = stepShares(world.effects, 'executor', workers);
  const call: StepCall = {
    inputTokens: Math.round(play.inputTokens * shares.input),
    outputTokens: Math.round(play.outputTokens * shares.output),
    budgetMs: callBudgetMs(world.effects, play.action.timeoutMultiplier, play.estimatedMs, shares.output),
    load: workerLoad(world.effects, play.load, workers),
  };
  let durationMs = 0;
  let ok = true;
  let logit = 0;
  for (let worker = 0; worker < workers; worker += 1) {
    const description = workers === 1 ? 'Implement the change' : `Implement part ${worker + 1} of ${workers}`;
    const step = playStep(play.tally, 'executor', description, play.executorModel, call, play.action.retryStrategy);
    if (step.durationMs > durationMs) durationMs = step.durationMs;
    if (!step.ok) ok = false;
    else logit += play.tally.index.executorLogit(step.model, context.complexity, context.taskType);
  }
  return { ok, logit, durationMs };
}

/** Review rounds: the auditor reviews; a wrong result it catches is fixed (and reviewed again) while rounds last. */
function playReview(play: SessionPlay, state: ResultState, baseLogit: number, phase: number): void {
  const { world, context, tally } = play;
  const effects = world.effects;
  let rounds = effects.fixRounds[play.action.approach] as number;
  const auditorModel = modelOf(play, 'auditor');
  for (;;) {
    const review = playRoleStep(play, 'auditor', state.auditorCaught === 0 ? 'Review and test the change' : 'Review the fix', auditorModel);
    play.durationMs += review.durationMs;
    if (!review.ok) return;
    state.audited = true;
    if (state.correct || tally.rng.next() >= (tally.index.models[review.model] as WorldModel).review) return;
    state.auditorCaught += 1;
    if (rounds === 0) {
      state.flagged = true;
      return;
    }
    rounds -= 1;
    const fix = playRoleStep(play, 'fix', 'Fix what the review found', play.executorModel);
    play.durationMs += fix.durationMs * phase;
    if (!fix.ok) {
      state.flagged = true;
      return;
    }
    const fixLogit = baseLogit + effects.fixGain + tally.index.executorLogit(fix.model, context.complexity, context.taskType);
    state.correct = tally.rng.next() < sigmoid(fixLogit);
  }
}

/** Plays the team: advice, executor workers, correctness and integration, then the review rounds. */
function playTeam(play: SessionPlay): ResultState {
  const { action, context, world, workers, tally } = play;
  const effects = world.effects;
  if (hasRole(action, 'architect')) play.planned = playAdvice(play, 'architect', 'Plan the change');
  if (hasRole(action, 'consultant')) playAdvice(play, 'consultant', 'Advise on the hard parts');
  play.executorModel = modelOf(play, 'executor');
  const executors = playExecutors(play);
  const phase = phaseFactor(effects, action.safetyLevel, action.approach);
  play.durationMs += executors.durationMs * phase;

  let extraAgents = 0;
  if (action.approach !== 'direct') for (const role of action.agents) if (role !== 'executor') extraAgents += 1;
  const baseLogit =
    play.qualityLogit -
    breadthPenalty(effects, context, workers) -
    strictPenalty(effects, context, action.safetyLevel) +
    extraAgentsLogit(effects, context, extraAgents);
  const state: ResultState = { executorOk: executors.ok, correct: false, integrationFailed: false, auditorCaught: 0, audited: false, flagged: false };
  if (!executors.ok) return state;
  state.correct = tally.rng.next() < sigmoid(baseLogit + executors.logit / workers);
  if (workers > 1) {
    const risk = integrationFailureProbability(world, context, workers, coordinationFactor(effects, action.approach, play.planned));
    if (tally.rng.next() < risk) {
      state.integrationFailed = state.correct;
      state.correct = false;
    }
  }
  if (hasRole(action, 'auditor')) playReview(play, state, baseLogit, phase);
  return state;
}

/** Safety, tests and the user's edits, drawn after the calls; then the session record and the outcome. */
function finishSession(play: SessionPlay, state: ResultState, system: SystemState, sessionId: string | undefined): SimulatedSession {
  const { tally, context, action, world } = play;
  const effects = world.effects;
  const rng = tally.rng;
  const delivered = state.executorOk && !state.flagged;
  const { correct, audited } = state;
  // Safety: each session's executor phase may violate a rule; strict gates and a reviewer make it rarer.
  let safetyViolations = 0;
  if (tally.attempts.some((count) => count > 0)) {
    const carelessness = (tally.index.models[play.executorModel] as WorldModel).carelessness;
    const reviewFactor = audited ? effects.safety.auditorFactor : 1;
    if (rng.next() < violationProbability(effects, context, action.safetyLevel, carelessness, reviewFactor, play.workers)) safetyViolations = 1;
  }
  const tested = audited || testedWithoutReview(effects, context);
  const testsPassed = !tested ? null : !delivered ? false : correct ? true : rng.next() < effects.wrongPassesTests;
  const editsEffects = effects.userEdits;
  const editsMean = !delivered
    ? editsEffects.failed
    : !correct
      ? editsEffects.wrong
      : correctEditsMean(effects, context, audited ? editsEffects.auditorFactor : 1, play.planned ? editsEffects.architectFactor : 1);
  const userEdits = poisson(rng, editsMean);

  // Team members that a direct approach leaves out are recorded as skipped steps.
  if (action.approach === 'direct') {
    for (const role of action.agents) {
      if (role === 'executor') continue;
      tally.workflow.push({ id: `step-${tally.workflow.length + 1}`, agentRole: role, description: 'Not used by a direct session', status: 'skipped', attempts: [] });
    }
  }
  const { session, models } = sessionRecord(tally, delivered);
  if (sessionId !== undefined) session.sessionId = sessionId;
  const outcome: Outcome = {
    schemaVersion: 1,
    success: delivered && correct,
    durationMs: play.durationMs,
    estimatedDurationMs: play.estimatedMs,
    resourceEfficiency: resourceEfficiency(effects, context, tally.cost),
    errorCount: tally.errors,
    userEdits,
    safetyViolations,
    testsPassed,
    totalCostUsd: tally.cost,
    totalTokens: tally.tokens,
    fallbackRotations: tally.rotations,
    p95LatencyMs: tally.latencies.length === 0 ? 0 : percentile(tally.latencies, 0.95),
    models,
  };
  const details = { correct, delivered, auditorCaught: state.auditorCaught, integrationFailed: state.integrationFailed };
  return { session, outcome, system, details };
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
  const context = task.trueContext;
  const system = options.system === undefined ? sampleSystem(world, rng) : validate(systemStateSchema, options.system, 'SystemState');
  const tally = createTally(index, rng);
  const split = checkedAction.approach === 'parallel' || checkedAction.approach === 'coordinated';
  // The task's hidden size: actual work and prompt size vary around what the estimate suggests (work drawn first).
  const output = outputTokens(world.effects, context, checkedAction.timeoutMultiplier, normal(rng));
  const play: SessionPlay = {
    world,
    tally,
    action: checkedAction,
    context,
    load: system.load,
    workers: split ? checkedAction.parallelism : 1,
    estimatedMs: estimatedMs(context),
    outputTokens: output,
    inputTokens: promptTokens(world.effects, context, normal(rng)),
    executorModel: -1,
    durationMs: 0,
    qualityLogit: 0,
    planned: false,
  };
  const state = playTeam(play);
  return finishSession(play, state, system, options.sessionId);
}
