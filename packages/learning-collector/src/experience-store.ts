import type { Experience, ExperienceInput } from '@orchestra/learning-types';
import type { ExperienceFilterInput } from './experience-filter';
import type { ExperienceStatsAccumulator } from './experience-stats';
import type { ExperienceStream } from './experience-stream';
import type { QuarantineEntry } from './quarantine';
import type { StoreStatsReport } from './store-stats';

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
  /**
   * Experiences a store that keeps each session once (`appendNew`) did not write because their session id (or
   * experience id) was already stored. Absent for stores that keep whatever they are given.
   */
  duplicates?: number;
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
  /**
   * Stores that keep each session once by themselves (a unique constraint, as the PostgreSQL store has) append
   * here: experiences whose session id or experience id is already stored — by any process, on any host — are
   * skipped, and the stored ones are returned. `ExperienceCollector` uses it when present instead of reading the
   * store's session ids, and the facade then needs no lock around an ingest.
   */
  appendNew?(experiences: readonly Experience[], options?: AppendOptions): Promise<Experience[]>;
  /** Whether an experience of this session id is stored (present on stores that have `appendNew`). */
  hasSession?(sessionId: string): Promise<boolean>;
  /**
   * Appends records serialised by the caller (e.g. built on worker threads): each `line` is written as it is (one JSON
   * object on one line, else `ValidationError` and nothing is written). The caller vouches, as with `{ validated: true }`, that it is `JSON.stringify` of a valid `Experience`. `stats`, when
   * given, are the statistics of exactly these records (`ExperienceStatsAccumulator`): the store's summaries take
   * them; without them it reads the records back when its statistics are asked for. Present on stores that write
   * JSON lines (the JSONL buffer).
   */
  appendSerialized?(records: readonly SerializedExperience[], stats?: ExperienceStatsAccumulator): Promise<AppendReceipt>;
}

/** One experience serialised by the caller: `line` is `JSON.stringify(experience)` (no newline) of a valid `Experience`. */
export interface SerializedExperience {
  line: string;
  /** The experience's id (named when the line is too large). */
  id: string;
  /** Its session id (the duplicate check of `ExperienceCollector.appendSerialized`). */
  sessionId?: string | undefined;
}

/** Options of `DurableExperienceStore.stats`. */
export interface StoreStatsOptions {
  /** Statistics of only the experiences matching this filter. */
  filter?: ExperienceFilterInput;
  /** Whether a cache that had to be re-built may be saved (file stores; a read-only data dir only loses the cache). */
  saveSummaries?: boolean;
}

/**
 * A store an orchestrator keeps its history in — the JSONL buffer of one machine (`JsonlExperienceStore`) or a
 * database a fleet shares (`@orchestra/learning-store-postgres`): appends, streamed reads, statistics that do not
 * re-read history, and a quarantine for what cannot be read. Exports (`exportExperiences`) read through `read`.
 * Every command of the CLI and the facade's `createLearning` work through this interface.
 */
export interface DurableExperienceStore extends ExperienceStore {
  /** Which kind of store this is, e.g. `jsonl` or `postgres`. */
  readonly kind: string;
  /** Where it keeps experiences: a directory, or a database URL without its password. */
  readonly location: string;
  /** Statistics of the stored experiences: exactly what `computeExperienceStats(store.read({ filter }))` returns. */
  stats(options?: StoreStatsOptions): Promise<StoreStatsReport>;
  /** Records entries in the store's quarantine (records that could not be read or ingested); returns how many were new. */
  quarantine(entries: readonly QuarantineEntry[]): Promise<number>;
  /** Every quarantine entry recorded so far. */
  readQuarantine(): Promise<QuarantineEntry[]>;
}
