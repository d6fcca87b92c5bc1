import { z } from 'zod';

/** One outcome event joined into a reward: what it changed and by how much it moved the total. */
export const rewardAmendmentSchema = z.object({
  /** The outcome event's id. */
  eventId: z.string().min(1),
  /** When the outcome became known. */
  timestamp: z.string().min(1),
  /** Outcome field → its value before and after the event (only the fields it changed). */
  changed: z.record(z.string(), z.object({ from: z.union([z.boolean(), z.number(), z.null()]), to: z.union([z.boolean(), z.number(), z.null()]) })),
  /** What the event added to the total. */
  rewardDelta: z.number().finite(),
});
export type RewardAmendment = z.infer<typeof rewardAmendmentSchema>;

/** A reward and the named components it is the exact sum of. */
export const rewardBreakdownSchema = z.object({
  total: z.number().finite(),
  /** Component name → contribution; the values add up to `total`. */
  components: z.record(z.string(), z.number().finite()),
  /** Counts that were beyond a configured cap and so not scored further (never silent). */
  capped: z.array(z.string()).default([]),
  /**
   * Which reward definition scored it: `session` (`sessionReward`, from the session alone) or `outcome`
   * (`experienceReward`, from the task's outcome). Absent in records written before it was recorded.
   */
  kind: z.enum(['session', 'outcome']).optional(),
  /** Fingerprint of the reward configuration (weights, caps, model tiers) that scored it (8 hex digits). */
  configVersion: z.string().regex(/^[0-9a-f]{8}$/).optional(),
  /**
   * Set on a record read through the join (never stored): the reward version (`orchestra learning-reprice`) that
   * re-scored it, absent for the original figures.
   */
  rewardVersion: z.string().min(1).optional(),
  /** Set on a record read through the join: the stored (original) figures this reward replaces. */
  original: z.object({ total: z.number().finite(), costUsd: z.number().finite().nonnegative(), configVersion: z.string().optional() }).optional(),
  /** Set on a record read through the join: the outcome events applied, in order. */
  amendments: z.array(rewardAmendmentSchema).optional(),
});
export type RewardBreakdown = z.infer<typeof rewardBreakdownSchema>;
