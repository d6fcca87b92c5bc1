import { ExperienceCollector, JsonlExperienceStore, type JsonlExperienceStoreConfigInput } from '@orchestra/learning-collector';
import type { EnhancedSessionState, Experience, OutcomeInput } from '@orchestra/learning-types';
import type { ExperienceSink, LearningDecision } from './learning-runtime';

/**
 * The sink `createLearning` uses unless given another: an `ExperienceCollector` over the durable JSONL buffer of the
 * data dir (`<dataDir>/experience_buffer`), opened on the first record.
 */
export class CollectorSink implements ExperienceSink {
  private opened: Promise<{ store: JsonlExperienceStore; collector: ExperienceCollector }> | undefined;

  constructor(private readonly storeConfig: JsonlExperienceStoreConfigInput & { dataDir: string }) {}

  private open() {
    if (this.opened !== undefined) return this.opened;
    const opening = JsonlExperienceStore.open(this.storeConfig).then((store) => ({ store, collector: new ExperienceCollector({ store, mode: 'shadow' }) }));
    // A failed open is not kept: the next record tries again, and `close` does not report the same error twice.
    opening.catch(() => {
      if (this.opened === opening) this.opened = undefined;
    });
    this.opened = opening;
    return opening;
  }

  async record(session: EnhancedSessionState, decision: LearningDecision, extras: { outcome?: OutcomeInput } = {}): Promise<Experience | null> {
    if (decision.mode === 'disabled') return null;
    const { collector } = await this.open();
    return collector.record(session, decision, {
      context: decision.context,
      system: decision.system,
      history: decision.history,
      task: decision.task,
      mode: decision.mode,
      sessionId: decision.sessionId,
      ...(extras.outcome === undefined ? {} : { outcome: extras.outcome }),
    });
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
