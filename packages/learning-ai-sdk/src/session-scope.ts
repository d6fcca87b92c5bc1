import { OrchestratorIntegration, type LearningDecision } from '@orchestra/learning';
import { agentRoles, outcomeSchema, validate, type AgentRole, type EnhancedSessionState, type OutcomeInput } from '@orchestra/learning-types';
import type { LearningSession } from './ai-sdk-learning';
import { errorMessageOf } from './error-code';
import { AiSdkLearningConfigError } from './errors';
import type { LearningLanguageModel, AttemptReport, CallRecorder } from './learning-language-model';

/*
 * One session of `AiSdkLearning`: what it decided, the models it handed out, and the events its calls recorded,
 * replayed into the facade's session when it ends.
 */

/** What a session scope may call back into (kept off the public API). */
export interface ScopeContext {
  createModel(scope: Scope, role: AgentRole): LearningLanguageModel;
  /** Logs a tracking failure (never thrown into the user's call). */
  warn(message: string): void;
  /** Catalog prices of a model (USD per 1k tokens), if the catalog knows it. */
  priceOf(modelId: string): { input: number; output: number; provider: string } | undefined;
}

/** What happened during a session, in order: replayed into an `OrchestratorIntegration` when the session ends. */
type SessionEvent =
  | { kind: 'start'; at: number; step: string; role: AgentRole }
  | { kind: 'attempt'; at: number; step: string; report: AttemptReport }
  | { kind: 'rotation'; at: number; step: string; from: string; to: string }
  | { kind: 'end'; at: number; step: string; success: boolean };

/**
 * One session's state: the decision, the models handed out, and its events. A model call only appends events (a few
 * hundred nanoseconds); they are validated and turned into the design's session (`OrchestratorIntegration`, with
 * their original timestamps) when the session ends, off the call path. Never throws into a model call.
 */
export class Scope implements CallRecorder {
  readonly decision: LearningDecision | null;
  readonly handle: LearningSession;
  outcome: OutcomeInput | undefined;
  failed = false;
  closed = false;
  readonly #owner: ScopeContext;
  readonly #models = new Map<AgentRole, LearningLanguageModel>();
  readonly #events: SessionEvent[] = [];
  readonly #startedAt = Date.now();
  #steps = 0;

  constructor(owner: ScopeContext, decision: LearningDecision | null) {
    this.#owner = owner;
    this.decision = decision;
    const id = decision?.sessionId ?? `untracked-${Math.random().toString(36).slice(2)}`;
    const agents: readonly AgentRole[] = decision?.action.agents ?? agentRoles;
    const scope = this;
    this.handle = {
      id,
      decision,
      agents,
      model: (role) => scope.#model(role),
      modelIdFor: (role) => scope.#model(role).decidedModel,
      setOutcome(outcome) {
        scope.outcome = validate(outcomeSchema, outcome, 'Outcome');
      },
      fail() {
        scope.failed = true;
      },
    };
  }

  #model(role: AgentRole): LearningLanguageModel {
    let model = this.#models.get(role);
    if (model === undefined) {
      if (!agentRoles.includes(role)) throw new AiSdkLearningConfigError({ option: 'session.model(role)', message: `unknown role "${String(role)}" (roles: ${agentRoles.join(', ')})` });
      model = this.#owner.createModel(this, role);
      this.#models.set(role, model);
    }
    return model;
  }

  startStep(role: AgentRole): string | null {
    if (this.decision === null) return null;
    if (this.closed) {
      this.#owner.warn(`session ${this.handle.id}: a ${role} call after the session ended is not recorded`);
      return null;
    }
    this.#steps += 1;
    const step = `step-${this.#steps}`;
    this.#events.push({ kind: 'start', at: Date.now(), step, role });
    return step;
  }

  attempt(step: string | null, report: AttemptReport): void {
    if (step !== null && !this.closed) this.#events.push({ kind: 'attempt', at: Date.now(), step, report });
  }

  rotation(step: string | null, from: string, to: string): void {
    if (step !== null && !this.closed) this.#events.push({ kind: 'rotation', at: Date.now(), step, from, to });
  }

  endStep(step: string | null, success: boolean): void {
    if (step !== null && !this.closed) this.#events.push({ kind: 'end', at: Date.now(), step, success });
  }

  /** Ends the session and builds it from the events (a bad event is logged and left out); null when that fails. */
  finish(phase: 'completed' | 'failed'): EnhancedSessionState | null {
    this.closed = true;
    const endedAt = Date.now();
    let clock = this.#startedAt;
    try {
      const tracker = new OrchestratorIntegration({ sessionId: this.decision!.sessionId, now: () => new Date(clock) });
      for (const event of this.#events) {
        clock = event.at;
        try {
          this.#replay(tracker, event);
        } catch (error) {
          this.#owner.warn(`session ${this.handle.id}: left out a ${event.kind} event of ${event.step} (${errorMessageOf(error)})`);
        }
      }
      clock = endedAt;
      return tracker.finish(phase);
    } catch (error) {
      this.#owner.warn(`session ${this.handle.id}: building the session failed (${errorMessageOf(error)}); not recorded`);
      return null;
    }
  }

  #replay(tracker: OrchestratorIntegration, event: SessionEvent): void {
    switch (event.kind) {
      case 'start':
        tracker.stepStarted({ id: event.step, agent: event.role });
        return;
      case 'rotation':
        tracker.fallbackRotation(event.step, { from: event.from, to: event.to });
        return;
      case 'end':
        tracker.stepEnded(event.step, event.success ? 'completed' : 'failed');
        return;
      case 'attempt': {
        const { report } = event;
        const usage = report.usage;
        const inputTokens = usage?.inputTokens.total ?? 0;
        const outputTokens = usage?.outputTokens.total ?? 0;
        const price = this.#owner.priceOf(report.modelId);
        tracker.modelAttempt(event.step, {
          model: report.modelId,
          ...(price === undefined ? {} : { provider: price.provider }),
          inputTokens,
          outputTokens,
          ...(usage?.inputTokens.cacheRead === undefined ? {} : { cachedTokens: usage.inputTokens.cacheRead }),
          ...(usage?.outputTokens.reasoning === undefined ? {} : { reasoningTokens: usage.outputTokens.reasoning }),
          latencyMs: Math.max(0, report.latencyMs),
          ...(price === undefined ? {} : { costUsd: (inputTokens * price.input + outputTokens * price.output) / 1000, costSource: 'price_table' as const }),
          success: report.error === undefined,
          ...(report.finishReason === undefined ? {} : { finishReason: report.finishReason }),
          ...(report.error === undefined ? {} : { errorCode: report.error.code, errorMessage: report.error.message }),
        });
      }
    }
  }
}
