import { catalogModelSchema, validate } from '@orchestra/learning-types';
import { z } from 'zod';

const weight = z.number().finite();
const cap = z.number().int().nonnegative();

/** Weights, thresholds and model patterns of the reward functions. Defaults are the seed's values. */
export const rewardConfigSchema = z.object({
  /** Terms of `sessionReward` (the seed's `calculateReward`). */
  session: z
    .object({
      completed: weight.default(100),
      failed: weight.default(-100),
      /** Added when the session is neither completed nor failed (still running). */
      inProgress: weight.default(0),
      timeEfficiencyWeight: weight.default(20),
      /** Average model latency below this (ms) counts as fast. */
      fastLatencyMs: z.number().positive().default(30_000),
      fastTimeEfficiency: weight.default(1),
      slowTimeEfficiency: weight.default(0.5),
      noFailedStepsBonus: weight.default(15),
      failedStepPenalty: weight.default(-10),
    })
    .prefault({}),
  /** Terms of `experienceReward` (the seed's task-level formula). */
  experience: z
    .object({
      success: weight.default(100),
      failure: weight.default(-100),
      timeEfficiencyWeight: weight.default(20),
      /** estimated/actual duration is capped at this ratio before weighting. */
      timeEfficiencyCap: z.number().positive().default(1),
      resourceEfficiencyWeight: weight.default(10),
      noErrorsBonus: weight.default(15),
      errorPenalty: weight.default(-10),
      userSatisfactionWeight: weight.default(10),
      safetyAdherenceBonus: weight.default(10),
      safetyViolationPenalty: weight.default(-50),
      testsPassedBonus: weight.default(5),
    })
    .prefault({}),
  /** The four cost terms, shared by both reward functions. */
  cost: z
    .object({
      cheapSessionUsd: z.number().nonnegative().default(0.1),
      cheapSessionBonus: weight.default(50),
      expensiveSessionUsd: z.number().nonnegative().default(0.5),
      expensiveSessionPenalty: weight.default(-20),
      cheapModelSuccessBonus: weight.default(10),
      /** Uses of expensive models that are free of penalty. */
      expensiveModelFreeUses: cap.default(3),
      expensiveModelOverusePenalty: weight.default(-5),
      fallbackRotationPenalty: weight.default(-10),
      /**
       * Reward per USD of the session's total cost (e.g. −200 for "a dollar costs two completed sessions"), the cost
       * capped at `caps.costUsd`. Off when absent (the seed has no linear cost term): replaying outcome tables with a
       * cost weight (`@orchestra/learning-replay`) sets it.
       */
      perUsd: weight.optional(),
    })
    .prefault({}),
  /**
   * The user's model catalog. A listed model's `tier` decides the tier rules: every successful attempt of a
   * `cheap` model earns `cost.cheapModelSuccessBonus` (the design's GLM bonus), every use of an `expensive` model
   * beyond `cost.expensiveModelFreeUses` costs `cost.expensiveModelOverusePenalty`. Models it does not list are
   * classed by the name patterns below.
   */
  models: z.array(catalogModelSchema).optional(),
  /** Case-insensitive substrings that mark a model id the catalog does not list as cheap. */
  cheapModelPatterns: z.array(z.string().min(1)).default(['glm']),
  /** Case-insensitive substrings that mark a model id the catalog does not list as expensive. */
  expensiveModelPatterns: z.array(z.string().min(1)).default(['gpt-5.2', 'opus']),
  /**
   * Counts beyond these caps are not scored further, so that the reward has finite bounds. A capped count is
   * reported in the breakdown's `capped` list, never silently.
   */
  caps: z
    .object({
      cheapModelSuccesses: cap.default(10),
      expensiveModelOveruses: cap.default(10),
      fallbackRotations: cap.default(10),
      failedSteps: cap.default(10),
      errors: cap.default(10),
      safetyViolations: cap.default(3),
      /** USD beyond which `cost.perUsd` scores no further (default 10 when `cost.perUsd` is set). */
      costUsd: z.number().finite().positive().optional(),
    })
    .prefault({}),
});

/** A fully resolved reward configuration. */
export type RewardConfig = z.infer<typeof rewardConfigSchema>;
/** A partial configuration: every field has the seed's default. */
export type RewardConfigInput = z.input<typeof rewardConfigSchema>;

/** The configuration with every default (the seed's values). */
export const defaultRewardConfig: RewardConfig = rewardConfigSchema.parse({});

/** Validates a partial configuration and fills in the defaults; throws a `ValidationError` naming the field. */
export function resolveRewardConfig(config?: RewardConfigInput | RewardConfig): RewardConfig {
  if (config === undefined || config === defaultRewardConfig) return defaultRewardConfig;
  // One validation per configuration object (callers pass the same object for every reward; treat it as immutable).
  const known = resolved.get(config);
  if (known !== undefined) return known;
  const result = validate(rewardConfigSchema, config, 'RewardConfig');
  resolved.set(config, result);
  resolved.set(result, result);
  return result;
}

const resolved = new WeakMap<object, RewardConfig>();
