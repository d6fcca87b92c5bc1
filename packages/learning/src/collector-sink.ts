import { ExperienceCollector, JsonlExperienceStore, type DurableExperienceStore, type JsonlExperienceStoreConfigInput, type ExperienceStatsAccumulator, type QuarantineEntry, type SerializedExperience } from '@orchestra/learning-collector';
import { join } from 'node:path';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import type { EnhancedSessionState, Experience, OutcomeInput } from '@orchestra/learning-types';
import { withFileLock } from './file-lock';
import type { ExperienceSink, LearningDecision, SinkRecordOptions } from './learning-runtime';

/** Lock file (in the data dir) that serialises ingests across processes. */
export const INGEST_LOCK_FILE = 'experience_buffer.ingest.lock';

/** Options of `CollectorSink` beyond the store. */
export interface CollectorSinkOptions {
  /** The reward configuration of recorded sessions. */
  reward?: RewardConfigInput;
  /** Clock of the experiences' timestamps (default: the wall clock; a simulation passes its own). */
  now?: () => Date;
  /**
   * Opens the store (default: the JSONL buffer of `storeConfig.dataDir`); the facade passes the configured one
   * (`openExperienceStore`: JSONL or PostgreSQL).
   */
  openStore?: () => Promise<DurableExperienceStore>;
}

/**
 * The sink `createLearning` uses unless given another: an `ExperienceCollector` over the configured store — the
 * durable JSONL buffer of the data dir (`<dataDir>/experience_buffer`) or a shared PostgreSQL database — opened on
 * the first record.
 */
export class CollectorSink implements ExperienceSink {
  private opened: Promise<{ store: DurableExperienceStore; collector: ExperienceCollector }> | undefined;

  /**
   * @param storeConfig the data dir (the JSONL buffer's configuration when `options.openStore` is not given)
   * @param options the reward configuration, the clock, and how to open the store
   */
  constructor(
    private readonly storeConfig: JsonlExperienceStoreConfigInput & { dataDir: string },
    private readonly options: CollectorSinkOptions = {},
  ) {}

  private open() {
    if (this.opened !== undefined) return this.opened;
    const now = this.options.now;
    const openStore: () => Promise<DurableExperienceStore> = this.options.openStore ?? (() => JsonlExperienceStore.open(this.storeConfig));
    const opening = openStore().then((store) => ({
      store,
      collector: new ExperienceCollector({
        store,
        mode: 'shadow',
        ...(this.options.reward === undefined ? {} : { reward: this.options.reward }),
        ...(now === undefined ? {} : { now }),
      }),
    }));
    // A failed open is not kept: the next record tries again, and `close` does not report the same error twice.
    opening.catch(() => {
      if (this.opened === opening) this.opened = undefined;
    });
    this.opened = opening;
    return opening;
  }

  async record(session: EnhancedSessionState, decision: LearningDecision, extras: { outcome?: OutcomeInput } = {}, options: SinkRecordOptions = {}): Promise<Experience | null> {
    if (decision.mode === 'disabled') return null;
    const { collector } = await this.open();
    // `session` is `parseSessionState` output (the manager validates before recording): validated once, not again.
    return collector.record(session, decision, {
      validatedSession: true,
      context: decision.context,
      system: decision.system,
      history: decision.history,
      task: decision.task,
      mode: decision.mode,
      sessionId: decision.sessionId,
      ...(extras.outcome === undefined ? {} : { outcome: extras.outcome }),
      ...(options.newSession === true ? { newSession: true } : {}),
    });
  }

  async hasSession(sessionId: string): Promise<boolean> {
    const { collector } = await this.open();
    return collector.hasSession(sessionId);
  }

  async keepsSessionsOnce(): Promise<boolean> {
    const { store } = await this.open();
    return store.appendNew !== undefined;
  }

  async appendNew(experiences: readonly Experience[]): Promise<Experience[]> {
    const { collector } = await this.open();
    return collector.appendNew(experiences);
  }

  /**
   * Whether records serialised elsewhere can be stored (`appendSerialized`): the store writes JSON lines and keeps no
   * unique constraint of its own (the JSONL buffer).
   */
  async takesSerialisedRecords(): Promise<boolean> {
    const { store } = await this.open();
    return store.appendSerialized !== undefined && store.appendNew === undefined;
  }

  /**
   * Stores records serialised elsewhere, each session once (`ExperienceCollector.appendSerialized`; `stats` of exactly
   * these records); returns the stored ones.
   */
  async appendSerialized<T extends SerializedExperience>(records: readonly T[], stats?: ExperienceStatsAccumulator): Promise<T[]> {
    const { collector } = await this.open();
    return collector.appendSerialized(records, stats);
  }

  async exclusive<T>(action: () => Promise<T>): Promise<T> {
    const { store, collector } = await this.open();
    // A store that keeps each session once by itself (a unique constraint across hosts) needs no lock: concurrent
    // ingests, on any host, store each session once.
    if (store.appendNew !== undefined) return action();
    // An ingest of many sessions may hold the lock for minutes; a crashed holder is detected by its process id.
    return withFileLock(join(this.storeConfig.dataDir, INGEST_LOCK_FILE), async () => {
      collector.forgetKnownSessions();
      return action();
    }, { timeoutMs: 600_000, staleMs: 600_000 });
  }

  async quarantine(entries: readonly QuarantineEntry[]): Promise<number> {
    const { store } = await this.open();
    return store.quarantine(entries);
  }

  /** The store, opened if it was not yet (statistics, replay). */
  async store(): Promise<DurableExperienceStore> {
    return (await this.open()).store;
  }

  /** Writes out pending records (a PostgreSQL store also replays its failover buffer when the database answers). */
  async flush(): Promise<void> {
    if (this.opened === undefined) return;
    await (await this.opened).store.flush();
  }

  /** Closes the store if it was opened. A failed open was already reported to the `record` that caused it: not again. */
  async close(): Promise<void> {
    if (this.opened === undefined) return;
    const opened = this.opened;
    this.opened = undefined;
    let store: DurableExperienceStore;
    try {
      ({ store } = await opened);
    } catch {
      return;
    }
    await store.close();
  }
}
