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

/** A policy's decision: the action and the exact probability with which it was chosen. */
export const decisionSchema = z.object({
  action: actionSchema,
  /** Probability in (0, 1] with which this exact action was chosen (including any A/B assignment probability). */
  propensity: z.number().gt(0).max(1),
  source: policySourceSchema,
  policyVersion: z.string().min(1),
  explanation: z.array(z.string()).default([]),
  predicted: predictionSchema.optional(),
});
export type Decision = z.infer<typeof decisionSchema>;
export type DecisionInput = z.input<typeof decisionSchema>;
