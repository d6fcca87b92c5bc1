import { inferTaskContext } from '@orchestra/learning-features/inference';
import { ExperienceBuilder, ExperienceStatsAccumulator, type ExperienceStatsState, type SerializedExperience } from '@orchestra/learning-collector';
import { historyObservationOf, type HistoryObservation } from '@orchestra/learning-features';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import type { DriftSession } from './drift/drift-monitor';
import { SessionIngestError } from './errors';
import { IngestContextMemo } from './ingest-context-memo';
import { ingestedDecision, ingestTaskKey } from './ingest-decision';
import type { IngestWorkerPool } from './ingest-worker-pool';
import { parseSessionRecord, streamSessionRecords } from './session-stream';

/** Distinct task (description, files) contexts one ingest keeps inferred (per thread). */
export const INGEST_CONTEXT_CACHE_SIZE = 4_096;

/** A record of a session file as its text: `[text, recordNumber]` (`streamSessionRecords`). */
export type SessionRecordText = [string, number];

/**
 * One session built off the recording thread: its stored line, and what the recording thread's history and drift
 * detectors read of it (`record` would give them the built experience).
 */
export interface BuiltSession extends SerializedExperience {
  sessionId: string;
  /** What `HistoryIndex.update` observes of the experience. */
  history: HistoryObservation;
  /** The session's steps and model calls, as the drift detectors read them. */
  workflow: DriftSession['workflow'];
  success: boolean;
  reward: number;
}

/** A batch of built sessions, with the statistics of all of them (`ExperienceStatsAccumulator.toJSON`). */
export interface BuiltBatch {
  sessions: BuiltSession[];
  stats: ExperienceStatsState;
}

/** A record that failed: its number and what is wrong (a `SessionIngestError`'s fields). */
export interface RecordFailure {
  record: number;
  reason: string;
}

/** What the recording thread tells a builder: the file (named in errors) and the reward of the sink. */
export interface IngestBuildSettings {
  file: string;
  reward?: RewardConfigInput;
}

/**
 * Builds the stored experiences of session-file records exactly as the facade's ingest records them on its own
 * thread (`CollectorSink` with the default runtime): validated (`parseSessionRecord`), task context inferred
 * (`inferTaskContext`, memoised per task), decided as an ingested session (`ingestedDecision`), built
 * (`ExperienceBuilder` in `shadow` mode with the sink's reward) and serialised. Runs on the ingest workers
 * (`IngestWorkerPool`) and, when they are unavailable, on the calling thread: the records are the same either way,
 * up to their ids and timestamps.
 */
export class IngestRecordBuilder {
  readonly #settings: IngestBuildSettings;
  readonly #builder: ExperienceBuilder;
  readonly #contexts = new IngestContextMemo(INGEST_CONTEXT_CACHE_SIZE);

  constructor(settings: IngestBuildSettings) {
    this.#settings = settings;
    this.#builder = new ExperienceBuilder({ mode: 'shadow', ...(settings.reward === undefined ? {} : { reward: settings.reward }) });
  }

  /** Validates records without building them; the first invalid one (in the order given), or null. */
  static firstInvalid(records: readonly SessionRecordText[], file: string): RecordFailure | null {
    for (const [text, recordNumber] of records) {
      try {
        parseSessionRecord(text, file, recordNumber);
      } catch (error) {
        return failureOf(error, recordNumber);
      }
    }
    return null;
  }

  /** Builds the records, in order. Throws `SessionIngestError` at the first invalid one. */
  build(records: readonly SessionRecordText[]): BuiltBatch {
    const { file } = this.#settings;
    const sessions: BuiltSession[] = [];
    const stats = new ExperienceStatsAccumulator();
    for (const [text, recordNumber] of records) {
      try {
        sessions.push(this.#buildOne(text, recordNumber, stats));
      } catch (error) {
        if (SessionIngestError.isInstance(error)) throw error;
        throw new SessionIngestError({ file, record: recordNumber, message: error instanceof Error ? error.message : String(error), cause: error });
      }
    }
    return { sessions, stats: stats.toJSON() };
  }

  #buildOne(text: string, recordNumber: number, stats: ExperienceStatsAccumulator): BuiltSession {
    const ingested = parseSessionRecord(text, this.#settings.file, recordNumber);
    const task = ingested.task ?? { description: '', files: [] };
    const context = this.#contexts.resolve(ingestTaskKey(task), () => inferTaskContext({ description: task.description, files: [...task.files] }).context);
    const decision = ingestedDecision(ingested, context);
    const experience = this.#builder.build(ingested.session, decision, {
      validatedSession: true,
      context: decision.context,
      system: decision.system,
      task: decision.task,
      mode: decision.mode,
      sessionId: decision.sessionId,
    });
    stats.add(experience);
    return {
      line: JSON.stringify(experience),
      id: experience.id,
      sessionId: decision.sessionId,
      history: historyObservationOf(experience),
      workflow: ingested.session.workflow.map((step) => ({
        agentRole: step.agentRole,
        attempts: step.attempts.map((call) => ({ modelId: call.modelId, success: call.success, latencyMs: call.latencyMs })),
      })),
      success: experience.outcome.success,
      reward: experience.reward.total,
    };
  }
}

/** A thrown error as a record failure (a `SessionIngestError` keeps its record and reason). */
export function failureOf(error: unknown, recordNumber: number): RecordFailure {
  if (SessionIngestError.isInstance(error)) return { record: error.record, reason: error.reason };
  return { record: recordNumber, reason: error instanceof Error ? error.message : String(error) };
}

/**
 * `promise`, marked handled now: it is awaited later (batches in flight are awaited in turn), and its rejection in the
 * meantime must not count as an unhandled rejection (which ends the process).
 */
export function awaitedLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** Records of a session file a worker validates at a time. */
const VALIDATE_BATCH = 512;

/**
 * The first pass of an all-or-nothing ingest on worker threads: this thread splits the file
 * (`streamSessionRecords`), the workers validate the records. True when every record is valid; false at the first
 * invalid record or split error (the calling thread's pass, `validateSessionFile`, then names it). Rejects with
 * `IngestWorkerUnavailableError` when a worker stopped.
 */
export async function validateSessionFileInWorkers(path: string, pool: IngestWorkerPool, settings: IngestBuildSettings): Promise<boolean> {
  const inFlight: Promise<RecordFailure | null>[] = [];
  let valid = true;
  try {
    let batch: SessionRecordText[] = [];
    for await (const record of streamSessionRecords(path)) {
      batch.push(record);
      if (batch.length < VALIDATE_BATCH) continue;
      inFlight.push(awaitedLater(pool.validate(batch, settings)));
      batch = [];
      while (valid && inFlight.length >= 2 * pool.size) valid = (await inFlight.shift()!) === null;
      if (!valid) break;
    }
    if (valid && batch.length > 0) inFlight.push(awaitedLater(pool.validate(batch, settings)));
    while (valid && inFlight.length > 0) valid = (await inFlight.shift()!) === null;
  } catch (error) {
    if (!SessionIngestError.isInstance(error)) throw error;
    valid = false;
  } finally {
    // Nothing left pending behind a failure (a stopped worker's rejection included).
    await Promise.allSettled(inFlight);
  }
  return valid;
}
