export * from './errors';
export * from './store-config';
export * from './experience-store';
export * from './experience-stream';
export * from './experience-filter';
export * from './memory-experience-store';
export * from './jsonl-experience-store';
export { parseExperienceLine, findForbiddenKey, jsonNestingDepth, MAX_LINE_NESTING_DEPTH, type LineParseResult } from './parse-experience-line';
export { QuarantineWriter, makeQuarantineEntry, type QuarantineEntry, type QuarantineReason } from './quarantine';
export { listSegments, type SegmentFile, ACTIVE_SEGMENT_NAME, QUARANTINE_FILE_NAME } from './segment-files';
export { acquireFileLock, InterProcessLock, isProcessAlive, DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS, type FileLock, type FileLockOptions } from './file-lock';
export * from './experience-stats';
export type { StoreStatsReport } from './store-stats';
export type { SummaryProblem } from './segment-summary';
export { ExactSum } from './exact-sum';
export { actionRefinementsHold, compiledParse, isStoredExperience, parseOwnedSession, type CompiledParse } from './compiled-validator';
export { LatencySketch, latencySketchStateSchema, LATENCY_SKETCH_RELATIVE_ACCURACY, type LatencySketchState } from './latency-sketch';
export * from './experience-export';
export { formatCsvCell, formatCsvRow, parseCsv, type CsvCell } from './csv-writer';
export { outcomeFromSession, type OutcomeFromSessionOptions } from './outcome-from-session';
export { ExperienceBuilder, ExperienceCollector, type ExperienceBuilderOptions, type ExperienceCollectorOptions, type RecordDetails, type RecordOutcome } from './experience-collector';
export { OutcomeEventLog, OUTCOME_EVENTS_FILE_NAME, emptyOutcomeEventIndex, type OutcomeEventAppendReport, type OutcomeEventIndex } from './outcome-event-log';
export { joinExperience, joinChangesAnything, type JoinContext } from './outcome-join';
export {
  RewardVersionStore,
  REWARD_VERSIONS_FILE_NAME,
  rewardVersionSchema,
  rewardVersionsFileSchema,
  rewardVersionId,
  type RewardVersion,
  type RewardVersionsFile,
  type ActiveRewardVersion,
} from './reward-versions';
