export { LearningConfigError } from './learning-config-error';
export { RolloutRuleError, rolloutRules, type RolloutRule } from './rollout-rule-error';
export { TrainerUnavailableError } from './trainer-unavailable-error';
export { SessionIngestError } from './session-ingest-error';
export { StoreUnavailableError } from './store-unavailable-error';
