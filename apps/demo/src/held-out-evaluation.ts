import type { HistoryIndex } from '@orchestra/learning-features';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import type { PolicyInput } from '@orchestra/learning-policy';
import type { HeldOutTask } from '@orchestra/learning-sim';

/** What the policies decide from for a held-out task: the inferred context (never the truth), load and history. */
export function policyInputOf(heldOut: HeldOutTask, history: HistoryIndex | undefined, sessionId: string): PolicyInput {
  const context = inferTaskContext({ description: heldOut.task.description, files: heldOut.task.files }).context;
  const summary = history?.summary(context.taskType, context.domains[0]!);
  return { context, system: heldOut.system, ...(summary !== undefined && summary.sampleWeight > 0 ? { history: summary } : {}), sessionId };
}

