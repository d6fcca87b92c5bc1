import {
  applyOutcomePatch,
  experienceReward,
  outcomeRewardDelta,
  priceSession,
  rewardConfigVersion,
  sessionReward,
  UnknownModelPriceError,
  type RewardConfig,
} from '@orchestra/learning-reward';
import type { Experience, RewardAmendment, RewardBreakdown } from '@orchestra/learning-types';
import type { OutcomeEventIndex } from './outcome-event-log';
import type { ActiveRewardVersion } from './reward-versions';

/** What a read joins into each stored experience. */
export interface JoinContext {
  /** Outcome events by session id. */
  events: OutcomeEventIndex;
  /** The reward version in force (null: the stored figures). */
  version: ActiveRewardVersion | null;
  /** The reward configuration amendments are scored with when no version is in force. */
  reward: RewardConfig;
}

/** Whether a join context changes anything (no events and no version: every record reads as stored). */
export function joinChangesAnything(context: JoinContext): boolean {
  return context.version !== null || context.events.events > 0;
}

/**
 * The experience as it reads now: the stored record, re-scored by the reward version in force (its prices re-cost
 * the session's calls from their token counts; its configuration re-scores the reward of the record's `kind`), then
 * amended by the session's outcome events in order (each replaces outcome facts; the reward moves by what the facts
 * are worth under the task-level reward). The breakdown then carries `original` (the stored figures), `rewardVersion`
 * and `amendments` (which event changed what). A record neither touches comes back as it is (the same object).
 */
export function joinExperience(experience: Experience, context: JoinContext): Experience {
  const events = experience.sessionId === undefined ? undefined : context.events.bySession.get(experience.sessionId);
  const version = context.version;
  if (events === undefined && version === null) return experience;
  const config = version?.config ?? context.reward;
  let outcome = experience.outcome;
  let session = experience.session;
  let reward: RewardBreakdown = experience.reward;
  if (version !== null) {
    if (version.version.prices !== null && session !== undefined) {
      try {
        session = priceSession(session, { table: version.version.prices, overwrite: 'all' });
        outcome = { ...outcome, totalCostUsd: session.globalMetrics.totalCostEstimate };
      } catch (error) {
        // A model the new table does not price keeps its stored costs (the record says so: no rewardVersion cost).
        if (!UnknownModelPriceError.isInstance(error)) throw error;
        session = experience.session;
      }
    }
    // A session-level reward needs the session; a record stored without one keeps its stored reward.
    if (reward.kind === 'session') reward = session === undefined ? reward : sessionReward(session, config);
    else reward = experienceReward(outcome, config);
  }
  const amendments: RewardAmendment[] = [];
  if (events !== undefined) {
    let delta = 0;
    let current = outcome;
    for (const event of events) {
      const { outcome: next, changed } = applyOutcomePatch(current, event.patch);
      if (Object.keys(changed).length === 0) continue;
      const rewardDelta = outcomeRewardDelta(current, next, config);
      amendments.push({ eventId: event.id, timestamp: event.timestamp, changed, rewardDelta });
      delta += rewardDelta;
      current = next;
    }
    if (amendments.length > 0) {
      const scoredWith = reward.configVersion === rewardConfigVersion(config);
      // A task-level reward of the same configuration is re-scored whole (its components then name the new facts);
      // any other keeps its components plus one `outcomeAmendments` component, so the total stays their exact sum.
      reward =
        reward.kind === 'outcome' && scoredWith
          ? experienceReward(current, config)
          : { ...reward, components: { ...reward.components, outcomeAmendments: delta }, total: reward.total + delta };
      outcome = current;
    }
  }
  if (version === null && amendments.length === 0) return experience;
  const joined: RewardBreakdown = {
    ...reward,
    original: {
      total: experience.reward.total,
      costUsd: experience.outcome.totalCostUsd,
      ...(experience.reward.configVersion === undefined ? {} : { configVersion: experience.reward.configVersion }),
    },
    ...(version === null ? {} : { rewardVersion: version.version.id }),
    ...(amendments.length === 0 ? {} : { amendments }),
  };
  const result: Experience = { ...experience, outcome, reward: joined };
  if (session !== undefined) result.session = session;
  return result;
}
