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

/** A record that failed: its number and what is wrong (a `SessionIngestError`'s fields), and its place in its batch. */
export interface RecordFailure {
  record: number;
  reason: string;
  /** Position of the record in the batch it came in (0 when not known). */
  index: number;
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
    for (let index = 0; index < records.length; index += 1) {
      const [text, recordNumber] = records[index]!;
      try {
        parseSessionRecord(text, file, recordNumber);
      } catch (error) {
        return failureOf(error, recordNumber, index);
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
    const key = ingestTaskKey(task);
    let context = this.#contexts.get(key);
    if (context === undefined) {
      context = inferTaskContext({ description: task.description, files: [...task.files] }).context;
      this.#contexts.set(key, context);
    }
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
export function failureOf(error: unknown, recordNumber: number, index = 0): RecordFailure {
  if (SessionIngestError.isInstance(error)) return { record: error.record, reason: error.reason, index };
  return { record: recordNumber, reason: error instanceof Error ? error.message : String(error), index };
}

/** Records of a session file a worker validates at a time. */
const VALIDATE_BATCH = 512;

/**
 * The first pass of an all-or-nothing ingest on worker threads: this thread splits the file
 * (`streamSessionRecords`), the workers validate the records; returns the first invalid record in file order (a
 * split or decoding error included), or null when every record is valid. Rejects with
 * `IngestWorkerUnavailableError` when a worker stopped (validate on this thread instead: `validateSessionFile`).
 */
export async function validateSessionFileInWorkers(path: string, pool: IngestWorkerPool, settings: IngestBuildSettings): Promise<RecordFailure | null> {
  // Each failure is ordered by its place in the file: a record's by its index, a split error's after the records
  // the splitter gave before it.
  let first: { order: number; failure: RecordFailure } | null = null;
  const note = (order: number, failure: RecordFailure) => {
    if (first === null || order < first.order) first = { order, failure };
  };
  const inFlight: { start: number; answer: Promise<RecordFailure | null> }[] = [];
  const settle = async () => {
    const { start, answer } = inFlight.shift()!;
    const failure = await answer;
    if (failure !== null) note(start + failure.index, failure);
  };
  let given = 0;
  try {
    let batch: SessionRecordText[] = [];
    for await (const record of streamSessionRecords(path)) {
      batch.push(record);
      given += 1;
      if (batch.length < VALIDATE_BATCH) continue;
      inFlight.push({ start: given - batch.length, answer: pool.validate(batch, settings) });
      batch = [];
      while (inFlight.length >= 2 * pool.size) await settle();
      // An invalid record was found: nothing after it matters.
      if (first !== null) break;
    }
    if (batch.length > 0 && first === null) inFlight.push({ start: given - batch.length, answer: pool.validate(batch, settings) });
  } catch (error) {
    if (!SessionIngestError.isInstance(error)) {
      await Promise.allSettled(inFlight.map((entry) => entry.answer));
      throw error;
    }
    note(given - 0.5, failureOf(error, error.record));
  }
  try {
    while (inFlight.length > 0) await settle();
  } catch (error) {
    await Promise.allSettled(inFlight.map((entry) => entry.answer));
    throw error;
  }
  return (first as { order: number; failure: RecordFailure } | null)?.failure ?? null;
}
