import { z } from 'zod';
import { agentRoleSchema, modelErrorCodeSchema, sessionPhaseSchema, stepStatusSchema } from './enums';

const count = z.number().int().nonnegative();
const finiteNonNegative = z.number().finite().nonnegative();
const isoInstant = z.iso.datetime({ offset: true });
/** An instant as the design writes it: an ISO 8601 string, or epoch milliseconds. Kept as given. */
const instant = z.union([isoInstant, finiteNonNegative]);

/**
 * Schema version of session records (`EnhancedSessionState`). Version 2 is the original design's shape
 * (`modelId`, `agentRole`, `attempts`, `totalCostEstimate`, `avgLatencyMs`, …); version 1 was this project's
 * earlier renaming of it and is migrated on read. Records without a version are read as version 2, or as
 * version 1 when they use version 1's field names.
 */
export const SESSION_SCHEMA_VERSION = 2;

/** Where `ModelUsage.estimatedCost` came from. */
export const costSourceSchema = z.enum(['provider', 'price_table', 'unknown']);
export type CostSource = z.infer<typeof costSourceSchema>;

/**
 * One call (attempt) of one agent to one model: the design's `ModelUsage`, plus optional token breakdowns, the
 * cost source and the attempt number.
 */
export const modelUsageSchema = z.object({
  /** Model id as the orchestrator names it, e.g. `glm-4.7`. */
  modelId: z.string().min(1),
  /** Provider of the model, e.g. `zai`, `moonshot`, `openai`. */
  provider: z.string().min(1).optional(),
  /** Total tokens of the call (input + output). */
  tokensUsed: count,
  inputTokens: count.optional(),
  outputTokens: count.optional(),
  cachedTokens: count.optional(),
  reasoningTokens: count.optional(),
  latencyMs: finiteNonNegative,
  success: z.boolean(),
  errorCode: modelErrorCodeSchema.optional(),
  /** The provider's error text, kept verbatim. */
  errorMessage: z.string().optional(),
  /** Why the model stopped, as the caller's SDK reports it (e.g. `stop`, `length`, `tool-calls`, `error`). */
  finishReason: z.string().min(1).optional(),
  /** When the call was made (ISO 8601 or epoch milliseconds). */
  timestamp: instant.optional(),
  /** Cost of the call in USD, when known. */
  estimatedCost: finiteNonNegative.optional(),
  costSource: costSourceSchema.default('unknown'),
  /** 1-based attempt number within its step. */
  attempt: z.number().int().positive().default(1),
});
export type ModelUsage = z.infer<typeof modelUsageSchema>;
export type ModelUsageInput = z.input<typeof modelUsageSchema>;

/**
 * One agent step of a workflow (architect plans, executor writes, …) with every model attempt it made: the
 * design's `TaskStep`, plus an optional description.
 */
export const taskStepSchema = z.object({
  id: z.string().min(1),
  agentRole: agentRoleSchema,
  description: z.string().optional(),
  status: stepStatusSchema,
  /** File the step worked on. */
  filePath: z.string().optional(),
  /** Every model call of the step, retries and fallbacks included, in order. */
  attempts: z.array(modelUsageSchema).default([]),
  /** Hash of the step's output, for deduplication. */
  outputHash: z.string().optional(),
  startTime: instant.optional(),
  endTime: instant.optional(),
  /** Duration of the step in milliseconds. */
  duration: finiteNonNegative.optional(),
});
export type TaskStep = z.infer<typeof taskStepSchema>;
export type TaskStepInput = z.input<typeof taskStepSchema>;

/** Running totals of a session, kept up to date as it runs: the design's `GlobalMetrics` plus per-model counts. */
export const globalMetricsSchema = z.object({
  /** Total cost of the session in USD. */
  totalCostEstimate: finiteNonNegative,
  /** Session start (epoch milliseconds or ISO 8601). */
  startTime: instant.optional(),
  endTime: instant.optional(),
  totalTokens: count,
  totalAttempts: count,
  successfulAttempts: count.optional(),
  failedAttempts: count.optional(),
  fallbackRotations: count.default(0),
  avgLatencyMs: finiteNonNegative,
  /** Attempts per model id. */
  modelUsageCounts: z.record(z.string(), count).default({}),
});
export type GlobalMetrics = z.infer<typeof globalMetricsSchema>;
export type GlobalMetricsInput = z.input<typeof globalMetricsSchema>;

/**
 * A whole orchestration session: its workflow of steps, its running metrics and its phase (the design's
 * `EnhancedSessionState`). Other fields of the orchestrator's session state (task, iteration, …) are kept.
 */
export const enhancedSessionStateSchema = z.looseObject({
  schemaVersion: z.literal(SESSION_SCHEMA_VERSION).default(SESSION_SCHEMA_VERSION),
  sessionId: z.string().min(1).optional(),
  workflow: z.array(taskStepSchema),
  globalMetrics: globalMetricsSchema,
  phase: sessionPhaseSchema,
});
export type EnhancedSessionState = z.infer<typeof enhancedSessionStateSchema>;
export type EnhancedSessionStateInput = z.input<typeof enhancedSessionStateSchema>;

/** Milliseconds since the epoch of an instant of a session (ISO 8601 string or epoch milliseconds). */
export function instantToMilliseconds(value: string | number): number {
  return typeof value === 'number' ? value : Date.parse(value);
}
