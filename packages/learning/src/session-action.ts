import { actionRefinementsHold, compiledParse } from '@orchestra/learning-collector';
import { actionSchema, agentRoles, type Action, type AgentRole, type EnhancedSessionState } from '@orchestra/learning-types';

const parseOwnedAction = compiledParse<Action>(actionSchema, [actionRefinementsHold]);

/**
 * The action a finished session shows it was run with, for sessions ingested without one: the agents that had
 * steps (the executor always), the model each role used first, `sequential` for a team and `direct` alone,
 * parallelism 1, timeout multiplier 1, `fallback` retries when the session rotated models, `retry_with_backoff`
 * when a step retried, else `fail_fast`, and `balanced` safety. Logged with propensity 1 (deterministic): such data
 * supports no off-policy evaluation of other actions on its own.
 */
export function actionFromSession(session: EnhancedSessionState): Action {
  const models: Partial<Record<AgentRole, string>> = {};
  let retried = false;
  for (const step of session.workflow) {
    const first = step.attempts[0];
    if (first !== undefined && models[step.agentRole] === undefined) models[step.agentRole] = first.modelId;
    if (step.attempts.length > 1) retried = true;
  }
  const fallbackModel = models.executor ?? Object.values(models)[0] ?? 'unknown';
  models.executor ??= fallbackModel;
  const agents = agentRoles.filter((role) => role === 'executor' || session.workflow.some((step) => step.agentRole === role));
  const rotations = session.globalMetrics.fallbackRotations ?? 0;
  const action = {
    skills: [],
    agents,
    approach: agents.length > 1 ? 'sequential' : 'direct',
    parallelism: 1,
    timeoutMultiplier: 1,
    retryStrategy: rotations > 0 ? 'fallback' : retried ? 'retry_with_backoff' : 'fail_fast',
    safetyLevel: 'balanced',
    models: Object.fromEntries(agents.map((role) => [role, models[role] ?? fallbackModel])),
  };
  // Built here, so nothing else holds it: the compiled parse (defaults filled in place), zod when it refuses.
  return parseOwnedAction(action) ?? actionSchema.parse(action);
}
