/*
 * Longer than 400 lines, for now: one class, `LearningManager`, the facade's public object, whose ~40 methods share
 * its private state (the persisted state and its modification time, the runtime, the sink, the loaded model and
 * candidate, the reload timer, the generated session ids, the drift monitor). Operations with a life of their own
 * already live beside it and take a small host object (train.ts, improve.ts, regate.ts, reprice.ts); its options and
 * status types are in learning-manager-options.ts. The record and ingest path (about 300 lines) is being reworked
 * for ingest speed (#15/#17) and moves out with that work rather than under it.
 */
import { randomUUID } from 'node:crypto';
import type { Writable } from 'node:stream';
import { z } from 'zod';
import { sessionReward, tradeOffScale, type RewardConfigInput } from '@orchestra/learning-reward';
import { ActionSpace, HistoryIndex, defaultModelCatalog, parseModelCatalog, type ModelCatalog } from '@orchestra/learning-features';
import {
  costWeightSchema,
  parseSessionState,
  systemStateSchema,
  validate,
  type EnhancedSessionState,
  type Experience,
  type HistorySummary,
  type TaskContext,
  type LearningMode,
} from '@orchestra/learning-types';
import { estimatedComparisonOf, ModelArtifactError, RulesPolicy, SafetyGuard, type ModelArtifact } from '@orchestra/learning-policy';
import { loadLearningConfig, type LoadConfigOptions, type ResolvedLearningConfig } from './config';
import { copyArtifactIntoDataDir, loadVerifiedModel, opeBeatsRules } from './deployment';
import { RolloutRuleError, SessionIngestError, type RolloutRule } from './errors';
import { addStateEvent, LearningStateStore, type CandidateModel, type DeployedModel, type DriftEvent, type LearningState } from './learning-state';
import { DriftMonitor, type DriftDetection, type DriftSession } from './drift/drift-monitor';
import { CollectorSink } from './collector-sink';
import { DefaultLearningRuntime } from './default-runtime';
import { OrchestratorIntegration } from './orchestrator-integration';
import { readIngestFile, type IngestedSession } from './session-file';
import { streamSessionFile, streamSessionRecords, validateSessionFile } from './session-stream';
import { IngestContextMemo } from './ingest-context-memo';
import { ingestedDecision, ingestTaskKey } from './ingest-decision';
import { awaitedLater, INGEST_CONTEXT_CACHE_SIZE, IngestRecordBuilder, validateSessionFileInWorkers, type BuiltBatch, type IngestBuildSettings, type RecordFailure, type SessionRecordText } from './ingest-build';
import { IngestWorkerPool, IngestWorkerUnavailableError } from './ingest-worker-pool';
import type { DecideOptions, ExperienceSink, LearningDecision, LearningRuntime, RecordExtras, TaskInput } from './learning-runtime';
import { applyModeChange, checkGuardrails, currentFraction, recordArmObservation, type RampEvent } from './rollout';
import { loadTrainer, type ModuleImporter, type TrainerModule } from './trainer-loader';
import {
  EXPERIENCE_BUFFER_DIRECTORY,
  ExperienceStoreError,
  ExperienceStatsAccumulator,
  JsonlExperienceStore,
  exportExperiences,
  type DurableExperienceStore,
  type ExportOptionsInput,
  type ExportReport,
  type StoreStatsOptions,
  type StoreStatsReport,
} from '@orchestra/learning-collector';
import { isPostgresStore, openExperienceStore } from './store-loader';
import { outcomeEventSchema, outcomePatchSchema, type OutcomeEvent, type OutcomePatch } from '@orchestra/learning-types';
import { repriceHistory, type RepriceOptions, type RepriceReport } from './reprice';
import type { CreateLearningOptions, LearningStatus } from './learning-manager-options';

export type { CreateLearningOptions, LearningStatus } from './learning-manager-options';
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { readOtlpTraceFile } from './otlp-traces';
import type { Tracer } from '@opentelemetry/api';
import { defaultDecisionTracer, endDecisionSpan, startDecisionSpan } from './decision-tracing';
import { join } from 'node:path';
import { evaluatePolicyArtifact, servedWithDesign, trainPolicy, type TrainOptions, type TrainReport } from './train';
import { improvePolicy, relookCandidate, type Improvable, type ImproveOptions, type ImproveReport, type RelookReport } from './improve';
import { candidateErrorShare, regateExplorationCandidate, revalueDeployedModel, REGATE_ALPHA, type DeployedValue, type RegateReport } from './regate';

/** Sessions of an ingest whose task contexts are inferred together (on the runtime's inference thread, when it has one). */
const INGEST_INFERENCE_BATCH = 256;
/**
 * Smallest session file `ingestFile` hands to worker threads. Measured through `orchestra learning-record` on files of
 * the design's example session with distinct tasks (paired runs against the single-thread build): 20,000 sessions
 * (22 MB) took 1.07 × the time and 1.24 × the CPU on the workers, 40,000 (44 MB) 0.91 × the time, the 100,000-record
 * array (111 MB) 0.78 ×.
 */
const INGEST_WORKERS_MIN_FILE_BYTES = 32 * 1024 * 1024;
/** Records of a session file sent to an ingest worker at a time (`ingestFile` on worker threads). */
const INGEST_WORKER_BATCH = 256;
/** The decision fields the drift detectors read of an ingested session (`ingestedDecision`). */
const INGESTED_DECISION = { source: 'rules', policyVersion: 'external' } as const;

/** An ingested session's task memo key, and its context when the batch inference gave one. */
interface InferredTask {
  key: string;
  context: TaskContext | undefined;
}

/** Options of `ingest` / `ingestFile`. */
export interface IngestOptions {
  /**
   * `ingestFile` only: what the file holds — `sessions` (sessions or a `learning-export`), `otlp` (OpenTelemetry
   * GenAI traces, OTLP/JSON), or `auto` (default: OTLP when the file starts like an `ExportTraceServiceRequest`).
   */
  format?: 'auto' | 'sessions' | 'otlp';
  /** Return the stored experiences (default true); false returns only the count, in bounded memory. */
  keepExperiences?: boolean;
  /** Sessions recorded at once (default 256): their appends share the store's group commit. */
  concurrency?: number;
}

/** A session started by `startSession`: the decision, the event tracker, and `complete` (finish + record). */
export type TrackedSession = OrchestratorIntegration & {
  readonly decision: LearningDecision;
  complete(phase?: 'completed' | 'failed', extras?: RecordExtras): Promise<RecordResult>;
};

/** What `record` did. */
export interface RecordResult {
  /** The stored experience, or null (mode `disabled`, or no sink). */
  experience: Experience | null;
  /** The reward the A/B arms and the history were updated with. */
  reward: number;
  /** What the rollout did after this session (`ab_test` only). */
  ramp: RampEvent;
  /** Set when the session was not stored because an experience of its session id already is (nothing was updated). */
  skipped?: 'duplicate-session';
}

/** What `ingest` / `ingestFile` did. */
export interface IngestReport {
  /** Sessions (and re-imported experiences) stored. */
  recorded: number;
  /** Session ids skipped because an experience of them was already stored (or repeated earlier in the input). */
  skipped: string[];
  /** The stored experiences. */
  experiences: Experience[];
  /** OTLP ingests: traces read, and malformed ones quarantined (with their reason) instead of recorded. */
  traces?: { total: number; quarantined: number };
  /** `ingestFile` on worker threads: records built there (the others were built on this thread; absent: all were). */
  builtOnWorkers?: number;
}

/**
 * The one object an orchestrator holds: it decides (`decide`), learns from finished sessions (`record`), follows
 * the mode and the deployed model persisted in `<dataDir>/orchestra.state.json` (hot-reloading them when another
 * process — e.g. `orchestra learning-deploy` — changes them), and enforces the rollout rules.
 */
export class LearningManager {
  readonly config: ResolvedLearningConfig;
  readonly store: LearningStateStore;
  private state: LearningState;
  private stateModifiedAt = 0;
  /** The policy side in use. */
  readonly runtime: LearningRuntime;
  private readonly sink: ExperienceSink;
  private readonly importModule: ModuleImporter | undefined;
  private readonly onWarning: ((message: string) => void) | undefined;
  private readonly tracer: Tracer;
  /** The models decisions choose from and rewards take tiers from (the configured catalog, else the default one). */
  readonly catalog: ModelCatalog;
  /** The action space of `catalog`: a trained or deployed model must have been built on the same one. */
  readonly actionSpace: ActionSpace;
  /** The reward configuration of recorded sessions: the catalog's tiers when one is configured, else the defaults. */
  readonly rewardConfig: RewardConfigInput | undefined;
  /** Milliseconds since the epoch (see `CreateLearningOptions.clock`). */
  private readonly clock: () => number;
  private readonly history = new HistoryIndex();
  /**
   * Session ids this process generated (random UUIDs) and has not recorded yet: they cannot be stored already, so
   * recording them skips the duplicate check (which reads the buffer's ids once). Bounded by the sessions in flight.
   */
  readonly #generatedSessionIds = new Set<string>();

  private newSessionId(): string {
    const id = randomUUID();
    // A decision that is never recorded must not keep its id forever.
    if (this.#generatedSessionIds.size >= 100_000) this.#generatedSessionIds.clear();
    this.#generatedSessionIds.add(id);
    return id;
  }
  private loadedModelDirectory: string | null = null;
  #loadedCandidateDirectory: string | null = null;
  /** The exploration weights last given to the runtime (JSON), null: uniform. */
  #appliedExplorationWeights: string | null = null;
  private reloadTimer: NodeJS.Timeout | undefined;
  private reloading: Promise<boolean> | undefined;
  /** The last error of a hot reload (the previous model, or the rules, stay in force). */
  lastReloadError: Error | null = null;

  private constructor(config: ResolvedLearningConfig, state: LearningState, options: CreateLearningOptions) {
    this.config = config;
    this.store = new LearningStateStore(config.dataDir);
    this.state = state;
    this.catalog = config.models === undefined ? defaultModelCatalog : parseModelCatalog({ models: config.models });
    this.actionSpace = new ActionSpace(this.catalog);
    const catalogTiers = config.models === undefined ? undefined : { models: this.catalog.models };
    this.rewardConfig = options.reward === undefined ? catalogTiers : { ...catalogTiers, ...options.reward };
    // The learned policy's cost–quality knob prices predicted success and cost on this orchestrator's reward scale (a
    // reward that prices neither keeps the policy package's defaults, those of the default reward).
    const scale = tradeOffScale(this.rewardConfig);
    this.runtime =
      options.runtime ??
      new DefaultLearningRuntime({
        ...(scale.successValue > 0 && scale.usdValue > 0 ? { learnedOptions: { costKnob: scale } } : {}),
        seed: config.seed,
        latencyBudgetMs: config.latencyBudgetMs,
        exploration: { shadow: config.exploration },
        candidateShare: config.candidateShare,
        ...(config.explorationDesign === undefined ? {} : { explorationDesign: config.explorationDesign }),
        ...(config.models === undefined
          ? {}
          : { rules: new RulesPolicy({ guard: new SafetyGuard({ space: this.actionSpace }), ...(config.explorationDesign === undefined ? {} : { config: { explorationDesign: config.explorationDesign } }) }) }),
      });
    this.clock = options.clock ?? Date.now;
    this.#applyExplorationWeights();
    this.#drift = config.drift.enabled ? new DriftMonitor() : null;
    const clock = this.clock;
    this.importModule = options.importModule;
    this.onWarning = options.onWarning;
    this.tracer = options.tracer ?? defaultDecisionTracer();
    // Records built on worker threads carry the wall clock and the default runtime's inference: only with the default
    // sink and clock (the runtime is checked at each ingest).
    this.#ingestWorkers = options.sink === undefined && options.clock === undefined && options.ingestWorkers !== null ? (options.ingestWorkers ?? {}) : null;
    this.sink =
      options.sink ??
      new CollectorSink(
        { dataDir: config.dataDir },
        {
          ...(this.rewardConfig === undefined ? {} : { reward: this.rewardConfig }),
          now: () => new Date(clock()),
          openStore: () => this.openStore(),
        },
      );
  }

  /** Resolves the configuration, reads the state file, loads the deployed model and starts watching for changes. */
  static async open(options: CreateLearningOptions = {}): Promise<LearningManager> {
    const loadOptions: LoadConfigOptions = { overrides: { ...options.config } };
    if (options.cwd !== undefined) loadOptions.cwd = options.cwd;
    if (options.configFile !== undefined) loadOptions.configFile = options.configFile;
    if (options.env !== undefined) loadOptions.env = options.env;
    if (options.dataDir !== undefined) loadOptions.overrides!.dataDir = options.dataDir;
    if (options.mode !== undefined) loadOptions.overrides!.mode = options.mode;
    if (options.models !== undefined) loadOptions.overrides!.models = options.models;
    const config = loadLearningConfig(loadOptions);
    const store = new LearningStateStore(config.dataDir);
    const manager = new LearningManager(config, await store.read(), options);
    manager.stateModifiedAt = await store.modifiedAt();
    await manager.applyDeployedModel();
    if (config.warmHistory) await manager.warmHistory();
    if (config.reloadIntervalMs > 0) {
      manager.reloadTimer = setInterval(() => void manager.reload(), config.reloadIntervalMs);
      manager.reloadTimer.unref();
    }
    return manager;
  }

  /**
   * The mode in force: an explicit option or `ORCHESTRA_LEARNING_MODE` pins it at start-up; else the persisted one;
   * else the config's. A later `setMode` in this process ends the pin: what the code asks for last wins.
   */
  get mode(): LearningMode {
    if (this.#pinned()) return this.config.mode;
    return this.state.mode ?? this.config.mode;
  }

  /**
   * The deployed model an exploration candidate chosen now would challenge: the one deployed while the mode in force
   * is `ab_test` or `production` (the candidate then acts on production sessions), else null (shadow, the rules).
   */
  #challengedVersionOf(state: LearningState): string | null {
    const mode = this.#pinned() ? this.config.mode : (state.mode ?? this.config.mode);
    return (mode === 'ab_test' || mode === 'production') && state.deployed !== null ? state.deployed.version : null;
  }

  /**
   * True when the exploration candidate no longer explores where it was chosen to: it challenges a model that is not
   * deployed any more, or it was chosen for shadow mode and a model now serves (or the other way round). `improve`
   * then replaces or withdraws it instead of waiting for logs that will not come.
   */
  get candidateStale(): boolean {
    const candidate = this.state.candidate;
    return candidate !== null && candidate.challenges !== this.#challengedVersionOf(this.state);
  }

  /** Where `mode` came from. */
  get modeSource(): LearningStatus['modeSource'] {
    if (this.#pinned()) return this.config.modeSource as 'option' | 'environment';
    return this.state.mode !== null ? 'state-file' : this.config.modeSource;
  }

  #modeSetInProcess = false;

  #pinned(): boolean {
    return !this.#modeSetInProcess && (this.config.modeSource === 'option' || this.config.modeSource === 'environment');
  }

  /** The A/B fraction in force. */
  get abFraction(): number {
    return currentFraction(this.state, this.config.rollout, this.config.abFraction);
  }

  /** Changes the drift detection found (persisted in the state file; most recent last). */
  get driftEvents(): readonly DriftEvent[] {
    return this.state.drift.events;
  }

  /** The deployed model (null: the rules only). */
  get deployed(): DeployedModel | null {
    return this.state.deployed;
  }

  /**
   * Decides how to run a task: infers its context from the text, adds the history of similar sessions, and routes
   * to the rules or the learned policy under the current mode. Synchronous and never throws for a valid task.
   */
  decide(task: TaskInput, options: DecideOptions = {}): LearningDecision {
    // Every decision is an `orchestra.decide` span (a no-op unless the application installed an OpenTelemetry SDK).
    const span = startDecisionSpan(this.tracer);
    let decision: LearningDecision | undefined;
    let failure: unknown;
    try {
      decision = this.#decide(task, options);
      return decision;
    } catch (error) {
      failure = error;
      throw error;
    } finally {
      endDecisionSpan(span, decision, () => this.abFraction, failure);
    }
  }

  #decide(task: TaskInput, options: DecideOptions): LearningDecision {
    const runtime = this.runtime;
    const costWeight = options.costWeight === undefined ? this.config.costWeight : validateCostWeight(options.costWeight);
    const context = runtime.inferContext(task);
    // Validating a given system state costs ~10 µs; the idle default needs none.
    const system = task.system === undefined ? { concurrentTasks: 0, load: 0, agentAvailability: {} } : validate(systemStateSchema, task.system, 'SystemState');
    const primaryDomain = context.domains[0]!;
    const history = this.history.summary(context.taskType, primaryDomain);
    const sessionId = task.sessionId ?? this.newSessionId();
    const mode = this.mode;
    const decision = runtime.decide(
      { context, system, ...(history.sampleWeight > 0 ? { history } : {}), sessionId, costWeight },
      { mode, abFraction: this.abFraction },
    );
    return {
      ...decision,
      sessionId,
      mode,
      // The weight asked for, whatever the runtime reports: the experience records the weight its propensity is under.
      costWeight,
      context,
      system,
      ...(history.sampleWeight > 0 ? { history } : {}),
      task: { description: task.description, files: [...(task.files ?? [])] },
    };
  }

  /**
   * Decides for a task and returns a tracker bound to that decision: feed it the orchestrator's events
   * (`stepStarted`, `modelAttempt`, `fallbackRotation`, `stepEnded`) and call `complete()` to finish the session
   * and record it — the whole integration in a handful of calls.
   */
  startSession(task: TaskInput, options: DecideOptions = {}): TrackedSession {
    const decision = this.decide(task, options);
    const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId, now: () => new Date(this.clock()) });
    return Object.assign(tracker, {
      decision,
      complete: (phase?: 'completed' | 'failed', extras: RecordExtras = {}) => this.record(tracker.finish(phase), decision, extras),
    });
  }

  /**
   * Learns from a finished session: stores its experience (nothing in `disabled` mode), updates the history of
   * similar sessions and, in `ab_test`, the A/B arms and the ramp.
   */
  async record(sessionInput: EnhancedSessionState, decision: LearningDecision, extras: RecordExtras = {}): Promise<RecordResult> {
    return this.#recordValidated(parseSessionState(sessionInput), decision, extras);
  }

  #keepsSessionsOnce: Promise<boolean> | undefined;

  #storeKeepsSessionsOnce(): Promise<boolean> {
    if (this.sink.keepsSessionsOnce === undefined) return Promise.resolve(false);
    if (this.#keepsSessionsOnce === undefined) {
      const asking = this.sink.keepsSessionsOnce();
      // A store that failed to open is asked again next time.
      asking.catch(() => {
        if (this.#keepsSessionsOnce === asking) this.#keepsSessionsOnce = undefined;
      });
      this.#keepsSessionsOnce = asking;
    }
    return this.#keepsSessionsOnce;
  }

  /** `record` for a session already validated by `parseSessionState` (ingest validated it while reading). */
  async #recordValidated(session: EnhancedSessionState, decision: LearningDecision, extras: RecordExtras): Promise<RecordResult> {
    const generatedHere = this.#generatedSessionIds.delete(decision.sessionId);
    // A store that keeps each session once decides at the insert (one round trip less per session); others are asked.
    const checkFirst = decision.mode !== 'disabled' && !generatedHere && this.sink.hasSession !== undefined && !(await this.#storeKeepsSessionsOnce());
    if (checkFirst && (await this.sink.hasSession!(decision.sessionId))) {
      return { experience: null, reward: sessionReward(session, this.rewardConfig).total, ramp: { kind: 'none' }, skipped: 'duplicate-session' };
    }
    const experience = decision.mode === 'disabled' ? null : await this.sink.record(session, decision, extras, { newSession: generatedHere });
    // Not stored in a recording mode: another process stored this session id between the check and the insert (a
    // store that keeps each session once decided). Nothing is updated, as for any duplicate.
    if (experience === null && decision.mode !== 'disabled' && (this.sink.hasSession !== undefined || this.sink.keepsSessionsOnce !== undefined)) {
      return { experience: null, reward: sessionReward(session, this.rewardConfig).total, ramp: { kind: 'none' }, skipped: 'duplicate-session' };
    }
    const reward = experience?.reward.total ?? sessionReward(session, this.rewardConfig).total;
    const failed = session.phase === 'failed';
    if (experience !== null) {
      this.history.update(experience);
    } else {
      this.history.observe({
        taskType: decision.context.taskType,
        primaryDomain: decision.context.domains[0]!,
        timestampMs: this.clock(),
        success: !failed,
        timeAccuracy: 0.5,
        resourceEfficiency: 0.5,
        reward,
        modelAttempts: session.globalMetrics.totalAttempts,
        modelFailures: session.workflow.reduce((sum, step) => sum + step.attempts.filter((usage) => !usage.success).length, 0),
      });
    }
    let ramp: RampEvent = { kind: 'none' };
    const driftArm = decision.mode === 'ab_test' || decision.mode === 'production' ? (decision.arm ?? decision.source) : null;
    if (decision.mode === 'ab_test' && this.state.deployed !== null) {
      const { state, result } = await this.store.update((state) =>
        recordArmObservation(
          state,
          { arm: decision.arm ?? decision.source, reward, failed, costUsd: session.globalMetrics.totalCostEstimate },
          // A mode pinned by an option or the environment is the operator's: it is never promoted away.
          this.#pinned() ? { ...this.config.rollout, autoPromote: false } : this.config.rollout,
          this.config.abFraction,
        ),
      );
      this.adoptState(state);
      this.stateModifiedAt = await this.store.modifiedAt();
      ramp = result;
      // A demotion withdrew the model: serve the previous one (or the rules) from the next decision on.
      if (result.kind === 'demoted') await this.applyDeployedModel();
    }
    if (this.#drift !== null && decision.mode !== 'disabled') {
      await this.#observeDrift(session, experience?.outcome.success ?? !failed, decision, driftArm, reward);
    }
    return { experience, reward, ramp };
  }

  /** The drift detectors (null when `drift.enabled` is false). */
  readonly #drift: DriftMonitor | null;
  /** Sessions recorded by this process (the clock of the exploration boosts). */
  #sessionsRecorded = 0;
  /** Model → the session count at which its exploration boost ends. */
  readonly #boosts = new Map<string, number>();
  /** The deployed model the learned-arm detector learned its reference with. */
  #driftModel: string | null = null;

  async #observeDrift(session: DriftSession, success: boolean, decision: Pick<LearningDecision, 'source' | 'policyVersion'>, arm: 'learned' | 'rules' | null, reward: number): Promise<void> {
    const monitor = this.#drift!;
    this.#sessionsRecorded += 1;
    const deployed = this.state.deployed?.version ?? null;
    // A new model (or a new A/B period of it) gets a new reference for the learned arm and for the models it uses.
    if (this.#driftModel !== deployed) {
      monitor.restartArm();
      monitor.restartModels('learned');
      this.#driftModel = deployed;
    }
    const rules = this.state.abTest.total.rules;
    const rulesMeanReward = rules.sessions >= 20 ? rules.rewardSum / rules.sessions : null;
    // The models are watched on the sessions each fixed policy chose, one set of detectors per policy: the rules' and
    // the deployed model's (in production nearly every session is its). A fixed policy gives each model a fixed mix
    // of tasks, so a change of its error rate, latency or success is the model's, not the policy's. An exploration
    // candidate's sessions are not watched: the candidate changes at every training.
    const stream = decision.source === 'rules' ? 'rules' : deployed !== null && decision.policyVersion === deployed ? 'learned' : null;
    const detections = monitor.observe({ session, success, arm, reward, rulesMeanReward, ...(stream === null ? { watchModels: false } : { stream }) });
    let boostsChanged = false;
    for (const [model, until] of this.#boosts) {
      if (until > this.#sessionsRecorded) continue;
      this.#boosts.delete(model);
      boostsChanged = true;
    }
    if (detections.length > 0) {
      await this.#respondToDrift(detections, stream);
      boostsChanged = true;
    }
    // The detectors keep their references: the boost moves few tasks, and a change it causes is one more event.
    if (boostsChanged) this.runtime.setExplorationBoost?.(this.#boosts.size === 0 ? null : { models: [...this.#boosts.keys()], epsilon: this.config.drift.explorationEpsilon });
  }

  /**
   * Raises exploration for changed models; a learned arm that fell behind the rules sends the mode back to shadow; in
   * production, a model that got worse on the deployed model's own sessions sends the mode back to `ab_test` at the
   * first ramp step (`abTestOnModelDegradation`): the rules arm, exploring that model more, gives fresh logs and a
   * comparison, and the learned-arm detector and the guardrails judge the model again.
   */
  async #respondToDrift(detections: readonly DriftDetection[], stream: 'rules' | 'learned' | null): Promise<void> {
    const mode = this.mode;
    const now = new Date(this.clock());
    const settings = this.config.drift;
    const events: DriftEvent[] = [];
    let demote = false;
    let backToAbTest = false;
    for (const detection of detections) {
      let response: DriftEvent['response'] = 'none';
      if (detection.subject !== 'learned-arm') {
        this.#boosts.set(detection.subject, this.#sessionsRecorded + settings.explorationSessions);
        response = 'exploration';
        if (detection.degraded && stream === 'learned' && mode === 'production' && settings.abTestOnModelDegradation) {
          backToAbTest = true;
          response = 'back-to-ab-test';
        }
      } else if (detection.degraded && settings.demoteOnDegradation && (mode === 'ab_test' || mode === 'production')) {
        demote = true;
        response = 'demoted-to-shadow';
      }
      events.push({ at: now.toISOString(), sessionsRecorded: this.#sessionsRecorded, ...detection, response });
    }
    const describe = (event: DriftEvent) => {
      const level = (value: number) => (event.metric === 'latency' ? `${Math.round(value)} ms` : event.metric === 'learnedVsRules' ? value.toFixed(1) : `${(value * 100).toFixed(1)} %`);
      const what = event.subject === 'learned-arm' ? 'learned arm reward − rules' : `${event.subject} ${event.metric === 'errorRate' ? 'error rate' : event.metric}`;
      const raised = `exploration raised to ${settings.explorationEpsilon} for ${settings.explorationSessions} sessions`;
      const answer =
        event.response === 'exploration'
          ? `; ${raised}`
          : event.response === 'back-to-ab-test'
            ? `; seen on the deployed model's sessions in production: mode ab_test, ${raised}`
            : event.response === 'demoted-to-shadow'
              ? '; learned arm demoted: mode shadow'
              : '';
      return `drift: ${what} ${level(event.baseline)} → ${level(event.changed)} (${event.degraded ? 'worse' : 'better'})${answer}`;
    };
    const { state } = await this.store.update((state) => {
      state.drift.events.push(...events);
      if (state.drift.events.length > 100) state.drift.events.splice(0, state.drift.events.length - 100);
      for (const event of events) addStateEvent(state, describe(event), now);
    });
    this.adoptState(state);
    if (demote) await this.setMode('shadow');
    else if (backToAbTest) await this.setMode('ab_test');
    this.stateModifiedAt = await this.store.modifiedAt();
  }

  /**
   * Ingests finished sessions of another orchestrator (a list, or a stream such as `streamSessionFile`): the context is inferred from
   * `task` (description + files), the action is the one given or `actionFromSession`, the propensity the one given
   * or 1. They are stored as `rules` decisions of policy version `external` in mode `shadow` (the other orchestrator
   * acted; this one only observed), whatever the current mode. Safe to run from several processes at once: a
   * session id already stored (or stored meanwhile by a concurrent ingest) is skipped and reported in `skipped`.
   */
  ingest(sessions: readonly IngestedSession[] | AsyncIterable<IngestedSession>, options: IngestOptions = {}): Promise<IngestReport> {
    return this.exclusive(() => this.#ingest(sessions, options, false));
  }

  private exclusive<T>(action: () => Promise<T>): Promise<T> {
    return this.sink.exclusive === undefined ? action() : this.sink.exclusive(action);
  }

  async #ingest(sessions: Iterable<IngestedSession> | AsyncIterable<IngestedSession>, options: IngestOptions, validated: boolean): Promise<IngestReport> {
    // Task inference is deterministic per (description, files) and costs more than the rest of a record: a bulk
    // import of one orchestrator's sessions repeats task descriptions, so the contexts of one ingest are memoised
    // (bounded: the contexts in use stay).
    const contexts = new IngestContextMemo(INGEST_CONTEXT_CACHE_SIZE);
    const keep = options.keepExperiences !== false;
    const concurrency = Math.max(1, options.concurrency ?? 256);
    const experiences: Experience[] = [];
    const skipped: string[] = [];
    const seen = new Set<string>();
    let recorded = 0;
    type Pending = Promise<{ sessionId: string; result: RecordResult }>;
    let previous: Pending[] = [];
    let current: Pending[] = [];
    // Sessions are recorded `concurrency` at a time: their appends meet in the store's group commit (one write and
    // one fsync per batch instead of per session), and memory stays bounded by two windows, not the input. While one
    // window's batch is written and synced, the next window is built (the sync no longer stalls the pipeline).
    const settle = async (window: Pending[]) => {
      const settled = await Promise.allSettled(window);
      for (const outcome of settled) {
        if (outcome.status === 'rejected') throw outcome.reason;
        const { sessionId, result } = outcome.value;
        if (result.skipped !== undefined) skipped.push(sessionId);
        if (result.experience === null) continue;
        recorded += 1;
        if (keep) experiences.push(result.experience);
      }
    };
    const rotate = async () => {
      const done = previous;
      previous = current;
      current = [];
      try {
        await settle(done);
      } catch (error) {
        // Nothing left pending behind a failure: the window in flight is awaited (its errors are this one's).
        await Promise.allSettled(previous);
        throw error;
      }
    };
    const recordOne = async (ingested: IngestedSession, inferred: InferredTask | undefined) => {
      // A session streamed from a file was validated by `parseIngestedSession`: do not pay for zod twice per record.
      const session = validated ? ingested.session : parseSessionState(ingested.session);
      const decision = this.#ingestDecision(ingested, contexts, inferred);
      // A session id repeated within the input is skipped here (the store's check cannot see a record still in flight).
      if (seen.has(decision.sessionId)) {
        skipped.push(decision.sessionId);
        return;
      }
      seen.add(decision.sessionId);
      current.push(this.#recordValidated(session, decision, {}).then((result) => ({ sessionId: decision.sessionId, result })));
      if (current.length >= concurrency) await rotate();
    };
    // The input is taken `INGEST_INFERENCE_BATCH` sessions at a time: while a batch's task contexts are inferred (on
    // the runtime's inference thread, when it has one), the batch before is built and recorded.
    let batch: IngestedSession[] = [];
    let inFlight: { items: IngestedSession[]; contexts: Promise<(InferredTask | undefined)[]> } | null = null;
    const drain = async () => {
      if (inFlight === null) return;
      const { items, contexts: inferring } = inFlight;
      inFlight = null;
      const inferred = await inferring;
      for (let index = 0; index < items.length; index += 1) await recordOne(items[index]!, inferred[index]);
    };
    const dispatch = async () => {
      const next = { items: batch, contexts: this.#inferBatch(batch, contexts) };
      batch = [];
      await drain();
      inFlight = next;
    };
    for await (const ingested of sessions) {
      batch.push(ingested);
      if (batch.length >= INGEST_INFERENCE_BATCH) await dispatch();
    }
    if (batch.length > 0) await dispatch();
    await drain();
    await rotate();
    await rotate();
    return { recorded, skipped, experiences };
  }

  /**
   * The memo keys of a batch of ingested sessions, with the contexts of those not memoised yet from the runtime's bulk
   * inference (`inferContexts`); `undefined` where the session's context is to be inferred as it is recorded (no bulk
   * inference, or it failed: the per-session inference then raises the error at the session that causes it).
   */
  async #inferBatch(batch: readonly IngestedSession[], memo: IngestContextMemo): Promise<(InferredTask | undefined)[]> {
    if (this.runtime.inferContexts === undefined) return [];
    // Never rejects (the promise waits a batch before it is awaited): whatever goes wrong is met again per session.
    try {
      const keys = batch.map((ingested) => ingestTaskKey(ingested.task));
      const missing = new Map<string, { description: string; files: readonly string[] }>();
      for (let index = 0; index < batch.length; index += 1) {
        const key = keys[index]!;
        if (!memo.has(key) && !missing.has(key)) missing.set(key, batch[index]!.task ?? { description: '', files: [] });
      }
      const inferred = missing.size === 0 ? [] : await this.runtime.inferContexts([...missing.values()]);
      const byKey = new Map<string, TaskContext>();
      let position = 0;
      for (const key of missing.keys()) byKey.set(key, inferred[position++]!);
      return keys.map((key) => ({ key, context: byKey.get(key) }));
    } catch {
      return [];
    }
  }

  #ingestDecision(ingested: IngestedSession, contexts: IngestContextMemo, given?: InferredTask): LearningDecision {
    const task = ingested.task ?? { description: '', files: [] };
    const key = given?.key ?? ingestTaskKey(task);
    const inferred = contexts.resolve(key, () => given?.context ?? this.runtime.inferContext({ description: task.description, files: task.files }));
    return ingestedDecision(ingested, inferred);
  }

  /**
   * Stores experiences as they are (an export of `learning-export` read back), skipping session ids already stored.
   * Throws `SessionIngestError` when the sink cannot store built experiences.
   */
  async importExperiences(experiences: readonly Experience[]): Promise<IngestReport> {
    if (experiences.length === 0) return { recorded: 0, skipped: [], experiences: [] };
    if (this.sink.appendNew === undefined) {
      throw new SessionIngestError({ file: '<experiences>', record: 1, message: 'this sink cannot store exported experiences (it has no appendNew)' });
    }
    const appendNew = this.sink.appendNew.bind(this.sink);
    const stored = await this.exclusive(() => appendNew(experiences));
    const storedSet = new Set(stored);
    const skipped = experiences.filter((experience) => !storedSet.has(experience) && experience.sessionId !== undefined).map((experience) => experience.sessionId!);
    for (const experience of stored) this.history.update(experience);
    return { recorded: stored.length, skipped, experiences: stored };
  }

  /**
   * Reads a file of finished sessions (a JSON object, a JSON array or JSONL) — or of experiences written by
   * `learning-export` — and ingests them (see `ingest` and `importExperiences`); session ids already stored are
   * skipped and reported. A session file is streamed: memory is bounded by the largest record and the recording
   * window, not by the file. All or nothing for bad input: a first pass validates every record (strict UTF-8,
   * depth-bounded, schema) and nothing is recorded when one is invalid (`SessionIngestError` naming it).
   * `keepExperiences: false` returns only the counts (for very large files); with it, a session file of 32 MiB or more
   * is validated and built on worker threads (`createLearning({ ingestWorkers })`; the report's `builtOnWorkers`).
   */
  async ingestFile(path: string, options: IngestOptions = {}): Promise<IngestReport> {
    const format = options.format ?? 'auto';
    if (format === 'otlp' || (format === 'auto' && (await looksLikeOtlp(path)))) return this.ingestTraceFile(path, options);
    const inWorkers = await this.#ingestFileInWorkers(path, options);
    if (inWorkers !== undefined) return inWorkers;
    let sessionFile = true;
    try {
      await validateSessionFile(path);
    } catch (error) {
      if (!SessionIngestError.isInstance(error)) throw error;
      sessionFile = false;
    }
    if (sessionFile) return this.exclusive(() => this.#ingest(streamSessionFile(path), options, true));
    // Not a file of sessions: an export of experiences, or invalid (then `readIngestFile` names the bad record).
    const contents = await readIngestFile(path);
    const fromSessions = await this.ingest(contents.sessions, options);
    const fromExperiences = await this.importExperiences(contents.experiences);
    return {
      recorded: fromSessions.recorded + fromExperiences.recorded,
      skipped: [...fromSessions.skipped, ...fromExperiences.skipped],
      experiences: options.keepExperiences === false ? [] : [...fromSessions.experiences, ...fromExperiences.experiences],
    };
  }

  /** Options of the ingest workers; null when records cannot be built off this thread (custom sink or clock). */
  readonly #ingestWorkers: NonNullable<CreateLearningOptions['ingestWorkers']> | null;

  /**
   * `ingestFile` of a session file on worker threads (`IngestWorkerPool`), when the records can be built there exactly
   * as this thread would build them: the default runtime's inference, the default sink over a JSONL buffer, the
   * wall clock, and no experiences kept. The file is read twice, as on this thread: the workers validate every record
   * first (nothing is recorded when one is invalid), then build them while this thread stores the lines in order.
   * Undefined when it does not apply, when the file is not a valid session file (the caller's path then names the bad
   * record, or reads an export), or when the workers could not start before anything was stored.
   */
  async #ingestFileInWorkers(path: string, options: IngestOptions): Promise<IngestReport | undefined> {
    if (this.#ingestWorkers === null || options.keepExperiences !== false) return undefined;
    if (!(this.runtime instanceof DefaultLearningRuntime) || this.runtime.inferContext !== DefaultLearningRuntime.prototype.inferContext) return undefined;
    // The workers' start-up (each loads the inference models) costs more than they save on a small file.
    const bytes = await stat(path).then((info) => (info.isFile() ? info.size : -1), () => -1);
    if (bytes < (this.#ingestWorkers.minFileBytes ?? INGEST_WORKERS_MIN_FILE_BYTES)) return undefined;
    if (!(this.sink instanceof CollectorSink) || !(await this.sink.takesSerialisedRecords())) return undefined;
    const pool = IngestWorkerPool.create(this.#ingestWorkers);
    if (pool === null) return undefined;
    const settings: IngestBuildSettings = { file: path, ...(this.rewardConfig === undefined ? {} : { reward: this.rewardConfig }) };
    try {
      let valid: boolean;
      try {
        valid = await validateSessionFileInWorkers(path, pool, settings);
      } catch (error) {
        if (error instanceof IngestWorkerUnavailableError) return undefined;
        throw error;
      }
      if (!valid) return undefined;
      const sink = this.sink;
      return await this.exclusive(() => this.#ingestBuilt(path, pool, settings, sink));
    } finally {
      await pool.close();
    }
  }

  /**
   * Records a validated session file whose records the workers build (`ingestFileInWorkers`): this thread splits the
   * file, sends batches to the workers in turn, and stores each batch's lines in file order (one append in flight
   * while the next batch arrives), skipping session ids already stored; then updates the history and the drift
   * detectors as `record` would. A worker that stops leaves its batches to this thread (same records).
   */
  async #ingestBuilt(path: string, pool: IngestWorkerPool, settings: IngestBuildSettings, sink: CollectorSink): Promise<IngestReport> {
    const skipped: string[] = [];
    let recorded = 0;
    let builtOnWorkers = 0;
    let local: IngestRecordBuilder | undefined;
    const buildHere = async (records: SessionRecordText[]) => (local ??= new IngestRecordBuilder(settings)).build(records);
    const build = async (records: SessionRecordText[]): Promise<BuiltBatch> => {
      if (pool.failed) return buildHere(records);
      let result: BuiltBatch | RecordFailure;
      try {
        result = await pool.build(records, settings);
      } catch (error) {
        if (error instanceof IngestWorkerUnavailableError) return buildHere(records);
        throw error;
      }
      if ('reason' in result) throw new SessionIngestError({ file: path, record: result.record, message: result.reason });
      builtOnWorkers += records.length;
      return result;
    };
    const store = async ({ sessions, stats }: BuiltBatch) => {
      const stored = await sink.appendSerialized(sessions, ExperienceStatsAccumulator.from(stats));
      const kept = new Set(stored);
      for (const session of sessions) if (!kept.has(session)) skipped.push(session.sessionId);
      for (const session of stored) {
        recorded += 1;
        this.history.observe(session.history);
        if (this.#drift !== null) await this.#observeDrift(session, session.success, INGESTED_DECISION, null, session.reward);
      }
    };
    const queue: Promise<BuiltBatch>[] = [];
    let storing: Promise<void> | undefined;
    const next = async () => {
      const built = await queue.shift()!;
      if (storing !== undefined) await storing;
      storing = awaitedLater(store(built));
    };
    const maxInFlight = 2 * pool.size;
    try {
      let batch: SessionRecordText[] = [];
      for await (const record of streamSessionRecords(path)) {
        batch.push(record);
        if (batch.length < INGEST_WORKER_BATCH) continue;
        queue.push(awaitedLater(build(batch)));
        batch = [];
        while (queue.length >= maxInFlight) await next();
      }
      if (batch.length > 0) queue.push(awaitedLater(build(batch)));
      while (queue.length > 0) await next();
      await storing;
    } catch (error) {
      // Nothing left pending behind a failure: what is in flight is awaited (its errors are this one's).
      await Promise.allSettled([...queue, ...(storing === undefined ? [] : [storing])]);
      throw error;
    }
    return { recorded, skipped, experiences: [], builtOnWorkers };
  }

  /**
   * Ingests OpenTelemetry GenAI traces (OTLP/JSON, `readOtlpTraceFile`): each valid trace is a session, recorded like
   * `ingest` does (a session id already stored is skipped); each malformed one goes to the store's quarantine with
   * its reason and is counted in `traces.quarantined`.
   */
  async ingestTraceFile(path: string, options: IngestOptions = {}): Promise<IngestReport> {
    const parsed = await readOtlpTraceFile(path);
    if (parsed.quarantine.length > 0) await this.sink.quarantine?.(parsed.quarantine);
    const report = await this.ingest(parsed.sessions, options);
    return { ...report, traces: { total: parsed.traces, quarantined: parsed.traces - parsed.sessions.length } };
  }

  /**
   * Changes (and persists) the mode and A/B fraction, enforcing the rollout rules; `force` overrides them (logged).
   * The new mode takes effect in this process even when the mode was pinned at start-up (option or environment).
   * Throws `RolloutRuleError` naming the rule.
   */
  async setMode(mode: LearningMode, options: { fraction?: number; force?: boolean } = {}): Promise<LearningState> {
    const { state } = await this.store.update((state) => {
      const persistedMode = state.mode ?? this.config.mode;
      const request: Parameters<typeof applyModeChange>[1] = { mode };
      if (options.fraction !== undefined) request.fraction = options.fraction;
      if (options.force !== undefined) request.force = options.force;
      applyModeChange(state, request, this.config.rollout, persistedMode, this.config.abFraction);
    });
    this.#modeSetInProcess = true;
    this.adoptState(state);
    return state;
  }

  /**
   * Makes a trained model the active policy: verifies the artifact, refuses (`RolloutRuleError` rule `ope-gate`)
   * when its off-policy evaluation did not beat the rules unless `force`, copies it into the data dir, and starts
   * a new A/B period. A model deployed while in `production` goes back to `ab_test` at the first ramp step
   * (rule `ab-test-period`) unless `force` — or unless it is a challenger that already served beside the deployed
   * model: its manifest's `ope` is a re-look that beat the model deployed now on production logs where it acted on
   * `candidateShare` of sessions (an A/B test against that model), so it replaces it and production goes on.
   * `force: true` overrides both rules; `force: ['ope-gate']` only the gate.
   */
  async deploy(directory: string, options: { force?: boolean | readonly RolloutRule[] } = {}): Promise<DeployedModel> {
    // `force: true` overrides every rule; a list overrides only the rules named (e.g. `['ope-gate']` keeps the
    // new model's ab_test period).
    const overrides = (rule: RolloutRule) => options.force === true || (Array.isArray(options.force) && options.force.includes(rule));
    const force = overrides('ope-gate');
    const artifact = await this.#loadForThisCatalog(directory);
    const beatsRules = opeBeatsRules(artifact.manifest.ope);
    if (beatsRules !== true && !force) {
      throw new RolloutRuleError({
        rule: 'ope-gate',
        message:
          beatsRules === null
            ? typeof artifact.manifest.ope?.error === 'string'
              ? `model ${artifact.manifest.version} could not be evaluated against the rules: ${artifact.manifest.ope.error}`
              : `model ${artifact.manifest.version} has no off-policy evaluation against the rules in its manifest`
            : `model ${artifact.manifest.version} did not beat the rules in off-policy evaluation (lower bound of the difference ≤ 0)`,
      });
    }
    const now = new Date(this.clock());
    const copy = await copyArtifactIntoDataDir(directory, this.config.dataDir, artifact.manifest.version, now);
    const comparison = estimatedComparisonOf(artifact.manifest.ope);
    const { state, result } = await this.store.update((state) => {
      // A challenger's re-look compared it with the model deployed now, on production logs (its baseline is that model).
      const challenger =
        comparison !== null && comparison.kind === 'regate' && beatsRules === true && state.deployed !== null && comparison.baseline.policy === state.deployed.version;
      const againstRules = comparison !== null && (comparison.baseline.policy === undefined || comparison.baseline.policy === 'rules');
      const estimate = comparison === null ? null : challenger ? (state.deployed!.estimate === null ? null : state.deployed!.estimate + comparison.difference.value) : againstRules ? comparison.difference.value : null;
      const deployed: DeployedModel = {
        version: artifact.manifest.version,
        directory: copy,
        source: directory,
        deployedAt: now.toISOString(),
        createdAt: artifact.manifest.createdAt,
        beatsRules,
        forced: force && beatsRules !== true,
        estimate,
      };
      if (state.deployed !== null) state.previous.push(state.deployed);
      state.deployed = deployed;
      if (state.candidate !== null) addStateEvent(state, `exploration candidate ${state.candidate.version} retired by the deployment`, now);
      state.candidate = null;
      resetAbTest(state);
      addStateEvent(state, `deployed model ${deployed.version}${deployed.forced ? ' (forced past the ope-gate)' : ''}`, now);
      const persistedMode = state.mode ?? this.config.mode;
      if (persistedMode === 'production' && challenger) {
        addStateEvent(state, `challenger ${deployed.version} replaces ${state.previous[state.previous.length - 1]!.version} in production: its re-look beat it on the production logs where it acted`, now);
      } else if (persistedMode === 'production' && !overrides('ab-test-period')) {
        state.mode = 'ab_test';
        state.abFraction = this.config.rollout.rampSteps[0]!;
        addStateEvent(state, `new model starts its ab_test period at fraction ${state.abFraction} (rule ab-test-period)`, now);
      }
      return deployed;
    });
    this.adoptState(state);
    this.stateModifiedAt = await this.store.modifiedAt();
    this.swapModel(artifact, copy);
    await this.#applyCandidate();
    return result;
  }

  /**
   * Makes a trained model the exploration candidate (null: none): verified like a deployment and copied into the data
   * dir, it acts on `candidateShare` of shadow sessions with exact mixture propensities — or, chosen while a model is
   * deployed in `ab_test` or `production`, on that share of production sessions as its challenger (`challenges`). It
   * is not a deployment (no gate, no A/B period); `improve` chooses it when the gate neither passes nor rejects a model.
   */
  async explore(directory: string | null, estimate: CandidateModel['estimate'] = null): Promise<CandidateModel | null> {
    const now = new Date(this.clock());
    let candidate: CandidateModel | null = null;
    if (directory !== null) {
      const artifact = await this.#loadForThisCatalog(directory);
      const copy = await copyArtifactIntoDataDir(directory, this.config.dataDir, artifact.manifest.version, now);
      candidate = { version: artifact.manifest.version, directory: copy, source: directory, since: now.toISOString(), estimate, looks: 0, lookBounds: [], plannedLogs: this.config.relookLogs, alpha: null, challenges: null };
    }
    const { state } = await this.store.update((state) => {
      if (candidate !== null) {
        candidate.challenges = this.#challengedVersionOf(state);
        if (this.config.gateErrorBudget === 'run') {
          // Its share of the run's budget, plus the level the last candidate that passed handed on.
          const index = state.gateBudget.candidates + 1;
          candidate.alpha = Math.min(REGATE_ALPHA, REGATE_ALPHA * candidateErrorShare(index) + state.gateBudget.carried);
          state.gateBudget = { candidates: index, carried: 0 };
        }
        addStateEvent(
          state,
          `exploration candidate ${candidate.version} acts on ${this.config.candidateShare * 100} % of ${candidate.challenges === null ? 'shadow sessions' : `production sessions, challenging ${candidate.challenges}`}`,
          now,
        );
      }
      else if (state.candidate !== null) addStateEvent(state, `exploration candidate ${state.candidate.version} withdrawn`, now);
      state.candidate = candidate;
      return candidate;
    });
    this.adoptState(state);
    this.stateModifiedAt = await this.store.modifiedAt();
    await this.applyDeployedModel();
    return candidate;
  }

  /** Returns to the previous deployed model, or to the rules when there is none (learned modes then fall back to `shadow`). */
  async rollback(): Promise<DeployedModel | null> {
    const { state, result } = await this.store.update((state) => {
      const from = state.deployed;
      state.deployed = state.previous.pop() ?? null;
      resetAbTest(state);
      addStateEvent(state, `rolled back from ${from?.version ?? 'rules'} to ${state.deployed?.version ?? 'the rules'}`);
      if (state.deployed === null && (state.mode === 'ab_test' || state.mode === 'production')) {
        state.mode = 'shadow';
        addStateEvent(state, 'no model left: mode shadow');
      }
      return state.deployed;
    });
    this.adoptState(state);
    this.stateModifiedAt = await this.store.modifiedAt();
    await this.applyDeployedModel();
    return result;
  }

  /**
   * Re-reads the state file if it changed since last read and loads a newly deployed model (hot reload). Called on
   * a timer every `reloadIntervalMs`; returns whether anything changed. A model that fails to load leaves the
   * previous one in force and sets `lastReloadError`.
   */
  async reload(): Promise<boolean> {
    if (this.reloading !== undefined) return this.reloading;
    this.reloading = (async () => {
      try {
        const modifiedAt = await this.store.modifiedAt();
        if (modifiedAt === this.stateModifiedAt) return false;
        this.stateModifiedAt = modifiedAt;
        this.adoptState(await this.store.read());
        await this.applyDeployedModel();
        return true;
      } catch (error) {
        this.lastReloadError = error as Error;
        return false;
      } finally {
        this.reloading = undefined;
      }
    })();
    return this.reloading;
  }

  /** Everything `orchestra learning` prints. */
  async status(): Promise<LearningStatus> {
    this.adoptState(await this.store.read());
    const { abTest } = this.state;
    const status: LearningStatus = {
      dataDir: this.config.dataDir,
      mode: this.mode,
      modeSource: this.modeSource,
      abFraction: this.abFraction,
      deployed: this.state.deployed,
      candidate: this.state.candidate,
      exploration: this.state.exploration,
      previous: this.state.previous,
      abTest: {
        ...abTest,
        guardrails: checkGuardrails(abTest.total.learned, abTest.total.rules, this.config.rollout.guardrails),
        productionAllowedAfter: Math.max(0, this.config.rollout.abTestSessionsBeforeProduction - abTest.sessionsServed),
      },
      events: this.state.events,
      drift: { events: this.state.drift.events, explorationBoost: [...this.#boosts].map(([model, untilSession]) => ({ model, epsilon: this.config.drift.explorationEpsilon, untilSession })) },
      modelError:
        this.lastReloadError === null
          ? null
          : { reason: ModelArtifactError.isInstance(this.lastReloadError) ? this.lastReloadError.reason : this.lastReloadError.name, message: this.lastReloadError.message.split('\n')[0]! },
    };
    const report = this.runtime.report?.();
    if (report !== undefined) status.runtime = report;
    return status;
  }

  /** The trainer package, loaded on demand; throws `TrainerUnavailableError` when it is not installed. */
  trainer(): Promise<TrainerModule> {
    return loadTrainer(this.importModule);
  }

  /**
   * Trains a policy from the buffer (or `options.experiences`), evaluates it against the rules, and writes the
   * artifact to `options.output` (deploy it with `deploy`). Needs the optional `@orchestra/learning-trainer`
   * (`TrainerUnavailableError` otherwise); per-epoch metrics go to `<dataDir>/metrics/`.
   */
  async train(options: TrainOptions): Promise<TrainReport> {
    const trainer = await this.trainer();
    const rewardConfig = await this.currentRewardConfig();
    const servedAs = servedWithDesign(options.servedAs, this.config.explorationDesign);
    return trainPolicy(trainer, this.config.dataDir, { actionSpace: this.actionSpace, ...(rewardConfig === undefined ? {} : { rewardConfig }), ...options, ...(servedAs === undefined ? {} : { servedAs }) }, async () => this.readBuffer());
  }

  /**
   * One step of the continuous improvement loop (`improvePolicy`): train on the buffer → deploy gate → when it
   * passes, deploy (never past the gate) and start an A/B period at the first ramp step; when it refuses, nothing
   * changes. Call it every few hundred sessions.
   */
  async improve(options: ImproveOptions = {}): Promise<ImproveReport> {
    // One read of the buffer serves the training and the re-look.
    const experiences: Experience[] = [];
    for await (const experience of (options.experiences ?? (await this.readBuffer())) as AsyncIterable<Experience>) experiences.push(experience);
    return improvePolicy(this.#improvable(experiences), options);
  }

  /**
   * A re-look at the exploration candidate between trainings (`relookCandidate`): when it passes, it is deployed and
   * an A/B period starts, as in `improve`; one found worse, or whose error budget is spent, is withdrawn. With
   * `relookLogs` set its looks spend by information, so calling this every ~100 sessions costs no error and deploys a
   * candidate as soon as its evidence suffices. Seconds per call (two linear critics on the buffer); no training.
   */
  async relook(options: { output?: string; servedAs?: TrainOptions['servedAs']; trainerConfig?: Record<string, unknown>; experiences?: Iterable<Experience> | AsyncIterable<Experience> } = {}): Promise<RelookReport> {
    const experiences: Experience[] = [];
    for await (const experience of (options.experiences ?? (await this.readBuffer())) as AsyncIterable<Experience>) experiences.push(experience);
    const { experiences: _read, ...relookOptions } = options;
    return relookCandidate(this.#improvable(experiences), relookOptions);
  }

  /** The host object of an improvement step (`improvePolicy`, `relookCandidate`) over `experiences`, read once. */
  #improvable(experiences: readonly Experience[]): Improvable {
    const manager = this;
    return {
        dataDir: this.config.dataDir,
        get mode() {
          return manager.mode;
        },
        get abFraction() {
          return manager.abFraction;
        },
        get candidate() {
          return manager.state.candidate;
        },
        get candidateStale() {
          return manager.candidateStale;
        },
        deployedValue: async (valueOptions) => (await this.revalueDeployed({ ...valueOptions, experiences }))?.difference.value ?? this.state.deployed?.estimate ?? null,
        candidateShare: this.config.candidateShare,
        firstRampStep: this.config.rollout.rampSteps[0]!,
        train: (trainOptions) => this.train({ ...trainOptions, experiences }),
        deploy: (directory) => this.deploy(directory),
        explore: (directory, estimate) => this.explore(directory, estimate),
        regate: (regateOptions) => this.regate({ ...regateOptions, experiences }),
        setMode: (mode, modeOptions) => this.setMode(mode, modeOptions),
        adaptExploration: (train) => this.#adaptExploration(train),
    };
  }

  /**
   * With `adaptiveExploration`, makes a training's exploration weights the rules' (persisted in the state file, so
   * every process sharing the data dir explores alike). A process whose action space they do not fit (another model
   * catalog) explores uniformly and reports why in `status().modelError`; nothing else changes.
   */
  async #adaptExploration(train: TrainReport): Promise<void> {
    if (!this.config.adaptiveExploration || train.explorationWeights === null || this.runtime.setExplorationWeights === undefined) return;
    const weights = train.explorationWeights;
    const now = new Date(this.clock());
    const { state } = await this.store.update((state) => {
      state.exploration = { from: train.version, weights };
      addStateEvent(state, `exploration weighted by the critic of ${train.version}`, now);
      return null;
    });
    this.adoptState(state);
    this.stateModifiedAt = await this.store.modifiedAt();
  }

  /**
   * A re-look at the exploration candidate on the logs recorded while it acted on `candidateShare` of shadow sessions
   * (`regateExplorationCandidate`): null without a candidate, a share, or enough such logs. Counts the look and
   * records its estimate in the state; a candidate that passes is written to `output` with the re-look in its
   * manifest, ready for `deploy`.
   */
  async regate(options: { output: string; servedAs?: TrainOptions['servedAs']; trainerConfig?: Record<string, unknown>; experiences?: readonly Experience[] }): Promise<RegateReport | null> {
    const candidate = this.state.candidate;
    if (candidate === null || this.config.candidateShare <= 0 || this.candidateStale) return null;
    const deployed = this.state.deployed;
    const trainer = await this.trainer();
    const rewardConfig = await this.currentRewardConfig();
    const experiences = options.experiences ?? (await this.readBuffer());
    const servedAs = servedWithDesign(options.servedAs, this.config.explorationDesign);
    const report = await regateExplorationCandidate(trainer, {
      candidate,
      experiences,
      candidateShare: this.config.candidateShare,
      ...(candidate.challenges !== null && deployed !== null ? { challenged: { version: deployed.version, directory: deployed.directory } } : {}),
      output: options.output,
      actionSpace: this.actionSpace,
      ...(rewardConfig === undefined ? {} : { rewardConfig }),
      ...(servedAs === undefined ? {} : { servedAs }),
      ...(options.trainerConfig === undefined ? {} : { trainerConfig: options.trainerConfig }),
    });
    if (report === null) return null;
    const now = new Date(this.clock());
    const { state } = await this.store.update((state) => {
      if (state.candidate !== null && state.candidate.version === candidate.version) {
        // A look whose logs did not support the candidate could not deploy it: no bound (it could not stop).
        if (state.candidate.lookBounds.length === report.look - 1) state.candidate.lookBounds.push({ information: report.information, bound: report.supported ? report.bound : null, spend: report.spend, logs: report.freshLogs });
        state.candidate.looks = report.look;
        state.candidate.estimate = report.difference;
        // A passed re-look rejected its hypothesis: its level passes on to the next candidate (the fallback procedure).
        if (report.passed && this.config.gateErrorBudget === 'run') state.gateBudget.carried = report.alpha;
      }
      const { value, lower, upper } = report.difference;
      addStateEvent(state, `re-look ${report.look} at exploration candidate ${report.version} on ${report.freshLogs} logs (it acted on ${report.candidateActed}): ${value.toFixed(2)} [${lower.toFixed(2)}, ${upper.toFixed(2)}] at ${(report.confidence * 100).toFixed(2)} % (z ${report.bound.toFixed(3)}, spending ${(report.spend * 100).toFixed(3)} %${report.plannedLogs === null ? '' : ` by information over ${report.plannedLogs} planned logs`}; the candidate's one-sided budget ${(report.alpha * 50).toFixed(2)} %) — ${report.passed ? 'passed' : 'not passed'}`, now);
      return null;
    });
    this.adoptState(state);
    this.stateModifiedAt = await this.store.modifiedAt();
    return report;
  }

  /**
   * The deployed model's learned − rules re-estimated on the logs recorded since it was deployed (ab_test and
   * production; `revalueDeployedModel`): the gate's doubly robust estimate on logs none of which chose it, unlike the
   * look that deployed it (`DeployedModel.estimate`), which passed and so reads high. `improve` counts a challenger's
   * re-look against the rules with it. Null when no model is deployed or fewer than 100 logs were recorded since.
   */
  async revalueDeployed(options: { servedAs?: TrainOptions['servedAs']; trainerConfig?: Record<string, unknown>; experiences?: readonly Experience[] } = {}): Promise<DeployedValue | null> {
    const deployed = this.state.deployed;
    if (deployed === null) return null;
    const rewardConfig = await this.currentRewardConfig();
    const servedAs = servedWithDesign(options.servedAs, this.config.explorationDesign);
    return revalueDeployedModel(await this.trainer(), {
      deployed,
      experiences: options.experiences ?? (await this.readBuffer()),
      ...(rewardConfig === undefined ? {} : { rewardConfig }),
      ...(servedAs === undefined ? {} : { servedAs }),
      ...(options.trainerConfig === undefined ? {} : { trainerConfig: options.trainerConfig }),
    });
  }

  /** Off-policy evaluation of a model artifact against the rules on the buffer (or on `experiences`). */
  async evaluate(directory: string, experiences?: Iterable<Experience> | AsyncIterable<Experience>): Promise<Record<string, unknown> & { targetBeatsBaseline: boolean }> {
    const trainer = await this.trainer();
    return evaluatePolicyArtifact(trainer, directory, experiences ?? (await this.readBuffer()));
  }

  /**
   * Feeds every experience of the buffer into the history of similar tasks (done by `open` unless `warmHistory` is
   * false). Returns how many were read. A data dir without a buffer reads none; reading needs no write access.
   */
  async warmHistory(): Promise<number> {
    const postgres = isPostgresStore(this.config.store);
    if (!postgres && !existsSync(join(this.config.dataDir, EXPERIENCE_BUFFER_DIRECTORY))) return 0;
    let count = 0;
    try {
      const store = await this.openStore({ readOnly: true });
      try {
        for await (const batch of store.read({ quarantine: false }).batches()) {
          for (const experience of batch) this.history.update(experience);
          count += batch.length;
        }
      } finally {
        await store.close();
      }
    } catch (error) {
      // A shared database that cannot be read must not stop an orchestrator from deciding: it starts with the
      // history it has (none), and says so.
      if (!postgres) throw error;
      (this.onWarning ?? ((message: string) => process.emitWarning(message, { code: 'ORCHESTRA_STORE_FAILOVER' })))(
        `history not warmed from the experience store: ${(error as Error).message.split('\n')[0]}`,
      );
    }
    return count;
  }

  /** The history summary of a task type and primary domain (what `decide` adds to the state). */
  historyOf(taskType: TaskContext['taskType'], primaryDomain: TaskContext['domains'][number]): HistorySummary {
    return this.history.summary(taskType, primaryDomain);
  }

  /**
   * Opens the configured experience store (`store.url` / `ORCHESTRA_STORE_URL`: PostgreSQL; else the data dir's
   * JSONL buffer, scoring outcome events with this orchestrator's reward configuration). The caller closes it.
   * `readOnly` opens without locks, repairs or schema changes.
   */
  openStore(options: { readOnly?: boolean } = {}): Promise<DurableExperienceStore> {
    return openExperienceStore({
      dataDir: this.config.dataDir,
      store: this.config.store,
      readOnly: options.readOnly === true,
      ...(this.rewardConfig === undefined ? {} : { rewardConfig: this.rewardConfig }),
      ...(this.importModule === undefined ? {} : { importModule: this.importModule }),
      ...(this.onWarning === undefined ? {} : { onWarning: this.onWarning }),
    });
  }

  /**
   * Writes out pending records; a PostgreSQL store also replays its local failover buffer into the database when
   * the database answers again (it does so by itself after the first successful write, too).
   */
  async flush(): Promise<void> {
    await this.sink.flush?.();
  }

  /**
   * Every valid experience of the configured store, in order (read-only: no lock, works on a read-only data dir),
   * as it reads now: joined with the outcome events and re-scored by the reward version in force
   * (`view: 'original'`: as stored; the PostgreSQL store keeps neither, and reads the records as stored).
   */
  async readBuffer(options: { view?: 'joined' | 'original' } = {}): Promise<Experience[]> {
    const store = await this.openStore({ readOnly: true });
    try {
      const experiences: Experience[] = [];
      for await (const experience of store.read(options.view === undefined ? {} : { view: options.view })) experiences.push(experience);
      return experiences;
    } finally {
      await store.close();
    }
  }

  /**
   * Statistics of the configured store, read-only (no lock, works on a read-only data dir; a summary cache that had
   * to be re-built is saved when `saveSummaries` and the data dir allow), with the store that answered.
   */
  async stats(options: StoreStatsOptions = {}): Promise<StoreStatsReport & { store: { kind: string; location: string } }> {
    const store = await this.openStore({ readOnly: true });
    try {
      return { ...(await store.stats(options)), store: { kind: store.kind, location: store.location } };
    } finally {
      await store.close();
    }
  }

  /** Exports the configured store (read-only) to `output`: a file, written atomically, or a stream. See `exportExperiences`. */
  async exportExperiences(output: string | Writable, options: ExportOptionsInput = {}): Promise<ExportReport> {
    const store = await this.openStore({ readOnly: true });
    try {
      return await exportExperiences(store, output, options);
    } finally {
      await store.close();
    }
  }

  /**
   * The buffer of the data dir, scoring outcome events with this orchestrator's reward configuration: outcome events
   * and reward versions (`amend`, `reprice`) are kept by the JSONL buffer; with a PostgreSQL store they are refused
   * (`ExperienceStoreError`), not written where no read would join them.
   */
  #openStore(readOnly: boolean, operation = 'read'): Promise<JsonlExperienceStore> {
    if (isPostgresStore(this.config.store)) {
      return Promise.reject(
        new ExperienceStoreError({
          operation,
          path: this.config.dataDir,
          message: 'outcome events and reward versions are kept by the JSONL buffer; the configured PostgreSQL store does not keep them yet',
        }),
      );
    }
    return JsonlExperienceStore.open({ dataDir: this.config.dataDir, readOnly, ...(this.rewardConfig === undefined ? {} : { rewardConfig: this.rewardConfig }) });
  }

  /**
   * Records an outcome that arrived after its session (CI failed an hour later, the user rewrote five files the next
   * day): appends an outcome event to `<dataDir>/experience_buffer/outcome_events.jsonl`. Nothing stored is
   * rewritten; every read (statistics, export, training, the history) joins the event with the session's
   * experience, whose reward is re-computed from the amended outcome (`reward.amendments` says which event changed
   * what). An `eventId` makes a retry idempotent (default: a fresh id); an event for a session not stored yet is
   * kept and joined when it arrives.
   *
   * @throws ValidationError naming the field of an invalid patch.
   */
  async amend(
    sessionId: string,
    patch: OutcomePatch,
    options: { eventId?: string; timestamp?: Date; source?: string } = {},
  ): Promise<{ event: OutcomeEvent; duplicate: boolean; sessionStored: boolean }> {
    const event = validate(
      outcomeEventSchema,
      {
        schemaVersion: 1,
        id: options.eventId ?? randomUUID(),
        sessionId,
        timestamp: (options.timestamp ?? new Date(this.clock())).toISOString(),
        patch: validate(outcomePatchSchema, patch, 'OutcomePatch'),
        ...(options.source === undefined ? {} : { source: options.source }),
      },
      'OutcomeEvent',
    );
    const store = await this.#openStore(false, 'amend');
    let duplicate: boolean;
    try {
      duplicate = (await store.outcomeEvents().append([event])).duplicates.length > 0;
    } finally {
      await store.close();
    }
    // The sink knows the stored session ids (read once per process, then kept): no scan per amendment.
    const sessionStored = this.sink.hasSession === undefined ? (await this.experienceOf(sessionId, { view: 'original' })) !== null : await this.sink.hasSession(sessionId);
    return { event, duplicate, sessionStored };
  }

  /** The experience of a session as it reads now (joined with its outcome events), or null when it is not stored. */
  async experienceOf(sessionId: string, options: { view?: 'joined' | 'original' } = {}): Promise<Experience | null> {
    if (!isPostgresStore(this.config.store) && !existsSync(join(this.config.dataDir, EXPERIENCE_BUFFER_DIRECTORY))) return null;
    const store = await this.#openStore(true, 'experienceOf');
    try {
      for await (const batch of store.read({ quarantine: false, ...(options.view === undefined ? {} : { view: options.view }) }).batches()) {
        const found = batch.find((experience) => experience.sessionId === sessionId);
        if (found !== undefined) return found;
      }
      return null;
    } finally {
      await store.close();
    }
  }

  /**
   * Re-scores the whole history as a new reward version (`repriceHistory`): new model prices re-cost every stored
   * session's calls, a changed `reward` re-scores every reward; the stored figures stay. With `train` (and a deployed
   * model) it retrains on the new version and reports how many greedy decisions on recent tasks change.
   */
  async reprice(options: RepriceOptions): Promise<RepriceReport> {
    return repriceHistory(
      {
        openStore: () => this.#openStore(false, 'reprice'),
        rewardConfig: this.rewardConfig,
        now: () => new Date(this.clock()),
        store: this.store,
        deployed: async () => this.state.deployed ?? (await this.store.read()).deployed,
        train: (trainOptions) => this.train(trainOptions),
      },
      options,
    );
  }

  /** The reward configuration of the version in force (training maps rewards to [−1, 1] with its bounds), else this orchestrator's. */
  async currentRewardConfig(): Promise<RewardConfigInput | undefined> {
    // The PostgreSQL store keeps no reward versions: its records are scored by this orchestrator's configuration.
    if (isPostgresStore(this.config.store) || !existsSync(join(this.config.dataDir, EXPERIENCE_BUFFER_DIRECTORY))) return this.rewardConfig;
    const store = await this.#openStore(true, 'currentRewardConfig');
    try {
      const current = await store.rewardVersions().current();
      return current === null ? this.rewardConfig : current.config;
    } finally {
      await store.close();
    }
  }

  /** Stops watching the state file and closes the experience store. */
  async close(): Promise<void> {
    if (this.reloadTimer !== undefined) clearInterval(this.reloadTimer);
    this.reloadTimer = undefined;
    await this.runtime.close?.();
    await this.sink.close?.();
  }

  private adoptState(state: LearningState): void {
    this.state = state;
    this.#applyExplorationWeights();
  }

  /** The state's exploration weights into the runtime when they changed (ones that do not fit leave exploration uniform). */
  #applyExplorationWeights(): void {
    const weights = this.state.exploration?.weights ?? null;
    const key = weights === null ? null : JSON.stringify(weights);
    if (key === this.#appliedExplorationWeights || this.runtime.setExplorationWeights === undefined) return;
    this.#appliedExplorationWeights = key;
    try {
      this.runtime.setExplorationWeights(weights);
    } catch (error) {
      this.lastReloadError = error instanceof Error ? error : new Error(String(error));
      this.runtime.setExplorationWeights(null);
    }
  }

  /** A verified artifact whose action space is this orchestrator's (`ModelArtifactError` otherwise). */
  async #loadForThisCatalog(directory: string): Promise<ModelArtifact> {
    const artifact = await loadVerifiedModel(directory);
    const artifactSpace = ActionSpace.fromJSON(artifact.manifest.actionSpace);
    if (artifactSpace.hash !== this.actionSpace.hash) {
      throw new ModelArtifactError({
        reason: 'action-space-mismatch',
        location: 'manifest.actionSpace',
        message: `model ${artifact.manifest.version} was trained on the models ${artifactSpace.catalog.models.map((model) => model.id).join(', ')}; this orchestrator's catalog is ${this.catalog.models.map((model) => model.id).join(', ')} (configure the same models, or retrain)`,
      });
    }
    return artifact;
  }

  private swapModel(artifact: ModelArtifact | null, directory: string | null): void {
    this.loadedModelDirectory = directory;
    this.runtime.setModel(artifact);
  }

  private async applyDeployedModel(): Promise<void> {
    await this.#applyCandidate();
    const deployed = this.state.deployed;
    if (deployed === null) {
      if (this.loadedModelDirectory !== null) this.swapModel(null, null);
      return;
    }
    if (deployed.directory === this.loadedModelDirectory) return;
    try {
      this.swapModel(await loadVerifiedModel(deployed.directory), deployed.directory);
      this.lastReloadError = null;
    } catch (error) {
      // A broken deployed copy must not take the orchestrator down: keep the previous model (or the rules), and
      // with no model in force, have the fallbacks say why (`corrupt-artifact`, not `no-model`).
      this.lastReloadError = error instanceof Error ? error : new Error(String(error));
      if (this.loadedModelDirectory === null) this.runtime.modelFailed?.(error);
    }
  }

  /** Loads the state's exploration candidate into the runtime (a copy that fails verification leaves none). */
  async #applyCandidate(): Promise<void> {
    const directory = this.state.candidate?.directory ?? null;
    if (directory === this.#loadedCandidateDirectory || this.runtime.setCandidate === undefined) return;
    if (directory === null) {
      this.runtime.setCandidate(null);
      this.#loadedCandidateDirectory = null;
      return;
    }
    try {
      this.runtime.setCandidate(await loadVerifiedModel(directory));
      this.#loadedCandidateDirectory = directory;
    } catch (error) {
      this.lastReloadError = error instanceof Error ? error : new Error(String(error));
      this.runtime.setCandidate(null);
      this.#loadedCandidateDirectory = null;
    }
  }
}

const decideOptionsSchema = z.object({ costWeight: costWeightSchema });

/** A cost weight given to `decide`; throws `ValidationError` (`Invalid decide options: costWeight: must be …`). */
function validateCostWeight(costWeight: number): number {
  if (costWeight >= 0 && costWeight < Number.POSITIVE_INFINITY) return costWeight;
  return validate(decideOptionsSchema, { costWeight }, 'decide options').costWeight;
}

function resetAbTest(state: LearningState): void {
  const empty = () => ({ sessions: 0, rewardSum: 0, failedSessions: 0, costSum: 0, rewardSquaredSum: 0, costSquaredSum: 0 });
  state.abTest.sessionsServed = 0;
  state.abTest.step = { learned: empty(), rules: empty() };
  state.abTest.total = { learned: empty(), rules: empty() };
  state.abTest.lastBreach = null;
}

/** Whether a file starts like OTLP/JSON traces (an `ExportTraceServiceRequest`): its first 64 KiB name `resourceSpans`. */
async function looksLikeOtlp(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return /^\s*[[{]\s*"resourceSpans"\s*:/.test(head.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await handle.close();
  }
}


/** Creates the `LearningManager` of an orchestrator (see `LearningManager.open`). */
export function createLearning(options: CreateLearningOptions = {}): Promise<LearningManager> {
  return LearningManager.open(options);
}
