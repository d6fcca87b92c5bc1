import type {
  OutcomeInput,
  Decision,
  EnhancedSessionState,
  Experience,
  HistorySummary,
  LearningMode,
  SystemState,
  SystemStateInput,
  TaskContext,
  TaskContextInput,
} from '@orchestra/learning-types';
import type { ModelArtifact, PolicyInput as PolicyPackageInput } from '@orchestra/learning-policy';
import type { QuarantineEntry } from '@orchestra/learning-collector';

/** A task as the orchestrator knows it before running it. */
export interface TaskInput {
  /** The task's text, e.g. "Add rate limiting to the /login endpoint". */
  description: string;
  /** Files the task will touch, when known (improves domain and size inference). */
  files?: readonly string[];
  /** Known facts that override what is inferred from the text. */
  context?: Partial<TaskContextInput>;
  /** The orchestrator's current load (default: idle, every agent available). */
  system?: SystemStateInput;
  /** Stable id of the session: A/B assignment is sticky per session id (generated when absent). */
  sessionId?: string;
}

/**
 * The policy package's `PolicyInput` as the manager hands it to a runtime — one concept, one shape: the same fields,
 * with the context and system state validated and the session id and cost weight always set.
 */
export type PolicyInput = PolicyPackageInput & {
  context: TaskContext;
  system: SystemState;
  history?: HistorySummary;
  sessionId: string;
  /** The cost–quality knob of this decision (validated; see `learningConfigSchema.costWeight`). */
  costWeight: number;
};

/** Per-decision options of `LearningManager.decide`. */
export interface DecideOptions {
  /**
   * The cost–quality knob for this decision (a finite number ≥ 0; default: the configured `costWeight`, 1): 0 =
   * cost ignored, 1 = the default trade-off, higher = cheaper decisions. Recorded on the experience.
   */
  costWeight?: number;
}

/** Routing settings in force for one decision. */
export interface Routing {
  mode: LearningMode;
  /** Share of sessions sent to the learned policy in `ab_test`. */
  abFraction: number;
}

/**
 * What the manager needs from the policy side: inferring a task's context, deciding under a mode, and swapping the
 * learned model. The default implementation composes `@orchestra/learning-features` and
 * `@orchestra/learning-policy`; tests and embedders can pass their own.
 */
export interface LearningRuntime {
  /** Task text (+ files, + known facts) → `TaskContext`. */
  inferContext(task: TaskInput): TaskContext;
  /**
   * The contexts of many tasks at once (a bulk ingest), the same as `inferContext` of each, possibly on another
   * thread. Optional: without it the manager calls `inferContext` per task.
   */
  inferContexts?(tasks: readonly { description: string; files: readonly string[] }[]): Promise<TaskContext[]>;
  /** Releases what the runtime holds (e.g. a worker thread); called by the manager's `close`. */
  close?(): Promise<void>;
  /**
   * Routes to the rules or the learned policy; never throws (falls back to the rules). `arm` is the A/B arm the
   * session was assigned to (a learned-arm session that fell back to the rules still counts for the learned arm).
   */
  decide(input: PolicyInput, routing: Routing): Decision & { arm?: 'rules' | 'learned'; fallbackReason?: string };
  /** Makes `artifact` the learned policy (null: none, the rules only). */
  setModel(artifact: ModelArtifact | null): void;
  /**
   * The model meant to be served failed to load (a deployed copy that fails verification): no learned policy, and
   * fallbacks report the failure's reason (`corrupt-artifact`, …) rather than `no-model`.
   */
  modelFailed?(error: unknown): void;
  /**
   * Makes `artifact` the exploration candidate of shadow mode (null: none): a model the deploy gate has not passed
   * yet acts on a share of shadow sessions with exact mixture propensities (see the policy package's router).
   * Optional: a runtime without it never explores with candidates.
   */
  setCandidate?(artifact: ModelArtifact | null): void;
  /**
   * Weighs the rules' exploration alternatives (head name → choice label → weight in [0.01, 1]; null: uniform), as a
   * trained critic advises (`adaptiveExploration`). May throw when the weights do not fit the action space.
   */
  setExplorationWeights?(weights: Readonly<Record<string, Readonly<Record<string, number>>>> | null): void;
  /** Raises the rules' exploration for decisions that use these models (drift response); null ends it. */
  setExplorationBoost?(boost: { models: readonly string[]; epsilon: number } | null): void;
  /** Version of the loaded learned model, or null. */
  readonly modelVersion: string | null;
  /** Counters the runtime reports (fallbacks by reason, shadow match rate…), printed by `orchestra learning`. */
  report?(): Record<string, unknown>;
}

/** A decision of the manager: the policy's `Decision` plus the state it was made in, which `record` needs. */
export interface LearningDecision extends Decision {
  sessionId: string;
  /** The A/B arm of the session (in `ab_test`); absent: the arm is `source`. */
  arm?: 'rules' | 'learned';
  /** Why the rules acted where the learned policy should have (`no-model`, `latency-budget`, …), when they did. */
  fallbackReason?: string;
  mode: LearningMode;
  /**
   * The cost weight the decision was made under (the requested one, else the configured default); absent for an
   * ingested session, whose logging policy is not known.
   */
  costWeight?: number;
  context: TaskContext;
  system: SystemState;
  history?: HistorySummary;
  task: { description: string; files: string[] };
}

/** Optional facts about a finished session beyond the session record itself. */
export interface RecordExtras {
  /** Task-level facts (tests, user edits, safety violations…); when given, the experience reward is computed from them. */
  outcome?: OutcomeInput;
}

/** What the manager tells a sink about a record. */
export interface SinkRecordOptions {
  /** The session id was generated for this run by this process: it cannot be stored already (skip the duplicate check). */
  newSession?: boolean;
}

/** What the manager needs from the collector side: turning a finished session into a stored experience. */
export interface ExperienceSink {
  /** Builds and stores the experience of a finished session; returns it (null when nothing was stored). */
  record(session: EnhancedSessionState, decision: LearningDecision, extras?: RecordExtras, options?: SinkRecordOptions): Promise<Experience | null>;
  /** Whether an experience of this session id is already stored (so that an ingest never stores a session twice). */
  hasSession?(sessionId: string): Promise<boolean>;
  /**
   * Whether the store itself keeps each session once (a unique constraint): `record` then returns null for a
   * duplicate, and the manager skips the `hasSession` look-up before each record.
   */
  keepsSessionsOnce?(): Promise<boolean>;
  /** Stores already-built experiences (an export read back), skipping session ids already stored; returns the stored ones. */
  appendNew?(experiences: readonly Experience[]): Promise<Experience[]>;
  /**
   * Runs `action` with the store to itself across processes, the stored session ids read afresh: concurrent
   * ingests of the same sessions then store each once.
   */
  exclusive?<T>(action: () => Promise<T>): Promise<T>;
  /** Records entries in the store's quarantine (malformed ingested traces); returns how many were new. */
  quarantine?(entries: readonly QuarantineEntry[]): Promise<number>;
  /** Writes out pending records (and replays a failover buffer when the store has one). */
  flush?(): Promise<void>;
  /** Flushes and closes the store. */
  close?(): Promise<void>;
}
