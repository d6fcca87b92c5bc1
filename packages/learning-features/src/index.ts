export * from './errors';
export * from './random';
export * from './feature-schema';
export * from './hashed-text-features';
export * from './encode-state';
export * from './model-catalog';
export * from './action-space';
export * from './normalizer';
export * from './history-index';
/**
 * Compatibility re-export: task-context inference lives in `@orchestra/learning-features/inference`. Kept here
 * because existing callers import `inferTaskContext` from the package root; new code should import the subpath,
 * and once no caller uses the root any more this re-export can go (the root then carries no classifier at all).
 */
export {
  inferTaskContext,
  inferTaskInputSchema,
  type InferTaskInput,
  type InferTaskContextOptions,
  type InferenceEvidence,
  type InferredValue,
  type TaskContextInference,
} from './inference/infer-task-context';
