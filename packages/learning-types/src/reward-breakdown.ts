import { z } from 'zod';

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
});
export type RewardBreakdown = z.infer<typeof rewardBreakdownSchema>;
