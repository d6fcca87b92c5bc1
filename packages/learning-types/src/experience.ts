import { z } from 'zod';
import { actionSchema } from './action';
import { costWeightSchema } from './decision';
import { historySummarySchema, systemStateSchema, taskContextSchema } from './context';
import { learningModeSchema, policySourceSchema } from './enums';
import { outcomeSchema } from './outcome';
import { rewardBreakdownSchema } from './reward-breakdown';
import { enhancedSessionStateSchema } from './session';
import { upgradeSessionRecord } from './session-migration';

/** Schema version of `Experience` records. */
export const EXPERIENCE_SCHEMA_VERSION = 1;

/** One logged decision and what came of it: the unit of the experience buffer and of training. */
export const experienceSchema = z.object({
  schemaVersion: z.literal(EXPERIENCE_SCHEMA_VERSION),
  id: z.string().min(1),
  /** When the session finished (ISO 8601). */
  timestamp: z.iso.datetime({ offset: true }),
  sessionId: z.string().min(1).optional(),
  state: z.object({
    /** Hash of the feature schema that produced `features`. */
    featureSchemaHash: z.string().min(1),
    features: z.array(z.number().finite()),
    context: taskContextSchema,
    system: systemStateSchema,
    history: historySummarySchema.optional(),
  }),
  action: actionSchema,
  /** Probability with which the logging policy chose `action`, in (0, 1]. */
  propensity: z.number().gt(0).max(1),
  /**
   * The logging policy: source, version and the cost weight it decided under (`costWeight`, absent for records of
   * a policy without the knob: the default trade-off). `propensity` is the probability under that weight, so an
   * off-policy estimate conditions on it.
   */
  policy: z.object({ source: policySourceSchema, version: z.string().min(1), costWeight: costWeightSchema.optional() }),
  mode: learningModeSchema,
  reward: rewardBreakdownSchema,
  outcome: outcomeSchema,
  /** The raw session, when the collector keeps it (a version 1 session is migrated to the design's names). */
  session: z.preprocess(upgradeSessionRecord, enhancedSessionStateSchema).optional(),
  task: z.object({ description: z.string(), files: z.array(z.string()).default([]) }).optional(),
});
export type Experience = z.infer<typeof experienceSchema>;
export type ExperienceInput = z.input<typeof experienceSchema>;
