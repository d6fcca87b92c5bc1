import { SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { LearningDecision } from './learning-runtime';

/** Name of the span every decision becomes. */
export const DECIDE_SPAN_NAME = 'orchestra.decide';
/** Instrumentation scope of the facade's spans. */
export const TRACER_NAME = '@orchestra/learning';

/**
 * The facade's tracer: the application's registered OpenTelemetry SDK (`@opentelemetry/api`'s global tracer
 * provider, also when it is registered after this module loads), or the API's no-op tracer when the application
 * installed none — then a decision costs one no-op span (a few dozen nanoseconds) and no attribute is built.
 */
export function defaultDecisionTracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

/**
 * The attributes of an `orchestra.decide` span: why this session runs as it does — the mode, the policy (source,
 * version), the exact propensity logged with the experience, the A/B arm, a fallback reason, the chosen action and
 * the task's inferred context. Attribute names are `orchestra.*` (the GenAI conventions have no decision span).
 */
export function decisionAttributes(decision: LearningDecision & { fallbackReason?: string }, abFraction: number): Attributes {
  const action = decision.action;
  const attributes: Attributes = {
    'orchestra.session.id': decision.sessionId,
    'orchestra.learning.mode': decision.mode,
    'orchestra.policy.source': decision.source,
    'orchestra.policy.version': decision.policyVersion,
    'orchestra.decision.propensity': decision.propensity,
    'orchestra.action.agents': [...action.agents],
    'orchestra.action.approach': action.approach,
    'orchestra.action.parallelism': action.parallelism,
    'orchestra.action.timeout_multiplier': action.timeoutMultiplier,
    'orchestra.action.retry_strategy': action.retryStrategy,
    'orchestra.action.safety_level': action.safetyLevel,
    'orchestra.action': JSON.stringify(action),
    'orchestra.task.type': decision.context.taskType,
    'orchestra.task.domain': decision.context.domains[0] ?? '',
    'orchestra.task.complexity': decision.context.complexity,
    'orchestra.task.risk': decision.context.risk,
  };
  for (const [role, model] of Object.entries(action.models)) if (typeof model === 'string') attributes[`orchestra.action.model.${role}`] = model;
  if (decision.mode === 'ab_test') {
    attributes['orchestra.ab.arm'] = decision.arm ?? decision.source;
    attributes['orchestra.ab.fraction'] = abFraction;
  }
  if (decision.costWeight !== undefined) attributes['orchestra.decision.cost_weight'] = decision.costWeight;
  if (decision.fallbackReason !== undefined) attributes['orchestra.decision.fallback_reason'] = decision.fallbackReason;
  if (decision.explanation.length > 0) attributes['orchestra.decision.explanation'] = decision.explanation.slice(0, 16);
  return attributes;
}

/** Starts the span of one decision (a child of the application's active span, when there is one). */
export function startDecisionSpan(tracer: Tracer): Span {
  return tracer.startSpan(DECIDE_SPAN_NAME, { kind: SpanKind.INTERNAL });
}

/** Completes a decision's span: its attributes (only when an SDK records it), then its end. */
export function endDecisionSpan(span: Span, decision: (LearningDecision & { fallbackReason?: string }) | undefined, abFraction: () => number, error?: unknown): void {
  if (span.isRecording()) {
    if (decision !== undefined) span.setAttributes(decisionAttributes(decision, abFraction()));
    if (error !== undefined) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    }
  }
  span.end();
}
