export {
  WORLD_SCHEMA_VERSION,
  worldSchema,
  worldModelSchema,
  taskDistributionSchema,
  effectsSchema,
  systemDistributionSchema,
  parseWorld,
  worldChangeSchema,
  type WorldChange,
  type World,
  type WorldInput,
  type WorldModel,
  type TaskDistribution,
  type Effects,
} from './world-schema';
export { defaultWorld, defaultWorldInput, printDefaultWorld } from './default-world';
export { worldForCatalog } from './world-for-catalog';
export { sampleTask, type SimulatedTask } from './task-sampler';
export { runSession, sampleSystem, type RunSessionOptions, type SimulatedSession } from './session-player';
export { integrationFailureProbability, rateLimitProbability } from './world-mechanics';
export { type UniformSource } from './random';
export { UnknownModelError } from './errors/unknown-model-error';
export { WorldFileError } from './errors/world-file-error';
export {
  choiceToAction,
  countActions,
  forEachActionChoice,
  teamHas,
  worldCatalog,
  TEAM_COUNT,
  type ActionChoice,
} from './action-grid';
export {
  expectedReward,
  oracleAction,
  createOracle,
  taskKind,
  type RewardFunction,
  type ExpectedRewardOptions,
  type RewardEstimate,
  type OracleOptions,
  type OracleResult,
  type CachedOracle,
} from './oracle';
export { reshuffleWorld, type ReshuffleWorldOptions } from './reshuffle-world';
export { printWorld, readWorldFile, writeWorldFile } from './world-file';
export { builtInWorlds, builtInWorld, builtInWorldNames, type BuiltInWorldName } from './built-in-worlds';
export { screenActions } from './surrogate';
export { type ScreenedAction } from './top-actions';
export { worldAtSession, worldChangePoints } from './world-at-session';
export { drawHeldOutTasks, evaluateOnTasks, type HeldOutTask, type PolicyMetrics, type PolicyRun } from './held-out';
export { meanWithInterval, pairedDifference, percentile, type MeanWithInterval } from './statistics';
