import { z } from 'zod';

/** A reward and the named components it is the exact sum of. */
export const rewardBreakdownSchema = z.object({
  total: z.number().finite(),
  /** Component name → contribution; the values add up to `total`. */
  components: z.record(z.string(), z.number().finite()),
  /** Counts that were beyond a configured cap and so not scored further (never silent). */
  capped: z.array(z.string()).default([]),
});
export type RewardBreakdown = z.infer<typeof rewardBreakdownSchema>;
