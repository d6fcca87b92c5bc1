import type { PolicyInput } from '../policy';

/** A policy input with sensible defaults (a medium backend feature, idle system), patched by `patch`. */
export function makeInput(patch: { context?: Partial<PolicyInput['context']>; system?: Partial<PolicyInput['system']>; history?: PolicyInput['history']; sessionId?: string } = {}): PolicyInput {
  return {
    context: { taskType: 'feature', domains: ['backend'], complexity: 'medium', risk: 'medium', estimatedTimeMinutes: 30, skills: [], ...patch.context },
    system: { concurrentTasks: 0, load: 0.1, ...patch.system },
    ...(patch.history === undefined ? {} : { history: patch.history }),
    ...(patch.sessionId === undefined ? {} : { sessionId: patch.sessionId }),
  };
}
