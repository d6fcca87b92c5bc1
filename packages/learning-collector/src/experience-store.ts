import type { Experience, ExperienceInput } from '@orchestra/learning-types';
import type { ExperienceFilterInput } from './experience-filter';
import type { ExperienceStream } from './experience-stream';

/** Options of `ExperienceStore.read`. */
export interface ReadOptions {
  /** Keep only experiences matching this filter (time range, modes, policy sources). */
  filter?: ExperienceFilterInput;
  /** Whether invalid lines are recorded in the quarantine file (default true; they are counted either way). */
  quarantine?: boolean;
  /**
   * `joined` (default): each record as it reads now — re-scored by the reward version in force and amended by its
   * session's outcome events (`joinExperience`); `original`: the records as stored.
   */
  view?: 'joined' | 'original';
}

/** What an acknowledged `append` wrote. */
export interface AppendReceipt {
  /** Experiences written. */
  count: number;
  /** Bytes written (JSON lines). */
  bytes: number;
}

/** Options of `ExperienceStore.append`. */
export interface AppendOptions {
  /** The records are already valid `Experience`s (skip the store's own validation). */
  validated?: boolean;
}

/**
 * Where experiences are kept. `append` resolves only once the records are as durable as the store promises;
 * `read` streams every stored experience in order, validated.
 */
export interface ExperienceStore {
  /**
   * Appends experiences. With `{ validated: true }` the caller vouches that every record already passed
   * `experienceSchema` (as `ExperienceCollector` does when it builds one), and the store skips re-validating it.
   */
  append(experiences: Experience | readonly (Experience | ExperienceInput)[], options?: AppendOptions): Promise<AppendReceipt>;
  read(options?: ReadOptions): ExperienceStream;
  /** Writes out pending appends (a no-op for stores without buffering). */
  flush(): Promise<void>;
  /** Flushes, then releases files; later appends fail. */
  close(): Promise<void>;
}
