import type { Experience } from '@orchestra/learning-types';
import type { QuarantineReason } from './quarantine';

/** What one read saw, complete once the iteration has finished. */
export interface ReadSummary {
  /** Segments read. */
  segments: number;
  /** Non-empty lines seen. */
  lines: number;
  /** Valid experiences (before filtering). */
  valid: number;
  /** Valid experiences the filter dropped. */
  filteredOut: number;
  /** Invalid lines (quarantined). */
  quarantined: number;
  quarantinedByReason: Partial<Record<QuarantineReason, number>>;
  /** Unterminated last line of the active segment: a write in flight or a torn tail, skipped (writers repair it). */
  incompleteTail: number;
  /** Experiences the join changed: amended by outcome events, or re-scored by a reward version. */
  joined: number;
  /** The reward version the read applied (null: the stored figures). */
  rewardVersion: string | null;
}

/** Creates an all-zero summary. */
export function emptyReadSummary(): ReadSummary {
  return { segments: 0, lines: 0, valid: 0, filteredOut: 0, quarantined: 0, quarantinedByReason: {}, incompleteTail: 0, joined: 0, rewardVersion: null };
}

/**
 * A one-shot stream of experiences in buffer order. Iterate it directly, or by `batches()` (cheaper: one promise
 * per block of lines instead of one per experience). `summary` is complete once the iteration has ended.
 */
export interface ExperienceStream extends AsyncIterable<Experience> {
  readonly summary: ReadSummary;
  batches(): AsyncIterable<readonly Experience[]>;
}

/** Wraps a batch generator factory as an `ExperienceStream`. */
export function createExperienceStream(
  summary: ReadSummary,
  produce: () => AsyncGenerator<readonly Experience[]>,
): ExperienceStream {
  let started = false;
  const batches = (): AsyncGenerator<readonly Experience[]> => {
    if (started) throw new TypeError('An ExperienceStream can be iterated only once; call read() again.');
    started = true;
    return produce();
  };
  return {
    summary,
    batches,
    async *[Symbol.asyncIterator]() {
      for await (const batch of batches()) yield* batch;
    },
  };
}
