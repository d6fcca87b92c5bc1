import type { Outcome, OutcomePatch, RewardAmendment } from '@orchestra/learning-types';
import { resolveRewardConfig, type RewardConfig, type RewardConfigInput } from './config';
import { experienceReward } from './experience-reward';

type PatchField = keyof OutcomePatch;
const patchFields: readonly PatchField[] = ['success', 'testsPassed', 'userEdits', 'safetyViolations'];

/**
 * Applies a later outcome (`OutcomePatch`) to an outcome: each field present replaces the stored one. A patched
 * `userEdits` also drops a stored `userSatisfaction`, so that satisfaction follows the edits observed later.
 * Returns the new outcome and the fields that changed (`from` → `to`); an event that repeats known facts changes
 * nothing.
 */
export function applyOutcomePatch(outcome: Outcome, patch: OutcomePatch): { outcome: Outcome; changed: RewardAmendment['changed'] } {
  const next: Outcome = { ...outcome };
  const changed: RewardAmendment['changed'] = {};
  for (const field of patchFields) {
    const value = patch[field];
    if (value === undefined || outcome[field] === value) continue;
    changed[field] = { from: outcome[field], to: value };
    (next as Record<PatchField, unknown>)[field] = value;
  }
  if (changed.userEdits !== undefined && next.userSatisfaction !== undefined) {
    changed.userSatisfaction = { from: next.userSatisfaction, to: null };
    delete next.userSatisfaction;
  }
  return { outcome: next, changed };
}

/**
 * What an outcome change is worth under the task-level reward (`experienceReward`): the difference of the two
 * totals. The patched facts (success, tests, user edits, safety) are scored only there, so a session-level reward
 * is amended by the same amount.
 */
export function outcomeRewardDelta(before: Outcome, after: Outcome, config?: RewardConfigInput | RewardConfig): number {
  const resolved = resolveRewardConfig(config);
  return experienceReward(after, resolved).total - experienceReward(before, resolved).total;
}
