import {
  agentRoleSchema,
  modelErrorCodeSchema,
  parseSessionState,
  validate,
  type AgentRole,
  type EnhancedSessionState,
  type ModelErrorCode,
  type ModelUsage,
  type SessionPhase,
  type StepStatus,
  type TaskStep,
} from '@orchestra/learning-types';
import { z } from 'zod';

/**
 * A step the orchestrator starts: which agent (`agent`, or the design's `agentRole`), and an id unique within the
 * session (generated when omitted).
 */
export const stepStartSchema = z
  .object({
    id: z.string().min(1).optional(),
    agent: agentRoleSchema.optional(),
    /** The design's name of `agent`. */
    agentRole: agentRoleSchema.optional(),
    description: z.string().optional(),
    /** File the step works on (kept as the step's `filePath`). */
    filePath: z.string().optional(),
  })
  .refine((start) => start.agent !== undefined || start.agentRole !== undefined, { message: 'agent (or agentRole) is required', path: ['agent'] });
export type StepStart = z.input<typeof stepStartSchema>;

/**
 * One model call of a step, as the orchestrator observed it. The design's `ModelUsage` names are accepted too:
 * `modelId` for `model`, `tokensUsed` for `tokens`, `estimatedCost` for `costUsd`.
 */
export const modelAttemptSchema = z
  .object({
  model: z.string().min(1).optional(),
  modelId: z.string().min(1).optional(),
  provider: z.string().min(1).optional(),
  inputTokens: z.number().int().nonnegative().optional(),
  outputTokens: z.number().int().nonnegative().optional(),
  /** Input tokens read from the provider's cache, and reasoning tokens among the output tokens, when known. */
  cachedTokens: z.number().int().nonnegative().optional(),
  reasoningTokens: z.number().int().nonnegative().optional(),
  /** Total tokens; defaults to input + output. */
  tokens: z.number().int().nonnegative().optional(),
  tokensUsed: z.number().int().nonnegative().optional(),
  latencyMs: z.number().finite().nonnegative(),
  /** USD of the call as the provider reported it (0 when unknown; the reward package's `priceSession` can fill it). */
  costUsd: z.number().finite().nonnegative().optional(),
  estimatedCost: z.number().finite().nonnegative().optional(),
  /** Where the cost comes from when one is given: the provider's bill (default) or a price table (e.g. the model catalog). */
  costSource: z.enum(['provider', 'price_table']).optional(),
  success: z.boolean(),
  errorCode: modelErrorCodeSchema.optional(),
  /** The provider's error text (kept verbatim in the session's `errorMessage`). */
  errorMessage: z.string().optional(),
  /** Why the model stopped (the SDK's finish reason: `stop`, `length`, `tool-calls`, …). */
  finishReason: z.string().min(1).optional(),
  })
  .refine((attempt) => attempt.model !== undefined || attempt.modelId !== undefined, { message: 'model (or modelId) is required', path: ['model'] });
export type ModelAttempt = z.input<typeof modelAttemptSchema>;

/**
 * Builds an `EnhancedSessionState` from an orchestrator's own events and keeps its `GlobalMetrics` up to date as the
 * session runs. Wire it with five calls:
 *
 * ```ts
 * const tracker = new OrchestratorIntegration({ sessionId });
 * const step = tracker.stepStarted({ agent: 'executor' });
 * tracker.modelAttempt(step, { model: 'glm-4.7', tokens: 1200, latencyMs: 900, costUsd: 0.01, success: false, errorCode: 'RATE_LIMIT_429' });
 * tracker.fallbackRotation(step, { from: 'glm-4.7', to: 'kimi-k2.5' });
 * tracker.stepEnded(step, 'completed');
 * const session = tracker.finish();          // phase completed, or 'failed' when a step failed
 * ```
 * Every event is validated; a bad one throws `ValidationError` and leaves the state unchanged.
 */
export class OrchestratorIntegration {
  private readonly steps: TaskStep[] = [];
  private readonly stepsById = new Map<string, TaskStep>();
  private readonly sessionId: string | undefined;
  private phase: SessionPhase = 'planning';
  private totalCost = 0;
  private totalTokens = 0;
  private totalAttempts = 0;
  private successfulAttempts = 0;
  private latencySum = 0;
  private readonly startTime: number;
  private endTime: number | undefined;
  private fallbackRotations = 0;
  private readonly modelUsageCounts: Record<string, number> = {};
  private readonly now: () => Date;
  private finished = false;

  constructor(options: { sessionId?: string; now?: () => Date } = {}) {
    this.sessionId = options.sessionId;
    this.now = options.now ?? (() => new Date());
    this.startTime = this.now().getTime();
  }

  /** Starts a step; returns its id (pass it to the other calls). The phase follows the agent (architect → planning, executor → executing, auditor → auditing). */
  stepStarted(start: StepStart): string {
    this.assertOpen();
    const parsed = validate(stepStartSchema, start, 'step start');
    const id = parsed.id ?? `step-${this.steps.length + 1}`;
    if (this.stepsById.has(id)) throw new RangeError(`step id "${id}" is already used in this session`);
    const agent = (parsed.agent ?? parsed.agentRole)!;
    const step: TaskStep = { id, agentRole: agent, status: 'running', attempts: [], startTime: this.now().toISOString() };
    if (parsed.description !== undefined) step.description = parsed.description;
    if (parsed.filePath !== undefined) step.filePath = parsed.filePath;
    this.steps.push(step);
    this.stepsById.set(id, step);
    this.phase = phaseOf(agent, this.phase);
    return id;
  }

  /** Records one model call of a step; the global metrics (cost, tokens, attempts, mean latency, per-model counts) follow. */
  modelAttempt(stepId: string, attempt: ModelAttempt): ModelUsage {
    this.assertOpen();
    const step = this.step(stepId);
    const parsed = validate(modelAttemptSchema, attempt, 'model attempt');
    const tokens = parsed.tokens ?? parsed.tokensUsed ?? (parsed.inputTokens ?? 0) + (parsed.outputTokens ?? 0);
    const reportedCost = parsed.costUsd ?? parsed.estimatedCost;
    const cost = reportedCost ?? 0;
    const usage: ModelUsage = {
      modelId: (parsed.model ?? parsed.modelId)!,
      tokensUsed: tokens,
      latencyMs: parsed.latencyMs,
      success: parsed.success,
      estimatedCost: cost,
      costSource: reportedCost === undefined ? 'unknown' : (parsed.costSource ?? 'provider'),
      attempt: step.attempts.length + 1,
      timestamp: this.now().toISOString(),
    };
    if (parsed.provider !== undefined) usage.provider = parsed.provider;
    if (parsed.inputTokens !== undefined) usage.inputTokens = parsed.inputTokens;
    if (parsed.outputTokens !== undefined) usage.outputTokens = parsed.outputTokens;
    if (parsed.cachedTokens !== undefined) usage.cachedTokens = parsed.cachedTokens;
    if (parsed.reasoningTokens !== undefined) usage.reasoningTokens = parsed.reasoningTokens;
    if (parsed.finishReason !== undefined) usage.finishReason = parsed.finishReason;
    if (parsed.errorCode !== undefined) usage.errorCode = parsed.errorCode as ModelErrorCode;
    if (parsed.errorMessage !== undefined) usage.errorMessage = parsed.errorMessage;
    step.attempts.push(usage);
    this.totalCost += cost;
    this.totalTokens += tokens;
    this.totalAttempts += 1;
    if (usage.success) this.successfulAttempts += 1;
    this.latencySum += usage.latencyMs;
    this.modelUsageCounts[usage.modelId] = (this.modelUsageCounts[usage.modelId] ?? 0) + 1;
    return usage;
  }

  /** Records that the orchestrator rotated a step to another model after failures (counted in `fallbackRotations`). */
  fallbackRotation(stepId: string, _rotation: { from?: string; to?: string } = {}): void {
    this.assertOpen();
    this.step(stepId);
    this.fallbackRotations += 1;
  }

  /** Ends a step with its final status. */
  stepEnded(stepId: string, status: Extract<StepStatus, 'completed' | 'failed' | 'skipped'>): void {
    this.assertOpen();
    const step = this.step(stepId);
    if (status !== 'completed' && status !== 'failed' && status !== 'skipped') throw new RangeError(`unknown final step status "${String(status)}"`);
    step.status = status;
    this.endStep(step);
  }

  private endStep(step: TaskStep): void {
    const end = this.now();
    step.endTime = end.toISOString();
    if (typeof step.startTime === 'string') step.duration = Math.max(0, end.getTime() - Date.parse(step.startTime));
  }

  /** The session so far (a valid `EnhancedSessionState`; steps still running show as `running`). */
  snapshot(): EnhancedSessionState {
    return parseSessionState({
      ...(this.sessionId === undefined ? {} : { sessionId: this.sessionId }),
      workflow: this.steps.map((step) => ({ ...step, attempts: step.attempts.map((usage) => ({ ...usage })) })),
      globalMetrics: this.globalMetrics(),
      phase: this.phase,
    });
  }

  /**
   * Ends the session and returns it. The phase is `phase` when given, else `failed` when any step failed, else
   * `completed`. Steps still running are marked failed (the orchestrator stopped without ending them).
   */
  finish(phase?: Extract<SessionPhase, 'completed' | 'failed'>): EnhancedSessionState {
    this.assertOpen();
    for (const step of this.steps) {
      if (step.status === 'running' || step.status === 'pending') {
        step.status = 'failed';
        this.endStep(step);
      }
    }
    this.endTime = this.now().getTime();
    this.phase = phase ?? (this.steps.some((step) => step.status === 'failed') ? 'failed' : 'completed');
    const session = this.snapshot();
    this.finished = true;
    return session;
  }

  /** The running totals, as `GlobalMetrics`. */
  globalMetrics(): EnhancedSessionState['globalMetrics'] {
    return {
      totalCostEstimate: this.totalCost,
      startTime: this.startTime,
      ...(this.endTime === undefined ? {} : { endTime: this.endTime }),
      totalTokens: this.totalTokens,
      totalAttempts: this.totalAttempts,
      successfulAttempts: this.successfulAttempts,
      failedAttempts: this.totalAttempts - this.successfulAttempts,
      avgLatencyMs: this.totalAttempts === 0 ? 0 : this.latencySum / this.totalAttempts,
      fallbackRotations: this.fallbackRotations,
      modelUsageCounts: { ...this.modelUsageCounts },
    };
  }

  private step(stepId: string): TaskStep {
    const step = this.stepsById.get(stepId);
    if (step === undefined) throw new RangeError(`unknown step id "${stepId}"; call stepStarted first`);
    return step;
  }

  private assertOpen(): void {
    if (this.finished) throw new Error('this session is finished; create a new OrchestratorIntegration for the next one');
  }
}

function phaseOf(agent: AgentRole, current: SessionPhase): SessionPhase {
  if (agent === 'architect') return current === 'planning' ? 'planning' : current;
  if (agent === 'auditor') return 'auditing';
  return 'executing';
}
