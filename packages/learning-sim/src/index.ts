export {
  WORLD_SCHEMA_VERSION,
  worldSchema,
  worldModelSchema,
  taskDistributionSchema,
  effectsSchema,
  systemDistributionSchema,
  parseWorld,
  type World,
  type WorldInput,
  type WorldModel,
  type TaskDistribution,
  type Effects,
} from './world-schema';
export { defaultWorld, defaultWorldInput, printDefaultWorld } from './default-world';
export { sampleTask, type SimulatedTask } from './task-sampler';
export { runSession, sampleSystem, rateLimitProbability, type RunSessionOptions, type SimulatedSession } from './session-player';
export { type UniformSource } from './random';
export { UnknownModelError } from './errors/unknown-model-error';
