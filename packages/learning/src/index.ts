export * from './errors';
export * from './config';
export { LearningStateStore, learningStateSchema, deployedModelSchema, armStatisticsSchema, driftEventSchema, emptyLearningState, STATE_FILE_NAME, type LearningState, type DeployedModel, type ArmStatistics, type Arms, type DriftEvent } from './learning-state';
export { checkGuardrails, summarizeArm, nextRampStep, currentFraction, applyModeChange, recordArmObservation, type ArmSummary, type GuardrailVerdict, type ModeChangeRequest, type ArmObservation, type RampEvent } from './rollout';
export { OrchestratorIntegration, modelAttemptSchema, stepStartSchema, type ModelAttempt, type StepStart } from './orchestrator-integration';
export { parseIngestedSession, parseSessionText, readSessionFile, type IngestedSession } from './session-file';
export {
  sessionsFromOtlpText,
  readOtlpTraceFile,
  agentRoleOf,
  errorCodeOf,
  otlpSpanSchema,
  exportTraceServiceRequestSchema,
  STEP_OPERATION,
  MODEL_CALL_OPERATIONS,
  COST_ATTRIBUTES,
  type OtlpIngest,
  type OtlpIngestOptions,
  type OtlpSpan,
} from './otlp-traces';
export { streamSessionFile, validateSessionFile, MAX_SESSION_NESTING_DEPTH, MAX_SESSION_RECORD_CHARACTERS } from './session-stream';
export { opeBeatsRules, loadVerifiedModel, MODELS_DIRECTORY } from './deployment';
export { loadTrainer, type TrainerModule, type ModuleImporter } from './trainer-loader';
export { decisionAttributes, defaultDecisionTracer, DECIDE_SPAN_NAME, TRACER_NAME } from './decision-tracing';
export { openExperienceStore, isPostgresStore, POSTGRES_STORE_PACKAGE, type OpenExperienceStoreOptions } from './store-loader';
export type { TaskInput, PolicyInput, Routing, LearningRuntime, LearningDecision, DecideOptions, ExperienceSink, RecordExtras, SinkRecordOptions } from './learning-runtime';
export { DefaultLearningRuntime, type DefaultRuntimeOptions } from './default-runtime';
export { ContextInferenceWorker, MIN_WORKER_BATCH } from './context-inference-worker';
export { CollectorSink, INGEST_LOCK_FILE, type CollectorSinkOptions } from './collector-sink';
export { LearningManager, createLearning, type CreateLearningOptions, type IngestOptions, type RecordResult, type LearningStatus, type TrackedSession } from './learning-manager';
export { withFileLock } from './file-lock';
/** The options of `withFileLock` (each optional there) and of the collector's `acquireFileLock`: one type. */
export type { FileLockOptions } from '@orchestra/learning-collector';
export { actionFromSession } from './session-action';
export { trainPolicy, evaluatePolicyArtifact, type ServedAs, type TrainOptions, type TrainReport } from './train';
/** Progress of `train` (the trainer's, forwarded after every minibatch). */
export type { TrainProgress } from '@orchestra/learning-types';
export { readExperienceFile } from './experience-file';
export { improvePolicy, relookCandidate, type ImproveOptions, type ImproveReport, type Improvable, type RelookReport } from './improve';
export { ImprovementSchedule, improvementScheduleOptionsSchema, type ImprovementScheduleOptions, type ImprovementReason } from './improvement-schedule';
export { regateExplorationCandidate, revalueDeployedModel, candidateErrorShare, relookErrorLeft, relookErrorSpent, MINIMUM_REGATE_LOGS, REGATE_ALPHA, type RegateOptions, type RegateReport, type RevalueOptions, type DeployedValue } from './regate';
export { priceTableOfCatalog, rewardFigures, compareGreedyDecisions, type RepriceOptions, type RepriceReport, type RewardFigures, type DecisionShift } from './reprice';
export { BatchCusum, cusumInControlRunLength, type BatchCusumOptions, type CusumAlarm } from './drift/batch-cusum';
export { DriftMonitor, type DriftDetection, type DriftMetric, type DriftObservation, type DriftMonitorOptions } from './drift/drift-monitor';
