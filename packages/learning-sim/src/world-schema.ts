import {
  approaches,
  complexities,
  domains,
  riskLevels,
  safetyLevels,
  taskTypes,
  validate,
} from '@orchestra/learning-types';
import { z } from 'zod';

/** Schema version of world files. */
export const WORLD_SCHEMA_VERSION = 1;

const probability = z.number().min(0).max(1);
const nonNegative = z.number().finite().nonnegative();
const positive = z.number().finite().positive();
const finite = z.number().finite();

/** A record with one value per key of `keys`, every key required (so a world file states every case). */
function fullRecord<const Keys extends readonly [string, ...string[]], Value extends z.ZodType>(keys: Keys, value: Value) {
  return z.record(z.enum(keys), value);
}
/** A record with a value for some keys of `keys` (absent keys mean "no modifier"). */
function partialRecord<const Keys extends readonly [string, ...string[]], Value extends z.ZodType>(keys: Keys, value: Value) {
  return z.partialRecord(z.enum(keys), value);
}

const perComplexity = <Value extends z.ZodType>(value: Value) => fullRecord(complexities, value);

/**
 * One model of the world's catalog: price, speed, skill, limits and failure behaviour.
 * Skills are probabilities that the model, as a lone executor, delivers a correct result on a task of
 * "neutral" type; `taskTypeModifiers` shift them in logit space.
 */
export const worldModelSchema = z.object({
  id: z.string().min(1),
  provider: z.string().min(1),
  tier: z.enum(['cheap', 'mid', 'expensive']),
  inputPricePer1kTokens: nonNegative,
  outputPricePer1kTokens: nonNegative,
  /** Latency of one call: `baseMs + outputTokens × msPerOutputToken`, times a log-normal factor of spread `sigma`. */
  latency: z.object({ baseMs: nonNegative, msPerOutputToken: positive, sigma: nonNegative }),
  /** Probability of a correct result as a lone executor, per complexity. */
  skill: perComplexity(z.number().gt(0).lt(1)),
  /** Logit shift of the executor skill per task type (absent = 0). */
  taskTypeModifiers: partialRecord(taskTypes, finite).default({}),
  /** How much a plan by this model helps the executor (logit gain, scaled by the world's `architectGain`). */
  planning: nonNegative,
  /** Probability that this model, as auditor, notices a wrong result. */
  review: probability,
  /** Multiplies the per-step safety-violation probability (careless models > 1). */
  carelessness: nonNegative,
  /** Largest input (prompt) in tokens; a longer input fails with CONTEXT_EXCEEDED on every attempt. */
  contextLimitTokens: z.number().int().positive(),
  /** 429s: probability `base + slope × max(0, load − threshold) / (1 − threshold)` per attempt. */
  rateLimit: z.object({ base: probability, threshold: z.number().min(0).lt(1), slope: probability }),
  /** Probability that a call hangs and only ends at the timeout. */
  hangProbability: probability,
  /** Probability of a transient API error (5xx) per attempt. */
  apiErrorProbability: probability,
});
export type WorldModel = z.infer<typeof worldModelSchema>;

/** Vocabulary of one domain, used to fill templates and to make realistic file paths. */
export const domainVocabularySchema = z.object({
  subjects: z.array(z.string().min(1)).min(1),
  files: z.array(z.string().min(1)).min(1),
});

/** The distribution tasks are drawn from. */
export const taskDistributionSchema = z.object({
  typeWeights: fullRecord(taskTypes, nonNegative),
  /** Weights of the primary domain per task type (absent type = `domainWeights`). */
  domainWeights: fullRecord(domains, nonNegative),
  domainWeightsByType: partialRecord(taskTypes, fullRecord(domains, nonNegative)).default({}),
  /** Probability of each extra domain (a task has 1 + number of successes, up to `maxDomains`). */
  extraDomainProbability: perComplexity(probability),
  maxDomains: z.number().int().min(1).max(domains.length),
  complexityWeights: perComplexity(nonNegative),
  /** Per-type complexity weights (absent type = `complexityWeights`). */
  complexityWeightsByType: partialRecord(taskTypes, perComplexity(nonNegative)).default({}),
  /** Risk weights per complexity; types in `riskyTypes` and domains in `riskyDomains` shift one level up. */
  riskWeights: perComplexity(fullRecord(riskLevels, nonNegative)),
  riskyTypes: z.array(z.enum(taskTypes)).default([]),
  riskyDomains: z.array(z.enum(domains)).default([]),
  /** Median estimated time (minutes) per complexity; each task's estimate is log-normal around it. */
  estimatedMinutes: perComplexity(positive),
  estimatedMinutesSigma: nonNegative,
  /** Files a task touches: 1 + Poisson(mean) per complexity. */
  extraFilesMean: perComplexity(nonNegative),
  templates: fullRecord(taskTypes, z.array(z.string().min(1)).min(1)),
  vocabulary: fullRecord(domains, domainVocabularySchema),
});
export type TaskDistribution = z.infer<typeof taskDistributionSchema>;

/** How the orchestration choices change what happens; see the README's "World mechanics". */
export const effectsSchema = z.object({
  /** Work size: output tokens of the executor = estimated minutes × this (before noise). */
  outputTokensPerEstimatedMinute: positive,
  /** Spread of the actual work around the estimate (log-normal sigma). */
  workSigma: nonNegative,
  /** Median input (prompt) tokens of the executor per complexity, × (1 + `inputPerExtraDomain` per extra domain). */
  inputTokens: perComplexity(positive),
  inputTokensSigma: nonNegative,
  inputPerExtraDomain: nonNegative,
  /** Logit shift of correctness per task type, for every model. */
  taskTypeDifficulty: partialRecord(taskTypes, finite).default({}),
  /** Logit penalty per domain beyond the first that one executor must cover alone. */
  breadthPenalty: nonNegative,
  /** Architect: logit gain = architectGain[complexity] × the architect model's `planning`. */
  architectGain: perComplexity(nonNegative),
  /**
   * Logit shift per agent beyond the executor taking part (hand-offs lose context; "too many cooks" on small tasks).
   * Usually negative for simple tasks and near zero for complex ones.
   */
  extraAgentLogit: perComplexity(finite),
  /** Consultant: logit gain = consultantGain[complexity] × the consultant model's `planning`. */
  consultantGain: perComplexity(nonNegative),
  /** How tightly coupled a task is, per type, in [0, 1], scaled by `couplingByComplexity`. */
  coupling: fullRecord(taskTypes, probability),
  couplingByComplexity: perComplexity(probability),
  /** Coupling falls by this much per extra domain (broad tasks split cleanly). */
  couplingReliefPerDomain: probability,
  /** Probability that splitting a task of coupling c over p workers breaks integration: c × this × (p − 1) / p. */
  integrationRisk: probability,
  /**
   * A task has about (number of domains + 1 if complex) independent parts; each worker beyond that collides with
   * another on the same files: integration breaks with probability `oversplitRisk × extra workers / workers`.
   */
  oversplitRisk: probability,
  /** `coordinated` multiplies integration risk by this (with an architect) or by `coordinationWithoutArchitect`. */
  coordinationWithArchitect: probability,
  coordinationWithoutArchitect: probability,
  /** Extra work of each additional parallel worker (share of the executor's output). */
  parallelOverhead: nonNegative,
  /** `coordinated` adds this share of the executor's time for synchronisation. */
  coordinationTimeOverhead: nonNegative,
  /** Share of the executor's input/output the other roles use. */
  roleTokens: z.object({
    architect: z.object({ input: positive, output: positive }),
    consultant: z.object({ input: positive, output: positive }),
    auditor: z.object({ input: positive, output: positive }),
    fix: z.object({ input: positive, output: positive }),
  }),
  /** Logit gain of a fix round after the auditor's feedback. */
  fixGain: finite,
  /** Fix rounds allowed after an auditor catch, per approach. */
  fixRounds: fullRecord(approaches, z.number().int().min(0).max(3)),
  /** Output tokens scale as `1 + timeoutTokenSlope × (multiplier − 1)`: generous budgets let agents wander. */
  timeoutTokenSlope: finite,
  /** The per-call timeout is multiplier × the role's share of the estimated time (× this calibration). */
  timeoutCalibration: positive,
  retries: z.object({
    /** Extra attempts of `retry_with_backoff` on the same model. */
    maxRetries: z.number().int().min(0).max(6),
    backoffMs: nonNegative,
    /** 429 probability on the k-th retry is multiplied by this^k (the window passes). */
    rateLimitDecay: probability,
    /** Most rotations of `fallback` before the step fails. */
    maxRotations: z.number().int().min(0).max(6),
  }),
  /** Load added per extra concurrent call to the same model (parallel workers). */
  loadPerParallelCall: nonNegative,
  safety: z.object({
    /** Per executor step: probability of a violation at permissive level, per risk. */
    violationProbability: fullRecord(riskLevels, probability),
    /** Multiplier of the violation probability per safety level. */
    levelFactor: fullRecord(safetyLevels, nonNegative),
    /** Multiplier when an auditor reviews. */
    auditorFactor: nonNegative,
    /** Multiplier of the violation probability per task type (absent = 1). */
    typeFactor: partialRecord(taskTypes, nonNegative).default({}),
    /** Share of executor time added per safety level (approval gates, sandboxing). */
    timeOverhead: fullRecord(safetyLevels, nonNegative),
    /** Logit penalty of strict safety for task types that need network/infrastructure access. */
    strictPenalty: partialRecord(taskTypes, nonNegative).default({}),
  }),
  /** Mean user edits after a delivered result: correct per complexity, or wrong. */
  userEdits: z.object({
    correct: perComplexity(nonNegative),
    wrong: nonNegative,
    failed: nonNegative,
    /** Multiplier of the mean when an auditor reviewed / an architect planned. */
    auditorFactor: nonNegative,
    architectFactor: nonNegative,
  }),
  /** Task types whose sessions run a test suite even without an auditor. */
  testedTypes: z.array(z.enum(taskTypes)),
  /** Probability that a wrong delivered result still passes the tests. */
  wrongPassesTests: probability,
  /** Resource budget (USD) per complexity: resource efficiency = 1 − cost / budget, clamped to [0, 1]. */
  budgetUsd: perComplexity(positive),
});
export type Effects = z.infer<typeof effectsSchema>;

/** The load the orchestrator is under when a session starts: uniform in [min, max]. */
export const systemDistributionSchema = z.object({
  loadMin: probability,
  loadMax: probability,
  maxConcurrentTasks: z.number().int().nonnegative(),
});

/**
 * A scheduled change of the world (drift): from session `atSession` on (0-based, counted by the caller), the named
 * models take the given properties (the model schema's own names, e.g. `skill`, `latency`, `apiErrorProbability`,
 * prices). Later entries apply on top of earlier ones.
 */
export const worldChangeSchema = z.object({
  atSession: z.number().int().nonnegative(),
  models: z.record(z.string().min(1), worldModelSchema.omit({ id: true, provider: true, tier: true }).partial()),
  /** Free text: what changed, for reports. */
  description: z.string().optional(),
});
export type WorldChange = z.infer<typeof worldChangeSchema>;

/** A whole simulated world: its models, its tasks and how orchestration choices play out. */
export const worldSchema = z
  .object({
    schemaVersion: z.literal(WORLD_SCHEMA_VERSION),
    name: z.string().min(1),
    description: z.string().default(''),
    models: z.array(worldModelSchema).min(1),
    /** Order in which `fallback` rotates models (after the failing one, wrapping around). Default: catalog order. */
    fallbackOrder: z.array(z.string().min(1)).optional(),
    tasks: taskDistributionSchema,
    effects: effectsSchema,
    system: systemDistributionSchema,
    /** Changes of the models during a run, in order of `atSession` (absent: the world never changes). */
    schedule: z.array(worldChangeSchema).optional(),
  })
  .superRefine((world, context) => {
    const ids = world.models.map((model) => model.id);
    world.schedule?.forEach((change, index) => {
      if (index > 0 && change.atSession < world.schedule![index - 1]!.atSession) {
        context.addIssue({ code: 'custom', path: ['schedule', index, 'atSession'], message: 'schedule entries must be in order of atSession' });
      }
      for (const id of Object.keys(change.models)) {
        if (!ids.includes(id)) context.addIssue({ code: 'custom', path: ['schedule', index, 'models', id], message: `unknown model "${id}" (models: ${ids.join(', ')})` });
      }
    });
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index) context.addIssue({ code: 'custom', path: ['models', index, 'id'], message: `duplicate model id "${id}"` });
    });
    world.fallbackOrder?.forEach((id, index) => {
      if (!ids.includes(id)) {
        context.addIssue({ code: 'custom', path: ['fallbackOrder', index], message: `unknown model "${id}" (models: ${ids.join(', ')})` });
      }
    });
    if (world.system.loadMin > world.system.loadMax) {
      context.addIssue({ code: 'custom', path: ['system', 'loadMin'], message: 'loadMin must not exceed loadMax' });
    }
    const typeTotal = Object.values(world.tasks.typeWeights).reduce((sum, weight) => sum + weight, 0);
    if (typeTotal <= 0) context.addIssue({ code: 'custom', path: ['tasks', 'typeWeights'], message: 'at least one task type needs a positive weight' });
  });
export type World = z.infer<typeof worldSchema>;
export type WorldInput = z.input<typeof worldSchema>;

/**
 * Validates a world (e.g. parsed from a JSON file). Throws a `ValidationError` whose message names the first
 * offending field, e.g. `Invalid World: models.2.skill.complex: Too big: expected number to be <1`.
 */
export function parseWorld(input: unknown): World {
  return validate(worldSchema, input, 'World');
}
