import * as path from 'node:path';
import { validate } from '@orchestra/learning-types';
import { z } from 'zod';
import type { RewardConfigInput } from '@orchestra/learning-reward';
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS } from './file-lock';

/**
 * When `append` is acknowledged:
 * - `always`: every `append` call is written and `fdatasync`ed on its own;
 * - `batch` (default): appends pending at the same time are written together (one `write`) and synced once
 *   (group commit), then all of them are acknowledged;
 * - `none`: acknowledged after `write` returns (survives `kill -9` of the writer, not a power loss).
 */
export const durabilitySchema = z.enum(['always', 'batch', 'none']);
export type Durability = z.infer<typeof durabilitySchema>;

const MEBIBYTE = 1024 * 1024;

/** Configuration of `JsonlExperienceStore`. */
export const jsonlExperienceStoreConfigSchema = z.object({
  /** Root data directory; default `ORCHESTRA_DATA_DIR`, else `./data`. The buffer lives in `<dataDir>/experience_buffer`. */
  dataDir: z.string().min(1).optional(),
  durability: durabilitySchema.default('batch'),
  /** In `batch`/`none` mode, how long to gather appends before writing them (0 = until the event loop turns). */
  batchIntervalMs: z.number().int().nonnegative().default(0),
  /** A pending batch larger than this is written at once. */
  batchMaxBytes: z.number().int().positive().default(4 * MEBIBYTE),
  /** The active segment is rotated before it would grow past this size. */
  segmentMaxBytes: z.number().int().positive().default(64 * MEBIBYTE),
  /** Whether rotated segments are gzip-compressed (they are read transparently either way). */
  compressRotatedSegments: z.boolean().default(true),
  /** Longest accepted line; longer ones are refused on append and quarantined on read. */
  maxLineBytes: z.number().int().positive().default(256 * 1024),
  /** Whether `append` validates each experience with zod (the reader always does). */
  validateOnAppend: z.boolean().default(true),
  /** How long `append` waits for the lock before failing with `LockTimeoutError`; must exceed `staleLockMs`. */
  lockTimeoutMs: z.number().int().positive().default(DEFAULT_LOCK_TIMEOUT_MS),
  /**
   * A lock older than this is broken even if its process seems alive (stopped, hung, or a reused pid). A writer
   * whose lock was broken while it wrote fails its append (`LockLostError`) instead of acknowledging it.
   */
  staleLockMs: z.number().int().positive().default(DEFAULT_STALE_LOCK_MS),
  /**
   * Read only: `open` creates nothing, takes no lock and repairs nothing, `append` fails; reading works on a
   * read-only data dir (quarantine records are then only counted, not written).
   */
  readOnly: z.boolean().default(false),
  /**
   * The reward configuration outcome events are scored with when no reward version is in force (the one the
   * experiences were recorded with; default: the reward package's defaults).
   */
  rewardConfig: z.custom<RewardConfigInput>((value) => typeof value === 'object' && value !== null).optional(),
}).refine((config) => config.lockTimeoutMs > config.staleLockMs, {
  message: 'lockTimeoutMs must be greater than staleLockMs (a writer must outwait a stuck holder, not time out before breaking its lock)',
  path: ['lockTimeoutMs'],
});
export type JsonlExperienceStoreConfig = z.infer<typeof jsonlExperienceStoreConfigSchema>;
export type JsonlExperienceStoreConfigInput = z.input<typeof jsonlExperienceStoreConfigSchema>;

/** Name of the buffer directory inside the data directory. */
export const EXPERIENCE_BUFFER_DIRECTORY = 'experience_buffer';

/** Validates a store configuration and fills defaults. */
export function resolveStoreConfig(input: JsonlExperienceStoreConfigInput = {}): JsonlExperienceStoreConfig {
  return validate(jsonlExperienceStoreConfigSchema, input, 'JsonlExperienceStoreConfig');
}

/** The data directory: `dataDir` if given, else `ORCHESTRA_DATA_DIR`, else `./data`, made absolute. */
export function resolveDataDir(dataDir?: string, environment: NodeJS.ProcessEnv = process.env): string {
  const chosen = dataDir ?? (environment.ORCHESTRA_DATA_DIR === undefined || environment.ORCHESTRA_DATA_DIR === '' ? undefined : environment.ORCHESTRA_DATA_DIR) ?? './data';
  return path.resolve(chosen);
}
