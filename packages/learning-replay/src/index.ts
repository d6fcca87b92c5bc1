export { ReplayFormatError, ReplayOptionError } from './errors';
export { replayTaskSchema, replayOutcomeSchema, replayModelsSchema, type ReplayTask, type ReplayOutcome, type ReplayModels } from './replay-format';
export { parseReplayTable, readReplayTable, type ReplayTable, type ReplayTexts } from './replay-table';
export { splitTasks } from './split-tasks';
export { fallbackOrder, ladderOfAction, ladderOutcome, allLadders, type Ladder, type LadderOutcome } from './ladder';
export { replayReward, replayRewardConfig, referenceCostOf, maxLadderCostOf, type ReplayScoring } from './replay-reward';
export { computeBaselines, summarizeLadders, type Baselines, type PolicySummary } from './baselines';
export { learnFromReplay, playLadder, type ReplayLearnerOptions, type ReplayLearnerResult } from './replay-learner';
export { runReplay, type ReplayOptions, type ReplayResult } from './run-replay';
