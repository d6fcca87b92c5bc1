import {
  OUTCOME_SCHEMA_VERSION,
  outcomeSchema,
  parseSessionState,
  instantToMilliseconds,
  validate,
  type EnhancedSessionState,
  type EnhancedSessionStateInput,
  type Outcome,
} from '@orchestra/learning-types';
import { parseOwnedOutcome } from './compiled-validator';

/** What a session does not tell and `outcomeFromSession` needs. */
export interface OutcomeFromSessionOptions {
  /** What the task was expected to take (e.g. `context.estimatedTimeMinutes × 60 000`). */
  estimatedDurationMs: number;
  /** Budget to measure `resourceEfficiency` against; without one it is the neutral 0.5. */
  budget?: { costUsd?: number; tokens?: number };
  /** Override of the measured duration (e.g. wall time measured by the orchestrator). */
  durationMs?: number;
}

function exactQuantile(sorted: readonly number[], quantile: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return sorted[Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1)];
}

/** Wall time of a session: first step start to last step completion when recorded, else the sum of call latencies. */
function sessionDurationMs(session: EnhancedSessionState): number {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const step of session.workflow) {
    if (step.startTime !== undefined) start = Math.min(start, instantToMilliseconds(step.startTime));
    if (step.endTime !== undefined) end = Math.max(end, instantToMilliseconds(step.endTime));
  }
  if (Number.isFinite(start) && Number.isFinite(end) && end >= start) return end - start;
  let total = 0;
  for (const step of session.workflow) for (const usage of step.attempts) total += usage.latencyMs;
  return total;
}

/**
 * Derives the task-level `Outcome` of a finished session: success = phase `completed`, errors = failed model calls,
 * cost/tokens/fallback rotations from `globalMetrics`, per-model attempts and successes and the exact p95 call
 * latency from the workflow. Facts a session cannot know (tests, user edits, safety violations) take their
 * neutral defaults; `resourceEfficiency` is 1 − used/budget when a budget is given, else 0.5.
 */
export function outcomeFromSession(sessionInput: EnhancedSessionStateInput | EnhancedSessionState, options: OutcomeFromSessionOptions): Outcome {
  return outcomeFromParsedSession(parseSessionState(sessionInput), options);
}

/** `outcomeFromSession` of a session parsed already (`parseSessionState`'s result): it is not parsed again. */
export function outcomeFromParsedSession(session: EnhancedSessionState, options: OutcomeFromSessionOptions): Outcome {
  const models = new Map<string, { model: string; attempts: number; successes: number }>();
  const latencies: number[] = [];
  let failedCalls = 0;
  for (const step of session.workflow) {
    for (const usage of step.attempts) {
      const entry = models.get(usage.modelId) ?? { model: usage.modelId, attempts: 0, successes: 0 };
      entry.attempts += 1;
      if (usage.success) entry.successes += 1;
      else failedCalls += 1;
      models.set(usage.modelId, entry);
      latencies.push(usage.latencyMs);
    }
  }
  latencies.sort((left, right) => left - right);
  const metrics = session.globalMetrics;
  const shares: number[] = [];
  if (options.budget?.costUsd !== undefined && options.budget.costUsd > 0) shares.push(metrics.totalCostEstimate / options.budget.costUsd);
  if (options.budget?.tokens !== undefined && options.budget.tokens > 0) shares.push(metrics.totalTokens / options.budget.tokens);
  const resourceEfficiency = shares.length === 0 ? 0.5 : Math.max(0, Math.min(1, 1 - Math.max(...shares)));
  const p95 = exactQuantile(latencies, 0.95);
  const outcome = {
    schemaVersion: OUTCOME_SCHEMA_VERSION,
    success: session.phase === 'completed',
    durationMs: options.durationMs ?? sessionDurationMs(session),
    estimatedDurationMs: options.estimatedDurationMs,
    resourceEfficiency,
    errorCount: failedCalls,
    totalCostUsd: metrics.totalCostEstimate,
    totalTokens: metrics.totalTokens,
    fallbackRotations: metrics.fallbackRotations,
    ...(p95 === undefined ? {} : { p95LatencyMs: p95 }),
    models: [...models.values()],
  };
  // Built here, so nothing else holds it: the compiled parse fills its defaults in place; zod decides otherwise.
  return parseOwnedOutcome(outcome) ?? validate(outcomeSchema, outcome, 'Outcome');
}
