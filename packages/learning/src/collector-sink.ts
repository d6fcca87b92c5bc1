import { ExperienceCollector, JsonlExperienceStore, type JsonlExperienceStoreConfigInput } from '@orchestra/learning-collector';
import type { EnhancedSessionState, Experience, OutcomeInput } from '@orchestra/learning-types';
import type { ExperienceSink, LearningDecision } from './learning-runtime';

/**
 * The sink `createLearning` uses unless given another: an `ExperienceCollector` over the durable JSONL buffer of the
 * data dir (`<dataDir>/experience_buffer`), opened on the first record.
 */
export class CollectorSink implements ExperienceSink {
  private opened: Promise<{ store: JsonlExperienceStore; collector: ExperienceCollector }> | undefined;

  /**
   * @param storeConfig the buffer's configuration (its data dir)
   * @param options `now`: clock of the experiences' timestamps (default: the wall clock; a simulation passes its own)
   */
  constructor(
    private readonly storeConfig: JsonlExperienceStoreConfigInput & { dataDir: string },
    private readonly options: { now?: () => Date } = {},
  ) {}

  private open() {
    const now = this.options.now;
    this.opened ??= JsonlExperienceStore.open(this.storeConfig).then((store) => ({
      store,
      collector: new ExperienceCollector({ store, mode: 'shadow', ...(now === undefined ? {} : { now }) }),
    }));
    return this.opened;
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

  async close(): Promise<void> {
    if (this.opened === undefined) return;
    const { store } = await this.opened;
    this.opened = undefined;
    await store.close();
  }
}
