import { z } from 'zod';
import { actionSchema } from './action';
import { policySourceSchema } from './enums';

/** What a learned policy expects of the session it just decided on. */
export const predictionSchema = z.object({
  durationMs: z.number().finite().nonnegative(),
  costUsd: z.number().finite().nonnegative(),
  successProbability: z.number().min(0).max(1),
});
export type Prediction = z.infer<typeof predictionSchema>;

/** The cost weight of a decision when none is asked for: the trade-off the policy was built (or trained) for. */
export const DEFAULT_COST_WEIGHT = 1;

const costWeightMessage = 'must be a finite number ≥ 0 (0 = cost ignored, 1 = the default trade-off, 2 = cost counts double)';

/**
 * The per-request cost–quality knob: how much cost counts relative to the trade-off the policy was built for —
 * 0 = cost ignored (quality only), 1 = the default (`DEFAULT_COST_WEIGHT`), 2 = a dollar counts double. A finite
 * number ≥ 0.
 */
export const costWeightSchema = z.number({ error: costWeightMessage }).min(0, { error: costWeightMessage });

/** A policy's decision: the action and the exact probability with which it was chosen. */
export const decisionSchema = z.object({
  action: actionSchema,
  /** Probability in (0, 1] with which this exact action was chosen (including any A/B assignment probability). */
  propensity: z.number().gt(0).max(1),
  source: policySourceSchema,
  policyVersion: z.string().min(1),
  explanation: z.array(z.string()).default([]),
  predicted: predictionSchema.optional(),
  /**
   * The cost weight the decision was made under (see `costWeightSchema`); the propensity is the probability of the
   * action under that weight. Absent: the policy's default trade-off.
   */
  costWeight: costWeightSchema.optional(),
});
export type Decision = z.infer<typeof decisionSchema>;
export type DecisionInput = z.input<typeof decisionSchema>;
