import { createHash } from 'node:crypto';
import { agentRoles, complexities, domains, riskLevels, taskTypes, validate } from '@orchestra/learning-types';
import { z } from 'zod';
import { FeatureSchemaMismatchError } from './errors';

/** Version of the state-encoding layout. Bump it whenever the meaning of any position changes. */
export const FEATURE_SCHEMA_VERSION = 1;

/**
 * Names every position of a state vector. Two schemas with the same `hash` produce interchangeable vectors;
 * every experience and model artifact records `hash`, and runtimes refuse vectors of another schema
 * (`assertFeatureSchema`).
 */
export interface FeatureSchema {
  /** Layout version (`FEATURE_SCHEMA_VERSION` when made by this package). */
  readonly version: number;
  /** One name per position, in order. */
  readonly names: readonly string[];
  /** `names.length`: the length of every vector of this schema. */
  readonly size: number;
  /** Hex SHA-256 of the version and the names: stable across runs, machines and package versions. */
  readonly hash: string;
  /** Number of hashed-text positions at the end of the vector (0 for the default schema). */
  readonly textDimensions: number;
}

/** Options of `createFeatureSchema`. */
export interface FeatureSchemaOptions {
  /** Hashed text features of the task description appended at the end (see `hashedTextFeatures`); default 0. */
  textDimensions?: number;
}

/** Upper ends of the log/linear scales used to bring counts and durations into [0, 1]. */
export const featureScales = {
  /** Estimated time: log1p(minutes) / log1p(this); a day of work or more encodes as 1. */
  estimatedTimeMinutes: 1440,
  /** File count: log1p(files) / log1p(this). */
  fileCount: 200,
  /** Skills: min(count, this) / this. */
  skillCount: 10,
  /** History sample weight: log1p(weight) / log1p(this). */
  historySampleWeight: 100,
  /** Concurrent tasks: min(count, this) / this. */
  concurrentTasks: 16,
} as const;

/** The names of the base layout (everything but text), in order. */
function baseNames(): string[] {
  return [
    ...taskTypes.map((type) => `task_type=${type}`),
    ...domains.map((domain) => `primary_domain=${domain}`),
    ...domains.map((domain) => `domain=${domain}`),
    'complexity_ordinal',
    'risk_ordinal',
    'estimated_time_log',
    'domain_diversity',
    'skill_count',
    'file_count_log',
    'file_count_known',
    'history_known',
    'history_sample_weight_log',
    'history_success_rate',
    'history_time_accuracy',
    'history_resource_efficiency',
    'history_mean_reward',
    'history_model_error_rate',
    'system_concurrent_tasks',
    'system_load',
    ...agentRoles.map((role) => `agent_availability=${role}`),
  ];
}

/** Start positions of each block in the base layout; shared by the encoder so names and writes cannot drift. */
export const featureOffsets = (() => {
  const taskType = 0;
  const primaryDomain = taskType + taskTypes.length;
  const domain = primaryDomain + domains.length;
  const complexity = domain + domains.length;
  return {
    taskType,
    primaryDomain,
    domain,
    complexity,
    risk: complexity + 1,
    estimatedTime: complexity + 2,
    domainDiversity: complexity + 3,
    skillCount: complexity + 4,
    fileCount: complexity + 5,
    fileCountKnown: complexity + 6,
    historyKnown: complexity + 7,
    historySampleWeight: complexity + 8,
    historySuccessRate: complexity + 9,
    historyTimeAccuracy: complexity + 10,
    historyResourceEfficiency: complexity + 11,
    historyMeanReward: complexity + 12,
    historyModelErrorRate: complexity + 13,
    concurrentTasks: complexity + 14,
    load: complexity + 15,
    agentAvailability: complexity + 16,
    baseSize: complexity + 16 + agentRoles.length,
  } as const;
})();

/** Ordinal positions of complexity and risk levels in [0, 1] (simple/low = 0, medium = 0.5, complex/high = 1). */
export const ordinalScales = {
  complexity: Object.fromEntries(complexities.map((level, index) => [level, index / (complexities.length - 1)])),
  risk: Object.fromEntries(riskLevels.map((level, index) => [level, index / (riskLevels.length - 1)])),
} as Readonly<{ complexity: Readonly<Record<string, number>>; risk: Readonly<Record<string, number>> }>;

/** Hex SHA-256 of a schema version and its names (one name per line). */
export function hashFeatureNames(version: number, names: readonly string[]): string {
  return createHash('sha256').update(`orchestra-feature-schema\nversion=${version}\n${names.join('\n')}`).digest('hex');
}

/**
 * Builds a feature schema: the base layout (task type, domains, complexity, risk, time, history, system; see the
 * package README for every position) plus `textDimensions` hashed-text positions named `text_hash=<i>`.
 */
export function createFeatureSchema(options: FeatureSchemaOptions = {}): FeatureSchema {
  const textDimensions = options.textDimensions ?? 0;
  if (!Number.isInteger(textDimensions) || textDimensions < 0 || textDimensions > 4096) {
    throw new RangeError(`createFeatureSchema: textDimensions must be an integer in [0, 4096], got ${textDimensions}`);
  }
  const names = baseNames();
  for (let index = 0; index < textDimensions; index += 1) names.push(`text_hash=${index}`);
  const frozenNames = Object.freeze(names);
  return Object.freeze({
    version: FEATURE_SCHEMA_VERSION,
    names: frozenNames,
    size: frozenNames.length,
    hash: hashFeatureNames(FEATURE_SCHEMA_VERSION, frozenNames),
    textDimensions,
  });
}

/** Hashed-text positions of the default schema (word unigrams and bigrams of the task description). */
export const DEFAULT_TEXT_DIMENSIONS = 64;

/**
 * The default schema: the base layout (51 positions) plus 64 hashed-text positions (115). The inferred context
 * misses much of what a task text says (its complexity and risk wording, the subject); the text positions let the
 * learned critic and actor see it directly.
 */
export const defaultFeatureSchema: FeatureSchema = createFeatureSchema({ textDimensions: DEFAULT_TEXT_DIMENSIONS });

/** JSON form of a feature schema as stored in model manifests and exports. */
export const featureSchemaJsonSchema = z.object({
  version: z.number().int().positive(),
  names: z.array(z.string().min(1)).min(1),
  hash: z.string().regex(/^[0-9a-f]{64}$/u).optional(),
  size: z.number().int().positive().optional(),
  textDimensions: z.number().int().nonnegative().optional(),
});
/** JSON form of a feature schema. */
export type FeatureSchemaJson = z.infer<typeof featureSchemaJsonSchema>;

/** The JSON form of a schema (`{ version, names, size, hash, textDimensions }`). */
export function featureSchemaToJSON(schema: FeatureSchema): Required<FeatureSchemaJson> {
  return { version: schema.version, names: [...schema.names], size: schema.size, hash: schema.hash, textDimensions: schema.textDimensions };
}

/**
 * Rebuilds a schema this package can encode from its JSON form (e.g. a model manifest). Throws `ValidationError`
 * for malformed JSON and `FeatureSchemaMismatchError` when the names, version or hash are not a layout this version
 * of the package produces (the model needs the package version that made it, or retraining).
 */
export function featureSchemaFromJSON(json: unknown): FeatureSchema {
  const parsed = validate(featureSchemaJsonSchema, json, 'FeatureSchema');
  const textDimensions = parsed.names.filter((name) => name.startsWith('text_hash=')).length;
  const rebuilt = createFeatureSchema({ textDimensions });
  const offeredHash = parsed.hash ?? hashFeatureNames(parsed.version, parsed.names);
  if (offeredHash !== hashFeatureNames(parsed.version, parsed.names) || offeredHash !== rebuilt.hash) {
    throw new FeatureSchemaMismatchError({
      expectedHash: offeredHash,
      actualHash: rebuilt.hash,
      expectedSize: parsed.names.length,
      actualSize: rebuilt.size,
      consumer: 'featureSchemaFromJSON',
    });
  }
  return rebuilt;
}

/**
 * Throws `FeatureSchemaMismatchError` unless `schema` has the hash `expectedHash` (and, when `vectorLength` is
 * given, that length equals `schema.size`). Runtimes call it before feeding a model, with the hash recorded in the
 * model artifact, so a vector of another layout is refused instead of silently misread.
 */
export function assertFeatureSchema(
  expectedHash: string,
  schema: Pick<FeatureSchema, 'hash'> & Partial<Pick<FeatureSchema, 'size'>>,
  consumer = 'model',
  vectorLength?: number,
): void {
  const sizeMismatch = vectorLength !== undefined && schema.size !== undefined && vectorLength !== schema.size;
  if (expectedHash !== schema.hash || sizeMismatch) {
    throw new FeatureSchemaMismatchError({
      expectedHash,
      actualHash: schema.hash,
      ...(schema.size !== undefined ? { expectedSize: schema.size } : {}),
      ...(vectorLength !== undefined ? { actualSize: vectorLength } : {}),
      consumer,
    });
  }
}
