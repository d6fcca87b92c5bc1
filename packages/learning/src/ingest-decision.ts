import { randomUUID } from 'node:crypto';
import type { TaskContext } from '@orchestra/learning-types';
import type { LearningDecision } from './learning-runtime';
import { actionFromSession } from './session-action';
import type { IngestedSession } from './session-file';

/** The memo key of an ingested session's task (description and files). */
export function ingestTaskKey(task: IngestedSession['task']): string {
  return task === undefined ? '["",[]]' : JSON.stringify([task.description, task.files]);
}

/**
 * The decision an ingested session is recorded under: the other orchestrator acted (source `rules`, policy version
 * `external`, mode `shadow`) with the logged action (or the one its session shows) and propensity (or 1), in
 * `context` (the task's inferred context; copied, so nothing downstream changes another session's).
 */
export function ingestedDecision(ingested: IngestedSession, context: TaskContext): LearningDecision {
  const task = ingested.task ?? { description: '', files: [] };
  return {
    action: ingested.action ?? actionFromSession(ingested.session),
    propensity: ingested.propensity ?? 1,
    source: 'rules',
    policyVersion: 'external',
    explanation: [ingested.action === undefined ? 'ingested; action reconstructed from the session' : 'ingested with its logged action'],
    sessionId: ingested.session.sessionId ?? randomUUID(),
    mode: 'shadow',
    context: { ...context, domains: [...context.domains], skills: [...context.skills] },
    system: { concurrentTasks: 0, load: 0, agentAvailability: {} },
    task: { description: task.description, files: [...task.files] },
  };
}
