import { z } from 'zod';
import { agentRoleSchema, modelErrorCodeSchema, sessionPhaseSchema, stepStatusSchema } from './enums';

const count = z.number().int().nonnegative();
const finiteNonNegative = z.number().finite().nonnegative();

/** Schema version of session records (`EnhancedSessionState`). Records without one are read as this version. */
export const SESSION_SCHEMA_VERSION = 1;

/** Where `ModelUsage.estimatedCost` came from. */
export const costSourceSchema = z.enum(['provider', 'price_table', 'unknown']);
export type CostSource = z.infer<typeof costSourceSchema>;

/** One call (attempt) of one agent to one model. */
export const modelUsageSchema = z.object({
  /** Model id as the orchestrator names it, e.g. `glm-4.7`. */
  model: z.string().min(1),
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
  /** Cost of the call in USD. */
  estimatedCost: finiteNonNegative,
  costSource: costSourceSchema.default('unknown'),
  /** 1-based attempt number within its step. */
  attempt: z.number().int().positive().default(1),
  timestamp: z.iso.datetime({ offset: true }).optional(),
});
export type ModelUsage = z.infer<typeof modelUsageSchema>;
export type ModelUsageInput = z.input<typeof modelUsageSchema>;

/** One agent step of a workflow (architect plans, executor writes, …) with every model attempt it made. */
export const taskStepSchema = z.object({
  id: z.string().min(1),
  agent: agentRoleSchema,
  description: z.string().optional(),
  status: stepStatusSchema,
  modelUsage: z.array(modelUsageSchema).default([]),
  startedAt: z.iso.datetime({ offset: true }).optional(),
  completedAt: z.iso.datetime({ offset: true }).optional(),
});
export type TaskStep = z.infer<typeof taskStepSchema>;

/** Running totals of a session, kept up to date as it runs. */
export const globalMetricsSchema = z.object({
  totalCost: finiteNonNegative,
  totalTokens: count,
  totalAttempts: count,
  averageLatencyMs: finiteNonNegative,
  fallbackRotations: count.default(0),
  /** Attempts per model id. */
  modelUsageCounts: z.record(z.string(), count).default({}),
});
export type GlobalMetrics = z.infer<typeof globalMetricsSchema>;

/** A whole orchestration session: its workflow of steps, its running metrics and its phase. */
export const enhancedSessionStateSchema = z.object({
  schemaVersion: z.literal(SESSION_SCHEMA_VERSION).default(SESSION_SCHEMA_VERSION),
  sessionId: z.string().min(1).optional(),
  workflow: z.array(taskStepSchema),
  globalMetrics: globalMetricsSchema,
  phase: sessionPhaseSchema,
});
export type EnhancedSessionState = z.infer<typeof enhancedSessionStateSchema>;
export type EnhancedSessionStateInput = z.input<typeof enhancedSessionStateSchema>;
