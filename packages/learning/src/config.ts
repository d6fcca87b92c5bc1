import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_COST_WEIGHT, catalogModelSchema, costWeightSchema, learningModeSchema, safeValidate, type LearningMode } from '@orchestra/learning-types';
import { LEARNING_MODE_ENVIRONMENT_VARIABLE } from '@orchestra/learning-policy';
import { z } from 'zod';
import { LearningConfigError } from './errors';

/** Name of the configuration file looked up in the working directory. */
export const CONFIG_FILE_NAME = 'orchestra.config.json';
/** Environment variable that overrides the learning mode: the policy router's, one name for one variable. */
export { LEARNING_MODE_ENVIRONMENT_VARIABLE };
/** @deprecated Use `LEARNING_MODE_ENVIRONMENT_VARIABLE` (the same variable, under the policy package's name). */
export const MODE_ENVIRONMENT_VARIABLE = LEARNING_MODE_ENVIRONMENT_VARIABLE;
/** Environment variable that overrides the data directory. */
export const DATA_DIR_ENVIRONMENT_VARIABLE = 'ORCHESTRA_DATA_DIR';
/** Environment variable naming the experience store (`postgres://…`); wins over `store.url` of the config file. */
export const STORE_URL_ENVIRONMENT_VARIABLE = 'ORCHESTRA_STORE_URL';
/** The data directory when nothing else names one, relative to the working directory. */
export const DEFAULT_DATA_DIR = './data';

/** The A/B ramp: the fractions of sessions sent to the learned policy, in order. */
export const defaultRampSteps = [0.1, 0.25, 0.5, 1] as const;

/**
 * Guardrails of the learned arm against the rules arm, checked before every ramp step and before `production`.
 * Rewards are compared on the session reward scale of the reward package.
 */
export const guardrailsSchema = z.strictObject({
  /** The learned arm's mean reward may be at most this much below the rules arm's. */
  maxRewardDrop: z.number().finite().nonnegative().default(5),
  /** The learned arm's error rate (failed sessions) may be at most this much above the rules arm's (absolute). */
  maxErrorRateIncrease: z.number().min(0).max(1).default(0.05),
  /** The learned arm's mean cost per session may be at most this ratio of the rules arm's. */
  maxCostRatio: z.number().finite().positive().default(1.1),
  /**
   * Sizes the guardrails to the sample: a guardrail breaches only when the learned arm is past its threshold *and*
   * worse than the rules arm by more than this many standard errors of the difference (so a ramp step of a few
   * dozen sessions does not breach on noise, and a real drop is caught once the sample shows it). For the error rate
   * (failed sessions are rare, where the normal approximation misleads) the same bar is exact: Fisher's one-sided
   * p-value of the learned arm's excess below the normal tail beyond this many standard errors. 0 = the fixed
   * thresholds alone.
   */
  standardErrors: z.number().finite().nonnegative().default(2),
});
export type Guardrails = z.infer<typeof guardrailsSchema>;

/** The rollout rules: A/B ramp, the A/B period required before production, and the guardrails. */
export const rolloutConfigSchema = z.strictObject({
  /** Fractions of the A/B ramp, increasing, each in (0, 1]. */
  rampSteps: z
    .array(z.number().gt(0).max(1))
    .min(1)
    .refine((steps) => steps.every((step, index) => index === 0 || step > steps[index - 1]!), 'ramp steps must increase')
    .default([...defaultRampSteps]),
  /** Learned-arm sessions needed at a ramp step before moving to the next one. */
  sessionsPerStep: z.number().int().nonnegative().default(100),
  /** Learned-arm sessions in `ab_test` needed before `production` is allowed. */
  abTestSessionsBeforeProduction: z.number().int().nonnegative().default(500),
  /** Ramp automatically after each recorded session when the rules allow it (otherwise only by `setMode`). */
  autoRamp: z.boolean().default(true),
  /**
   * With `autoRamp`, move a deployed model from `ab_test` to `production` in `record` as soon as the rules allow it: at
   * the last ramp step, after `sessionsPerStep` learned sessions there within the guardrails, with
   * `abTestSessionsBeforeProduction` learned sessions in the whole A/B period and that period within the guardrails
   * (what `setMode('production')` checks). Never while the mode is pinned by an option or the environment.
   */
  autoPromote: z.boolean().default(false),
  guardrails: guardrailsSchema.default(guardrailsSchema.parse({})),
});
export type RolloutConfig = z.infer<typeof rolloutConfigSchema>;

/**
 * Where experiences are kept. Without a `url`, the JSONL buffer of the data dir (one machine). With
 * `postgres://user:password@host:port/database` (or `ORCHESTRA_STORE_URL`), a PostgreSQL database a fleet of
 * orchestrators shares (the optional package `@orchestra/learning-store-postgres`); the data dir then holds the
 * local failover buffer used while the database is down or slow.
 */
export const storeConfigSchema = z.strictObject({
  url: z
    .string()
    .min(1)
    .refine((url) => /^postgres(?:ql)?:\/\//i.test(url) || /^(?:jsonl|file):/i.test(url), 'must be a postgres:// URL (or jsonl: for the data dir\'s buffer)')
    .optional(),
  /** PostgreSQL schema of the tables (default `public`). */
  schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain identifier').optional(),
  /** Connections per process. */
  poolSize: z.number().int().positive().max(1_000).optional(),
  /** How long to wait for a connection before recording fails over to the local buffer (ms). */
  connectTimeoutMs: z.number().int().positive().optional(),
  /** How long a write may take before it fails over to the local buffer (ms). */
  writeTimeoutMs: z.number().int().positive().optional(),
  /** After a failure, how long recording goes straight to the local buffer before the database is tried again (ms). */
  retryIntervalMs: z.number().int().nonnegative().optional(),
});
export type StoreConfig = z.infer<typeof storeConfigSchema>;

/**
 * `orchestra.config.json`: every field optional; environment variables and explicit options override it. A key it
 * does not know is an error naming the key (a typo must not be ignored).
 */
export const learningConfigSchema = z.strictObject({
  /** Learning mode used when the state file holds none (default `disabled`). */
  mode: learningModeSchema.default('disabled'),
  /** Where the buffer, the state file, deployed models and metrics live. */
  dataDir: z.string().min(1).default(DEFAULT_DATA_DIR),
  /** The experience store: the data dir's JSONL buffer (default) or PostgreSQL (`{ "url": "postgres://…" }`). */
  store: storeConfigSchema.default({}),
  /** Initial A/B fraction (the first ramp step by default). */
  abFraction: z.number().gt(0).max(1).optional(),
  /** Exploration rate of the rules policy in `shadow` mode (see the policy package). */
  exploration: z.number().min(0).max(1).default(0.1),
  /**
   * Shadow mode: the share of sessions on which the exploration candidate acts (the last candidate `improve`
   * trained that the deploy gate neither passed nor found worse than the rules), with exact mixture propensities.
   * It gathers evidence where the learner proposes to change something, and keeps the logs overlapping with its
   * next candidate. Default 0: in shadow mode the rules act on every session, as the design says; 0.5 is what the
   * demo uses (measured in apps/demo's README).
   */
  candidateShare: z.number().min(0).max(0.5).default(0),
  /**
   * How the deploy gate's error rate is budgeted when an exploration share is set (only re-looks deploy then).
   * `candidate` (default): each candidate's re-looks spend 5 % one-sided, so the more candidates a data dir tries, the
   * likelier it deploys one that is no better than the model it replaces (the A/B guardrails then judge it). `run`:
   * 5 % over the whole data dir, however many candidates — the k-th gets 6/(π²k²) of it (61 %, 15 %, 6.8 %, …), and a
   * candidate whose re-look passed hands its level on to the next (the fallback procedure), so a challenger of a
   * deployed model keeps its power. Measured in apps/demo's README: over 4 never-run 10,000-session cases `run`
   * avoided no deployment the held-out tasks found worse and lost one true one (the default world's +5.03).
   */
  gateErrorBudget: z.enum(['candidate', 'run']).default('candidate'),
  /**
   * How a candidate's re-looks spend their error. Null (default): by look index — the first half of it, every further
   * look half of what the one before spent, however many logs each saw. A number: by information fraction over that
   * many fresh logs (Lan–DeMets, Pocock-type: by n logs, `pocockErrorSpent(α/2, n / relookLogs)` in all), so a thin
   * look spends little and looking often (`relook`) costs no error; a candidate that has not passed once it was looked
   * at on that many logs has spent its budget and is withdrawn. Fixed per candidate when it starts exploring.
   */
  relookLogs: z.number().int().min(100).nullable().default(null),
  /**
   * After each `improve`, the rules' exploration weighs its alternatives by the trained critic (the probability that
   * each choice beats the rules', at least 0.05; persisted in the state file): sessions go to alternatives that can
   * still change the policy instead of uniformly to ~40 of them, most already known to lose. Propensities stay exact.
   */
  adaptiveExploration: z.boolean().default(false),
  /**
   * How an explored session departs from the rules' (or an argmax model's) action: `share` of the explored sessions
   * are factorial — every decision moves with probability `switchProbability` — and the rest change one decision
   * (`ExplorationDesign` of the policy package; exact propensities either way). Default: one decision. A factorial
   * session informs several choices' effects at once and costs more than one change (measured in apps/demo's README).
   */
  explorationDesign: z.object({ share: z.number().min(0).max(1), switchProbability: z.number().gt(0).max(1) }).optional(),
  /**
   * Online drift detection (two-sided CUSUM per model on call error rate, call latency and session success, and on
   * the learned arm's reward against the rules arm) and its responses: a model whose behaviour changed gets the
   * rules' exploration raised to `explorationEpsilon` for `explorationSessions` sessions; a learned arm that falls
   * behind the rules sends the mode back to `shadow` (`demoteOnDegradation`); in production, a model that got worse
   * on the deployed model's own sessions sends the mode back to `ab_test` at the first ramp step
   * (`abTestOnModelDegradation`).
   */
  drift: z
    .strictObject({
      enabled: z.boolean().default(true),
      explorationEpsilon: z.number().min(0).max(1).default(0.5),
      explorationSessions: z.number().int().positive().default(500),
      demoteOnDegradation: z.boolean().default(true),
      abTestOnModelDegradation: z.boolean().default(true),
    })
    .prefault({}),
  /**
   * The cost–quality knob of every decision that does not pass its own (`decide(task, { costWeight })`): how much
   * cost counts relative to the trade-off the policies were built for — 0 = cost ignored, 1 = the default (today's
   * decisions), 2 = a dollar counts double. The rules move every role's model along the price ladder; a learned
   * policy re-scores its model choices with its outcome predictions, without retraining. Recorded on every
   * experience (`policy.costWeight`) with the propensity under it.
   */
  costWeight: costWeightSchema.default(DEFAULT_COST_WEIGHT),
  /** Seed of the policies' sampling and exploration (decisions are reproducible for a given seed and input order). */
  seed: z.number().int().nonnegative().default(1),
  /** A learned decision slower than this (ms) falls back to the rules (see the policy package's router). */
  latencyBudgetMs: z.number().positive().default(2),
  /**
   * Rebuild the history of similar tasks (the `history_*` features) from the buffer when the manager opens, so a
   * restarted orchestrator decides with the same history it logged with. One streaming pass over the buffer.
   */
  warmHistory: z.boolean().default(true),
  /** How often (ms) a running manager checks the state file for a newly deployed model or mode; 0 = never. */
  reloadIntervalMs: z.number().int().nonnegative().default(2000),
  rollout: rolloutConfigSchema.default(rolloutConfigSchema.parse({})),
  /**
   * The orchestrator's own models (`{ id, provider, tier: cheap | mid | expensive, inputPricePer1kTokens,
   * outputPricePer1kTokens }`), in the order the policy's model heads choose from. They flow through decisions (the
   * rules use, per role, the model of the tier the default plans use), rewards (tier rules: the cheap-tier bonus and
   * the expensive-tier overuse penalty), training and the model artifact (the catalog is part of its action-space
   * hash). Default: the default catalog of the features package.
   */
  models: z
    .array(catalogModelSchema.strict())
    .min(1)
    .refine((models) => new Set(models.map((model) => model.id)).size === models.length, 'model ids must be unique')
    .optional(),
});
export type LearningConfig = z.infer<typeof learningConfigSchema>;
export type LearningConfigInput = z.input<typeof learningConfigSchema>;

/** Where `loadLearningConfig` looks. */
export interface LoadConfigOptions {
  /** Directory holding `orchestra.config.json` and against which a relative data dir resolves (default `process.cwd()`). */
  cwd?: string;
  /** Path of the config file (default `<cwd>/orchestra.config.json`; a missing default file is fine, a missing explicit one is not). */
  configFile?: string;
  /** Environment (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** Values that win over everything else (e.g. options of `createLearning`). */
  overrides?: LearningConfigInput;
}

/** The resolved configuration and whether the mode was pinned by the environment or an explicit option. */
export interface ResolvedLearningConfig extends LearningConfig {
  /** Absolute data directory. */
  dataDir: string;
  /** Where the mode came from: it decides whether the persisted state file may override it. */
  modeSource: 'default' | 'config-file' | 'environment' | 'option';
}

/** The message of a configuration issue; an unknown key is named, with the keys that are known. */
function configIssueMessage(issue: { message: string } | undefined): string {
  if (issue === undefined) return 'invalid';
  const unknownKeys = /^Unrecognized keys?: (.*)$/.exec(issue.message);
  if (unknownKeys !== null) return `unknown key ${unknownKeys[1]}`;
  return issue.message;
}

function readConfigFile(path: string, required: boolean): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new LearningConfigError({ source: path, field: '', message: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LearningConfigError({ source: path, field: '', message: 'not valid JSON', cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new LearningConfigError({ source: path, field: '', message: 'must be a JSON object' });
  }
  return json as Record<string, unknown>;
}

/**
 * Resolves the configuration: defaults < `orchestra.config.json` < `ORCHESTRA_LEARNING_MODE` /
 * `ORCHESTRA_DATA_DIR` / `ORCHESTRA_STORE_URL` < `overrides`. Throws `LearningConfigError` naming the file or variable and the field.
 */
export function loadLearningConfig(options: LoadConfigOptions = {}): ResolvedLearningConfig {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const configPath = resolve(cwd, options.configFile ?? CONFIG_FILE_NAME);
  const fileValues = readConfigFile(configPath, options.configFile !== undefined);
  const fromFile = safeValidate(learningConfigSchema, fileValues, CONFIG_FILE_NAME);
  if (!fromFile.success) {
    throw new LearningConfigError({ source: configPath, field: fromFile.error.field, message: configIssueMessage(fromFile.error.issues[0]), cause: fromFile.error });
  }
  let modeSource: ResolvedLearningConfig['modeSource'] = fileValues.mode === undefined ? 'default' : 'config-file';
  const merged: Record<string, unknown> = { ...fileValues };
  const environmentMode = env[LEARNING_MODE_ENVIRONMENT_VARIABLE];
  if (environmentMode !== undefined && environmentMode !== '') {
    const mode = safeValidate(learningModeSchema, environmentMode, LEARNING_MODE_ENVIRONMENT_VARIABLE);
    if (!mode.success) {
      throw new LearningConfigError({ source: LEARNING_MODE_ENVIRONMENT_VARIABLE, field: '', message: `unknown mode "${environmentMode}"; expected one of ${learningModeSchema.options.join(', ')}` });
    }
    merged.mode = mode.value;
    modeSource = 'environment';
  }
  const environmentDataDir = env[DATA_DIR_ENVIRONMENT_VARIABLE];
  if (environmentDataDir !== undefined && environmentDataDir !== '') merged.dataDir = environmentDataDir;
  const environmentStoreUrl = env[STORE_URL_ENVIRONMENT_VARIABLE];
  if (environmentStoreUrl !== undefined && environmentStoreUrl !== '') {
    merged.store = { ...(typeof fileValues.store === 'object' && fileValues.store !== null ? (fileValues.store as Record<string, unknown>) : {}), url: environmentStoreUrl };
  }
  const overrides = options.overrides ?? {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    // A store given as an option adds to (or replaces fields of) the configured one.
    merged[key] = key === 'store' && typeof merged.store === 'object' && merged.store !== null ? { ...(merged.store as object), ...(value as object) } : value;
  }
  if (overrides.mode !== undefined) modeSource = 'option';
  const result = safeValidate(learningConfigSchema, merged, 'learning configuration');
  if (!result.success) {
    throw new LearningConfigError({ source: 'options', field: result.error.field, message: configIssueMessage(result.error.issues[0]), cause: result.error });
  }
  return { ...result.value, dataDir: resolve(cwd, result.value.dataDir), modeSource };
}

/** Checks a mode name given by a person or a program; throws `LearningConfigError` for an unknown one. */
export function parseLearningMode(value: string, source = 'mode'): LearningMode {
  const result = safeValidate(learningModeSchema, value, source);
  if (!result.success) {
    throw new LearningConfigError({ source, field: '', message: `unknown mode "${value}"; expected one of ${learningModeSchema.options.join(', ')}` });
  }
  return result.value;
}
