import {
  ValidationError,
  agentRoles,
  domains,
  taskTypes,
  type HistorySummary,
  type SystemState,
  type TaskContext,
} from '@orchestra/learning-types';
import { defaultFeatureSchema, featureOffsets, featureScales, ordinalScales, type FeatureSchema } from './feature-schema';
import { hashedTextFeatures } from './hashed-text-features';

/** What `encodeState` reads: the task, optional history of similar tasks, and the orchestrator's load. */
export interface StateInput {
  context: Pick<TaskContext, 'taskType' | 'domains' | 'complexity' | 'risk' | 'estimatedTimeMinutes'> &
    Partial<Pick<TaskContext, 'skills' | 'fileCount' | 'description'>>;
  /** Aggregates of similar past sessions (`HistoryIndex.summary`); absent = no history (`history_known` = 0). */
  history?: HistorySummary | undefined;
  system: Pick<SystemState, 'concurrentTasks' | 'load'> & Partial<Pick<SystemState, 'agentAvailability'>>;
  /** Text for the hashed-text positions of schemas with `textDimensions > 0`; defaults to `context.description`. */
  text?: string | undefined;
}

const taskTypeIndex: Readonly<Record<string, number>> = Object.fromEntries(taskTypes.map((type, index) => [type, index]));
const domainIndex: Readonly<Record<string, number>> = Object.fromEntries(domains.map((domain, index) => [domain, index]));
const logTime = Math.log1p(featureScales.estimatedTimeMinutes);
const logFiles = Math.log1p(featureScales.fileCount);
const logWeight = Math.log1p(featureScales.historySampleWeight);

/** Clamps to [0, 1]; NaN becomes 0 so a vector is always finite. */
function unit(value: number): number {
  return value > 0 ? (value < 1 ? value : 1) : 0;
}

function unknownValue(field: string, value: unknown, allowed: readonly string[]): ValidationError {
  return new ValidationError({
    what: 'StateInput',
    issues: [{ path: field, message: `unknown value ${JSON.stringify(value)}; expected one of ${allowed.join(', ')}` }],
    value,
  });
}

/**
 * Encodes a state into `schema.size` floats (layout: `schema.names`). Writes into `out` when given (no allocation
 * for the default schema; hashed text allocates one lower-cased string) and returns it; allocates otherwise.
 *
 * Every value is in [0, 1] except `history_mean_reward` (clamped to [-1, 1]). Missing history encodes as
 * `history_known = 0` with neutral rates (0.5) and zero weight; a role missing from `agentAvailability` counts as
 * available (1). Inputs are trusted typed values (validate outside hot loops with `taskContextSchema`); an unknown
 * task type or domain throws `ValidationError`, an `out` shorter than `schema.size` throws `RangeError`.
 */
export function encodeState(input: StateInput, out?: Float32Array, schema: FeatureSchema = defaultFeatureSchema): Float32Array {
  const vector = out ?? new Float32Array(schema.size);
  if (vector.length < schema.size) {
    throw new RangeError(`encodeState: out has length ${vector.length}, schema needs ${schema.size}`);
  }
  const { context, history, system } = input;
  vector.fill(0, 0, featureOffsets.baseSize);

  const typePosition = taskTypeIndex[context.taskType];
  if (typePosition === undefined) throw unknownValue('context.taskType', context.taskType, taskTypes);
  vector[featureOffsets.taskType + typePosition] = 1;

  const contextDomains = context.domains;
  const domainCount = contextDomains.length;
  for (let index = 0; index < domainCount; index += 1) {
    const position = domainIndex[contextDomains[index] as string];
    if (position === undefined) throw unknownValue(`context.domains.${index}`, contextDomains[index], domains);
    if (index === 0) vector[featureOffsets.primaryDomain + position] = 1;
    vector[featureOffsets.domain + position] = 1;
  }

  vector[featureOffsets.complexity] = ordinalScales.complexity[context.complexity] ?? 0.5;
  vector[featureOffsets.risk] = ordinalScales.risk[context.risk] ?? 0.5;
  vector[featureOffsets.estimatedTime] = unit(Math.log1p(Math.max(0, context.estimatedTimeMinutes)) / logTime);
  vector[featureOffsets.domainDiversity] = domainCount > 1 ? unit((domainCount - 1) / (domains.length - 1)) : 0;
  const skillCount = context.skills === undefined ? 0 : context.skills.length;
  vector[featureOffsets.skillCount] = unit(skillCount / featureScales.skillCount);
  if (context.fileCount !== undefined) {
    vector[featureOffsets.fileCount] = unit(Math.log1p(Math.max(0, context.fileCount)) / logFiles);
    vector[featureOffsets.fileCountKnown] = 1;
  }

  if (history !== undefined) {
    vector[featureOffsets.historyKnown] = 1;
    vector[featureOffsets.historySampleWeight] = unit(Math.log1p(Math.max(0, history.sampleWeight)) / logWeight);
    vector[featureOffsets.historySuccessRate] = unit(history.successRate);
    vector[featureOffsets.historyTimeAccuracy] = unit(history.timeAccuracy);
    vector[featureOffsets.historyResourceEfficiency] = unit(history.resourceEfficiency);
    const reward = history.meanReward;
    vector[featureOffsets.historyMeanReward] = reward > -1 ? (reward < 1 ? reward : 1) : -1;
    vector[featureOffsets.historyModelErrorRate] = unit(history.modelErrorRate);
  } else {
    vector[featureOffsets.historySuccessRate] = 0.5;
    vector[featureOffsets.historyTimeAccuracy] = 0.5;
    vector[featureOffsets.historyResourceEfficiency] = 0.5;
  }

  vector[featureOffsets.concurrentTasks] = unit(system.concurrentTasks / featureScales.concurrentTasks);
  vector[featureOffsets.load] = unit(system.load);
  const availability = system.agentAvailability;
  for (let index = 0; index < agentRoles.length; index += 1) {
    const value = availability === undefined ? undefined : availability[agentRoles[index] as (typeof agentRoles)[number]];
    vector[featureOffsets.agentAvailability + index] = value === undefined ? 1 : unit(value);
  }

  if (schema.textDimensions > 0) {
    hashedTextFeatures(input.text ?? context.description ?? '', schema.textDimensions, vector, featureOffsets.baseSize);
  }
  return vector;
}
