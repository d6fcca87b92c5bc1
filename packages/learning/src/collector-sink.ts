import { ExperienceCollector, JsonlExperienceStore, type JsonlExperienceStoreConfigInput } from '@orchestra/learning-collector';
import { join } from 'node:path';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import type { EnhancedSessionState, Experience, OutcomeInput } from '@orchestra/learning-types';
import { withFileLock } from './file-lock';
import type { ExperienceSink, LearningDecision, SinkRecordOptions } from './learning-runtime';

/** Lock file (in the data dir) that serialises ingests across processes. */
export const INGEST_LOCK_FILE = 'experience_buffer.ingest.lock';

/**
 * The sink `createLearning` uses unless given another: an `ExperienceCollector` over the durable JSONL buffer of the
 * data dir (`<dataDir>/experience_buffer`), opened on the first record.
 */
export class CollectorSink implements ExperienceSink {
  private opened: Promise<{ store: JsonlExperienceStore; collector: ExperienceCollector }> | undefined;

  /**
   * @param storeConfig the buffer's configuration (its data dir)
   * @param options `reward`: the reward configuration of recorded sessions; `now`: clock of the experiences'
   *   timestamps (default: the wall clock; a simulation passes its own)
   */
  constructor(
    private readonly storeConfig: JsonlExperienceStoreConfigInput & { dataDir: string },
    private readonly options: { reward?: RewardConfigInput; now?: () => Date } = {},
  ) {}

  private open() {
    if (this.opened !== undefined) return this.opened;
    const now = this.options.now;
    const opening = JsonlExperienceStore.open(this.storeConfig).then((store) => ({
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

  async appendNew(experiences: readonly Experience[]): Promise<Experience[]> {
    const { collector } = await this.open();
    return collector.appendNew(experiences);
  }

  async exclusive<T>(action: () => Promise<T>): Promise<T> {
    const { collector } = await this.open();
    // An ingest of many sessions may hold the lock for minutes; a crashed holder is detected by its process id.
    return withFileLock(join(this.storeConfig.dataDir, INGEST_LOCK_FILE), async () => {
      collector.forgetKnownSessions();
      return action();
    }, { timeoutMs: 600_000, staleMs: 600_000 });
  }

  /** Closes the store if it was opened. A failed open was already reported to the `record` that caused it: not again. */
  async close(): Promise<void> {
    if (this.opened === undefined) return;
    const opened = this.opened;
    this.opened = undefined;
    let store: JsonlExperienceStore;
    try {
      ({ store } = await opened);
    } catch {
      return;
    }
    await store.close();
  }
}
