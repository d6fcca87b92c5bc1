import type { LearningDecision, LearningManager, RecordResult, TaskInput } from '@orchestra/learning';
import { outcomeSchema, validate, type AgentRole, type EnhancedSessionState, type ModelTier, type OutcomeInput } from '@orchestra/learning-types';
import { errorMessageOf } from './error-code';
import { AiSdkLearningConfigError, UnknownSessionError } from './errors';
import { LearningLanguageModel, type CallPlan } from './learning-language-model';
import type { LanguageModelV4 } from './sdk-types';
import { Scope, type ScopeContext } from './session-scope';

/** What this package needs of `createLearning()`'s manager. */
export type LearningFacade = Pick<LearningManager, 'decide' | 'record' | 'catalog'>;

/** Options of `createAiSdkLearning`. */
export interface AiSdkLearningOptions {
  /** The manager of `createLearning()`: its mode, catalog and buffer are used. */
  learning: LearningFacade;
  /** Your AI SDK models by catalog model id, e.g. `{ 'gpt-4o-mini': openai('gpt-4o-mini'), … }`. */
  providers: Readonly<Record<string, LanguageModelV4>>;
  /** Key of `providers` used when no decision could be made or the decided model has no provider (logged). */
  defaultModel: string;
  /** Fallback order (keys of `providers`); default: the providers by catalog tier (cheap → mid → expensive), then catalog order. */
  ladder?: readonly string[];
  /** Per-attempt timeout before the decision's `timeoutMultiplier` (default 120,000 ms; null: none). */
  baseTimeoutMs?: number | null;
  /** `retry_with_backoff`: retries of the same model (default 3) and the first wait, doubling (default 1,000 ms). */
  maxRetries?: number;
  backoffMs?: number;
  /** `fallback`: most rotations per call (default 3, at most the ladder's length − 1). */
  maxRotations?: number;
  /** Deferred sessions (`deferOutcome`) still waiting for `amend` are recorded without an outcome after this long (default 15 min). */
  outcomeTimeoutMs?: number;
  /** Where failures of deciding or recording are reported (default `console.warn`); the user's calls never fail for them. */
  log?: (message: string) => void;
  /** Called after each session is recorded (or skipped in `disabled` mode: `experience` is then null). */
  onRecorded?: (result: RecordResult, sessionId: string) => void;
  /** Latency clock in ms (default `performance.now`). */
  now?: () => number;
}

/** Options of one `session` call. */
export interface SessionOptions<T> {
  /** Whether the callback's result is a success (default: any result is; a thrown error is a failure). */
  succeeded?: (result: T) => boolean;
  /** Keep the session unrecorded until `amend(sessionId, outcome)` (or `outcomeTimeoutMs`, or `flush`); ignored when `session.setOutcome` was called. */
  deferOutcome?: boolean;
}

/** The handle the session callback receives. */
export interface LearningSession {
  /** The session id (pass it to `amend` for a deferred outcome). */
  readonly id: string;
  /** The decision for the task, or null when deciding failed (every role then calls the default model). */
  readonly decision: LearningDecision | null;
  /** The agents the decision chose (`['executor']` … ; every role when deciding failed). */
  readonly agents: readonly AgentRole[];
  /** An AI SDK language model that calls the model decided for `role` and records every attempt. */
  model(role: AgentRole): LanguageModelV4;
  /** The providers-map key `model(role)` calls first. */
  modelIdFor(role: AgentRole): string;
  /** Task-level facts (tests passed, user edits, …) the experience reward is computed from. */
  setOutcome(outcome: OutcomeInput): void;
  /** Marks the session failed even though the callback returns normally. */
  fail(): void;
}

interface PendingSession {
  session: EnhancedSessionState;
  decision: LearningDecision;
  timer: ReturnType<typeof setTimeout>;
}

const tierRank: Record<ModelTier, number> = { cheap: 0, mid: 1, expensive: 2 };
const defaultLog = (message: string) => console.warn(`[@orchestra/learning-ai-sdk] ${message}`);

/**
 * The Vercel AI SDK drop-in: `session(task, async (session) => …)` decides once per task and records the whole
 * session when the callback ends; `session.model(role)` is a language model for `generateText`, `streamText`,
 * `generateObject` and tool loops that calls the decided model and records every attempt.
 */
export class AiSdkLearning {
  readonly #learning: LearningFacade;
  readonly #providers: Readonly<Record<string, LanguageModelV4>>;
  readonly #defaultModel: string;
  readonly #ladder: readonly string[];
  readonly #baseTimeoutMs: number | null;
  readonly #maxRetries: number;
  readonly #backoffMs: number;
  readonly #maxRotations: number;
  readonly #outcomeTimeoutMs: number;
  readonly #log: (message: string) => void;
  readonly #onRecorded: ((result: RecordResult, sessionId: string) => void) | undefined;
  readonly #now: () => number;
  readonly #prices: Map<string, { input: number; output: number; provider: string }>;
  readonly #pending = new Map<string, PendingSession>();
  readonly #recordings = new Set<Promise<unknown>>();
  readonly #warned = new Set<string>();
  /** What a session scope may call back into (kept off the public API). */
  readonly #context: ScopeContext = {
    createModel: (scope, role) => this.#createModel(scope, role),
    warn: (message) => this.#log(message),
    priceOf: (modelId) => this.#prices.get(modelId),
  };

  constructor(options: AiSdkLearningOptions) {
    if (typeof options !== 'object' || options === null) throw new AiSdkLearningConfigError({ option: 'options', message: 'expected an object' });
    const { learning, providers, defaultModel } = options;
    if (typeof learning?.decide !== 'function' || typeof learning.record !== 'function') {
      throw new AiSdkLearningConfigError({ option: 'learning', message: 'expected the manager returned by createLearning()' });
    }
    if (typeof providers !== 'object' || providers === null || Object.keys(providers).length === 0) {
      throw new AiSdkLearningConfigError({ option: 'providers', message: 'expected a non-empty map of model id → AI SDK language model' });
    }
    for (const [id, model] of Object.entries(providers)) {
      if (typeof model !== 'object' || model === null || model.specificationVersion !== 'v4' || typeof model.doGenerate !== 'function' || typeof model.doStream !== 'function') {
        const version = (model as { specificationVersion?: unknown } | null)?.specificationVersion;
        throw new AiSdkLearningConfigError({ option: `providers["${id}"]`, message: `expected an AI SDK language model of specification v4, got ${version === undefined ? typeof model : `specification ${String(version)}`}` });
      }
    }
    if (typeof defaultModel !== 'string' || providers[defaultModel] === undefined) {
      throw new AiSdkLearningConfigError({ option: 'defaultModel', message: `"${String(defaultModel)}" is not a key of providers (${Object.keys(providers).join(', ')})` });
    }
    const catalog = learning.catalog?.models ?? [];
    this.#prices = new Map(catalog.map((model) => [model.id, { input: model.inputPricePer1kTokens, output: model.outputPricePer1kTokens, provider: model.provider }]));
    if (options.ladder !== undefined) {
      if (!Array.isArray(options.ladder) || options.ladder.length === 0) throw new AiSdkLearningConfigError({ option: 'ladder', message: 'expected a non-empty list of provider keys' });
      const unknown = options.ladder.find((id) => providers[id] === undefined);
      if (unknown !== undefined) throw new AiSdkLearningConfigError({ option: 'ladder', message: `"${unknown}" is not a key of providers` });
      if (new Set(options.ladder).size !== options.ladder.length) throw new AiSdkLearningConfigError({ option: 'ladder', message: 'a model appears twice' });
      this.#ladder = [...options.ladder];
    } else {
      const position = new Map(catalog.map((model, index) => [model.id, [tierRank[model.tier], index] as const]));
      const keys = Object.keys(providers);
      this.#ladder = keys
        .map((id, index) => ({ id, key: position.get(id) ?? ([3, index] as const) }))
        .sort((a, b) => a.key[0] - b.key[0] || a.key[1] - b.key[1])
        .map(({ id }) => id);
    }
    const count = (option: string, value: unknown, fallback: number, { integer = false, positive = false } = {}) => {
      if (value === undefined) return fallback;
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || (positive && value === 0) || (integer && !Number.isInteger(value))) {
        throw new AiSdkLearningConfigError({ option, message: `expected a ${positive ? 'positive' : 'non-negative'} ${integer ? 'integer' : 'number'}, got ${String(value)}` });
      }
      return value;
    };
    this.#baseTimeoutMs = options.baseTimeoutMs === null ? null : count('baseTimeoutMs', options.baseTimeoutMs, 120_000, { positive: true });
    this.#maxRetries = count('maxRetries', options.maxRetries, 3, { integer: true });
    this.#backoffMs = count('backoffMs', options.backoffMs, 1_000);
    this.#maxRotations = count('maxRotations', options.maxRotations, 3, { integer: true });
    this.#outcomeTimeoutMs = count('outcomeTimeoutMs', options.outcomeTimeoutMs, 15 * 60_000, { positive: true });
    if (options.log !== undefined && typeof options.log !== 'function') throw new AiSdkLearningConfigError({ option: 'log', message: 'expected a function' });
    if (options.onRecorded !== undefined && typeof options.onRecorded !== 'function') throw new AiSdkLearningConfigError({ option: 'onRecorded', message: 'expected a function' });
    this.#learning = learning;
    this.#providers = providers;
    this.#defaultModel = defaultModel;
    const log = options.log ?? defaultLog;
    // A throwing logger must not break the call it reports on.
    this.#log = (message) => {
      try {
        log(message);
      } catch {
        // nothing left to report it to
      }
    };
    this.#onRecorded = options.onRecorded;
    this.#now = options.now ?? (() => performance.now());
  }

  /** The fallback order in force. */
  get ladder(): readonly string[] {
    return this.#ladder;
  }

  /** Sessions waiting for `amend`. */
  get pendingOutcomes(): number {
    return this.#pending.size;
  }

  /**
   * Decides once for `task`, runs `run` with a session whose `model(role)` calls the decided models, and records the
   * session when `run` ends: `completed` when it returns (unless `succeeded` says otherwise or `session.fail()` was
   * called), `failed` when it throws (the error is rethrown). Deciding and recording never throw: they log and the
   * session runs on the default model.
   */
  async session<T>(task: TaskInput, run: (session: LearningSession) => Promise<T> | T, options: SessionOptions<T> = {}): Promise<T> {
    if (typeof run !== 'function') throw new AiSdkLearningConfigError({ option: 'session(task, run)', message: 'run must be a function' });
    const scope = this.#open(task);
    let result: T;
    try {
      result = await run(scope.handle);
    } catch (error) {
      await this.#close(scope, 'failed', options.deferOutcome === true);
      throw error;
    }
    let failed = scope.failed;
    if (!failed && options.succeeded !== undefined) {
      try {
        failed = !options.succeeded(result);
      } catch (error) {
        this.#log(`session ${scope.handle.id}: succeeded() threw (${errorMessageOf(error)}); recorded as completed`);
      }
    }
    await this.#close(scope, failed ? 'failed' : 'completed', options.deferOutcome === true);
    return result;
  }

  /** Records a deferred session (`deferOutcome`) with its outcome; throws `UnknownSessionError` when none is waiting under that id. */
  async amend(sessionId: string, outcome: OutcomeInput): Promise<RecordResult | null> {
    const parsed = validate(outcomeSchema, outcome, 'Outcome');
    const pending = this.#pending.get(sessionId);
    if (pending === undefined) throw new UnknownSessionError({ sessionId, waiting: this.#pending.size });
    this.#pending.delete(sessionId);
    clearTimeout(pending.timer);
    return this.#record(pending.session, pending.decision, parsed);
  }

  /** Records every deferred session still waiting (without an outcome) and waits for recordings in flight. */
  async flush(): Promise<void> {
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    await Promise.all(
      waiting.map((pending) => {
        clearTimeout(pending.timer);
        return this.#record(pending.session, pending.decision, undefined);
      }),
    );
    await Promise.all([...this.#recordings]);
  }

  #open(task: TaskInput): Scope {
    let decision: LearningDecision | null = null;
    try {
      decision = this.#learning.decide(task);
    } catch (error) {
      this.#log(`deciding failed (${errorMessageOf(error)}): every role calls the default model ${this.#defaultModel}; the session is not recorded`);
    }
    return new Scope(this.#context, decision);
  }

  /** The model of `role` in a scope (what `session.model(role)` returns). */
  #createModel(scope: Scope, role: AgentRole): LearningLanguageModel {
    const decision = scope.decision;
    let modelId = this.#defaultModel;
    if (decision !== null) {
      const decided = decision.action.models[role];
      if (decided === undefined) this.#warnOnce(`role:${role}`, `a decision chose no model for ${role} (it is not among the decided agents); calling the default model ${this.#defaultModel} (logged once per role)`);
      else if (this.#providers[decided] === undefined) this.#warnOnce(`model:${decided}`, `the decided model ${decided} is not in providers; calling the default model ${this.#defaultModel} instead (logged once per model)`);
      else modelId = decided;
    }
    const multiplier = decision?.action.timeoutMultiplier ?? 1;
    const plan: CallPlan = {
      strategy: decision?.action.retryStrategy ?? 'fail_fast',
      timeoutMs: this.#baseTimeoutMs === null ? null : Math.round(this.#baseTimeoutMs * multiplier),
      maxRetries: this.#maxRetries,
      backoffMs: this.#backoffMs,
      maxRotations: this.#maxRotations,
      ladder: this.#ladder,
    };
    return new LearningLanguageModel({ role, modelId, providers: this.#providers, plan, recorder: scope, now: this.#now });
  }

  #warnOnce(key: string, message: string): void {
    if (this.#warned.has(key)) return;
    this.#warned.add(key);
    this.#log(message);
  }

  async #close(scope: Scope, phase: 'completed' | 'failed', deferOutcome: boolean): Promise<void> {
    const decision = scope.decision;
    if (decision === null) return;
    const session = scope.finish(phase);
    if (session === null) return;
    if (deferOutcome && scope.outcome === undefined) {
      const sessionId = decision.sessionId;
      const timer = setTimeout(() => {
        const pending = this.#pending.get(sessionId);
        if (pending === undefined) return;
        this.#pending.delete(sessionId);
        void this.#record(pending.session, pending.decision, undefined);
      }, this.#outcomeTimeoutMs);
      timer.unref?.();
      this.#pending.set(sessionId, { session, decision, timer });
      return;
    }
    await this.#record(session, decision, scope.outcome);
  }

  async #record(session: EnhancedSessionState, decision: LearningDecision, outcome: OutcomeInput | undefined): Promise<RecordResult | null> {
    const recording = (async () => {
      let result: RecordResult;
      try {
        result = await this.#learning.record(session, decision, outcome === undefined ? {} : { outcome });
      } catch (error) {
        this.#log(`session ${decision.sessionId}: recording failed (${errorMessageOf(error)}); the call's result is unaffected`);
        return null;
      }
      try {
        this.#onRecorded?.(result, decision.sessionId);
      } catch (error) {
        this.#log(`session ${decision.sessionId}: onRecorded threw (${errorMessageOf(error)}); the session is recorded`);
      }
      return result;
    })();
    this.#recordings.add(recording);
    try {
      return await recording;
    } finally {
      this.#recordings.delete(recording);
    }
  }
}

/** Creates the AI SDK drop-in over a `createLearning()` manager (see `AiSdkLearning`). Validates every option (`AiSdkLearningConfigError`). */
export function createAiSdkLearning(options: AiSdkLearningOptions): AiSdkLearning {
  return new AiSdkLearning(options);
}
