import type { AgentRole, ModelErrorCode } from '@orchestra/learning-types';
import { errorCodeOf, errorMessageOf } from './error-code';
import { ModelCallTimeoutError } from './errors';
import type {
  LanguageModelV4,
  LanguageModelV4CallOptions,
  LanguageModelV4GenerateResult,
  LanguageModelV4StreamPart,
  LanguageModelV4StreamResult,
  LanguageModelV4Usage,
} from './sdk-types';

/** How one attempt ended, as the session scope records it. */
export interface AttemptReport {
  modelId: string;
  latencyMs: number;
  usage?: LanguageModelV4Usage;
  finishReason?: string;
  error?: { code: ModelErrorCode; message: string };
}

/** What a model of a session needs from its scope: where to record, and the plan decided for the task. */
export interface CallRecorder {
  /** Starts a step of `role`; returns its id, or null when tracking is off or failed (logged). */
  startStep(role: AgentRole): string | null;
  attempt(step: string | null, report: AttemptReport): void;
  rotation(step: string | null, from: string, to: string): void;
  endStep(step: string | null, success: boolean): void;
}

/** The retry plan of a call: the decided strategy and its limits. */
export interface CallPlan {
  strategy: 'fail_fast' | 'retry_with_backoff' | 'fallback';
  /** Per-attempt timeout in ms, or null. */
  timeoutMs: number | null;
  maxRetries: number;
  backoffMs: number;
  maxRotations: number;
  /** Models in fallback order. */
  ladder: readonly string[];
}

/** A timer that aborts one attempt; `expired` rejects when it fires (the provider may ignore the abort signal). */
class Deadline {
  readonly controller = new AbortController();
  readonly expired: Promise<never>;
  fired = false;
  #timer: ReturnType<typeof setTimeout>;
  #userSignal: AbortSignal | undefined;
  #onUserAbort: (() => void) | undefined;

  constructor(timeoutMs: number, modelId: string, userSignal: AbortSignal | undefined) {
    let reject!: (error: unknown) => void;
    this.expired = new Promise<never>((_, rejectExpired) => (reject = rejectExpired));
    this.expired.catch(() => undefined);
    this.#timer = setTimeout(() => {
      this.fired = true;
      const error = new ModelCallTimeoutError({ modelId, timeoutMs });
      this.controller.abort(error);
      reject(error);
    }, timeoutMs);
    this.#timer.unref?.();
    if (userSignal !== undefined) {
      if (userSignal.aborted) this.controller.abort(userSignal.reason);
      else {
        this.#userSignal = userSignal;
        this.#onUserAbort = () => this.controller.abort(userSignal.reason);
        userSignal.addEventListener('abort', this.#onUserAbort, { once: true });
      }
    }
  }

  dispose(): void {
    clearTimeout(this.#timer);
    if (this.#onUserAbort !== undefined) this.#userSignal!.removeEventListener('abort', this.#onUserAbort);
    this.#onUserAbort = undefined;
  }
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first (the listener is removed either way). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The language model `session.model(role)` returns: calls the model decided for the role (an AI SDK
 * `LanguageModelV4` from the providers map), applies the decided retry strategy, and reports every attempt.
 * One SDK call (`doGenerate` / `doStream`) is one step of the session.
 */
export class LearningLanguageModel implements LanguageModelV4 {
  readonly specificationVersion = 'v4' as const;
  readonly provider: string;
  readonly modelId: string;
  readonly #role: AgentRole;
  readonly #primary: string;
  readonly #providers: Readonly<Record<string, LanguageModelV4>>;
  readonly #plan: CallPlan;
  readonly #recorder: CallRecorder;
  readonly #now: () => number;

  constructor(options: { role: AgentRole; modelId: string; providers: Readonly<Record<string, LanguageModelV4>>; plan: CallPlan; recorder: CallRecorder; now: () => number }) {
    const model = options.providers[options.modelId]!;
    this.#role = options.role;
    this.#primary = options.modelId;
    this.#providers = options.providers;
    this.#plan = options.plan;
    this.#recorder = options.recorder;
    this.#now = options.now;
    this.provider = model.provider;
    this.modelId = model.modelId;
  }

  /** The providers-map key of the model this role calls first. */
  get decidedModel(): string {
    return this.#primary;
  }

  get supportedUrls(): LanguageModelV4['supportedUrls'] {
    return this.#providers[this.#primary]!.supportedUrls;
  }

  async doGenerate(options: LanguageModelV4CallOptions): Promise<LanguageModelV4GenerateResult> {
    const step = this.#recorder.startStep(this.#role);
    return this.#attempts(step, options, async (model, modelId, callOptions, deadline, started) => {
      const call = model.doGenerate(callOptions);
      const result = deadline === null ? await call : await Promise.race([call, deadline.expired]);
      deadline?.dispose();
      this.#recorder.attempt(step, { modelId, latencyMs: this.#now() - started, usage: result.usage, finishReason: result.finishReason.unified });
      this.#recorder.endStep(step, true);
      return result;
    });
  }

  async doStream(options: LanguageModelV4CallOptions): Promise<LanguageModelV4StreamResult> {
    const step = this.#recorder.startStep(this.#role);
    return this.#attempts(step, options, async (model, modelId, callOptions, deadline, started) => {
      const call = model.doStream(callOptions);
      const result = deadline === null ? await call : await Promise.race([call, deadline.expired]);
      return { ...result, stream: this.#observe(result.stream, step, modelId, deadline, started, options.abortSignal) };
    });
  }

  /**
   * Runs `call` on the decided model and, on failure, per the strategy: `retry_with_backoff` retries the same model
   * (not after a context-length error) with doubling waits; `fallback` rotates to the next model of the ladder not yet
   * tried in this step (each rotation counted); `fail_fast` stops. An abort by the caller's signal always stops.
   */
  async #attempts<R>(
    step: string | null,
    options: LanguageModelV4CallOptions,
    call: (model: LanguageModelV4, modelId: string, options: LanguageModelV4CallOptions, deadline: Deadline | null, started: number) => Promise<R>,
  ): Promise<R> {
    const plan = this.#plan;
    let modelId = this.#primary;
    let retries = 0;
    let rotations = 0;
    let tried: string[] | undefined;
    for (;;) {
      const model = this.#providers[modelId]!;
      const deadline = plan.timeoutMs === null ? null : new Deadline(plan.timeoutMs, modelId, options.abortSignal);
      const started = this.#now();
      try {
        return await call(model, modelId, deadline === null ? options : { ...options, abortSignal: deadline.controller.signal }, deadline, started);
      } catch (error) {
        deadline?.dispose();
        const code: ModelErrorCode = deadline?.fired === true ? 'TIMEOUT' : errorCodeOf(error);
        this.#recorder.attempt(step, { modelId, latencyMs: this.#now() - started, error: { code, message: errorMessageOf(error) } });
        const stop = () => {
          this.#recorder.endStep(step, false);
          return error;
        };
        if (options.abortSignal?.aborted === true) throw stop();
        if (plan.strategy === 'retry_with_backoff' && code !== 'CONTEXT_EXCEEDED' && retries < plan.maxRetries) {
          retries += 1;
          if (plan.backoffMs > 0) {
            try {
              await sleep(plan.backoffMs * 2 ** (retries - 1), options.abortSignal);
            } catch {
              throw stop();
            }
          }
          continue;
        }
        if (plan.strategy === 'fallback' && rotations < plan.maxRotations) {
          tried ??= [this.#primary];
          const next = nextOnLadder(plan.ladder, modelId, tried);
          if (next !== undefined) {
            rotations += 1;
            tried.push(next);
            this.#recorder.rotation(step, modelId, next);
            modelId = next;
            continue;
          }
        }
        throw stop();
      }
    }
  }

  /** Passes the stream through unchanged; records the attempt when it finishes (usage and finish reason of its `finish` part), errors or is cancelled. */
  #observe(
    source: ReadableStream<LanguageModelV4StreamPart>,
    step: string | null,
    modelId: string,
    deadline: Deadline | null,
    started: number,
    userSignal: AbortSignal | undefined,
  ): ReadableStream<LanguageModelV4StreamPart> {
    const reader = source.getReader();
    let usage: LanguageModelV4Usage | undefined;
    let finishReason: string | undefined;
    let streamError: unknown;
    let ended = false;
    const end = (failure: unknown, cancelled = false) => {
      if (ended) return;
      ended = true;
      deadline?.dispose();
      const latencyMs = this.#now() - started;
      const error = failure ?? streamError ?? (usage === undefined ? new Error('the stream ended without a finish part') : undefined);
      if (error === undefined) {
        this.#recorder.attempt(step, { modelId, latencyMs, usage: usage!, ...(finishReason === undefined ? {} : { finishReason }) });
      } else {
        // A stream cut short by its consumer (cancel, or the caller's abort) counts as an abort: TIMEOUT.
        const aborted = cancelled || deadline?.fired === true || userSignal?.aborted === true;
        const code: ModelErrorCode = aborted ? 'TIMEOUT' : errorCodeOf(error);
        this.#recorder.attempt(step, { modelId, latencyMs, ...(usage === undefined ? {} : { usage }), ...(finishReason === undefined ? {} : { finishReason }), error: { code, message: errorMessageOf(error) } });
      }
      this.#recorder.endStep(step, error === undefined);
    };
    return new ReadableStream<LanguageModelV4StreamPart>({
      pull: async (controller) => {
        let next: Awaited<ReturnType<typeof reader.read>>;
        try {
          next = deadline === null ? await reader.read() : await Promise.race([reader.read(), deadline.expired]);
        } catch (error) {
          end(error);
          controller.error(error);
          void reader.cancel(error).catch(() => undefined);
          return;
        }
        if (next.done) {
          end(undefined);
          controller.close();
          return;
        }
        const part = next.value;
        if (part.type === 'finish') {
          usage = part.usage;
          finishReason = part.finishReason.unified;
        } else if (part.type === 'error' && streamError === undefined) {
          streamError = part.error ?? new Error('error part without an error');
        }
        controller.enqueue(part);
      },
      cancel: async (reason) => {
        end(reason ?? new Error('the stream was cancelled by its consumer'), true);
        await reader.cancel(reason);
      },
    });
  }
}

/** The model after `current` on the ladder (wrapping around) that this step has not tried yet. */
function nextOnLadder(ladder: readonly string[], current: string, tried: readonly string[]): string | undefined {
  const start = ladder.indexOf(current);
  for (let offset = 1; offset <= ladder.length; offset += 1) {
    const candidate = ladder[(start + offset) % ladder.length]!;
    if (!tried.includes(candidate)) return candidate;
  }
  return undefined;
}
