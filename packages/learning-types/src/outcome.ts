import { z } from 'zod';

const count = z.number().int().nonnegative();

/** Per-model totals of a session, enough for the cost terms of the reward. */
export const modelOutcomeSchema = z.object({
  model: z.string().min(1),
  attempts: count,
  successes: count,
});
export type ModelOutcome = z.infer<typeof modelOutcomeSchema>;

/** Schema version of `Outcome` records. */
export const OUTCOME_SCHEMA_VERSION = 1;

/** What happened when a task ran: the task-level facts the experience reward is computed from. */
export const outcomeSchema = z.object({
  schemaVersion: z.literal(OUTCOME_SCHEMA_VERSION).default(OUTCOME_SCHEMA_VERSION),
  success: z.boolean(),
  durationMs: z.number().finite().nonnegative(),
  /** What the task was expected to take, for time efficiency. */
  estimatedDurationMs: z.number().finite().positive(),
  /** Share of the resource budget left unused, in [0, 1] (1 = used almost nothing). */
  resourceEfficiency: z.number().min(0).max(1),
  errorCount: count,
  userEdits: count.default(0),
  /** User satisfaction in [0, 1]; when absent it is derived from `userEdits` as 1 / (1 + edits). */
  userSatisfaction: z.number().min(0).max(1).optional(),
  safetyViolations: count.default(0),
  /** Whether the tests passed; `null` when the task ran none. */
  testsPassed: z.boolean().nullable().default(null),
  totalCostUsd: z.number().finite().nonnegative(),
  totalTokens: count.default(0),
  fallbackRotations: count.default(0),
  /** p95 of model-call latency within the session, when known. */
  p95LatencyMs: z.number().finite().nonnegative().optional(),
  models: z.array(modelOutcomeSchema).default([]),
});
export type Outcome = z.infer<typeof outcomeSchema>;
export type OutcomeInput = z.input<typeof outcomeSchema>;
