import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { priceTableSchema, resolveRewardConfig, rewardConfigSchema, rewardConfigVersion, type PriceTable, type RewardConfig, type RewardConfigInput } from '@orchestra/learning-reward';
import { safeValidate, stableHash32, validate } from '@orchestra/learning-types';
import { z } from 'zod';
import { ExperienceStoreError } from './errors';
import { DEFAULT_LOCK_TIMEOUT_MS, DEFAULT_STALE_LOCK_MS, InterProcessLock } from './file-lock';
import { isMissing } from './fs-errors';

/** File of the reward versions, in the buffer directory. */
export const REWARD_VERSIONS_FILE_NAME = 'reward_versions.json';

/**
 * A re-scoring of the whole history: the reward configuration (weights, tiers) and, when prices changed, the price
 * table that re-costs every stored session's model calls from their token counts. Applied at read time over the
 * stored records, which keep their original figures.
 */
export const rewardVersionSchema = z.object({
  /** `r` + 8 hex digits of the configuration and prices (the same re-pricing gives the same id). */
  id: z.string().regex(/^r[0-9a-f]{8}$/),
  createdAt: z.iso.datetime({ offset: true }),
  /** The reward configuration (as given; defaults filled when used). */
  reward: z.unknown().transform((value, context) => {
    const result = rewardConfigSchema.safeParse(value ?? {});
    if (!result.success) {
      context.addIssue({ code: 'custom', message: result.error.issues[0]?.message ?? 'invalid reward configuration' });
      return z.NEVER;
    }
    return value as RewardConfigInput;
  }),
  /** Model prices that re-cost the sessions' calls; null keeps the stored costs. */
  prices: priceTableSchema.nullable(),
  /** Free text: why (e.g. the file it came from). */
  note: z.string().max(500).optional(),
});
export type RewardVersion = z.infer<typeof rewardVersionSchema>;

/** The versions kept and the one in force (null: the original figures). */
export const rewardVersionsFileSchema = z.object({
  formatVersion: z.literal(1),
  current: z.string().nullable(),
  versions: z.array(rewardVersionSchema),
});
export type RewardVersionsFile = z.infer<typeof rewardVersionsFileSchema>;

/** A reward version ready to apply: its resolved configuration. */
export interface ActiveRewardVersion {
  version: RewardVersion;
  config: RewardConfig;
}

/** The id of a reward version of this configuration and price table. */
export function rewardVersionId(reward: RewardConfigInput | undefined, prices: PriceTable | null): string {
  const config = resolveRewardConfig(reward);
  const priceText = prices === null ? 'null' : JSON.stringify(Object.keys(prices).sort().map((key) => [key, prices[key]]));
  return `r${stableHash32(`${rewardConfigVersion(config)}|${priceText}`).toString(16).padStart(8, '0')}`;
}

/**
 * The reward versions of a buffer directory (`reward_versions.json`): written under a lock with a synced temporary
 * file renamed over the old one; read without a lock. A damaged file is an `ExperienceStoreError` (never guessed
 * around: it decides every reward read).
 */
export class RewardVersionStore {
  readonly path: string;

  /** @param directory the buffer directory (`<dataDir>/experience_buffer`) */
  constructor(readonly directory: string) {
    this.path = path.join(directory, REWARD_VERSIONS_FILE_NAME);
  }

  /** The file's content (an empty list when it does not exist). */
  async read(): Promise<RewardVersionsFile> {
    let text: string;
    try {
      text = await fs.readFile(this.path, 'utf8');
    } catch (error) {
      if (isMissing(error)) return { formatVersion: 1, current: null, versions: [] };
      throw new ExperienceStoreError({ operation: 'read', path: this.path, message: error instanceof Error ? error.message : String(error), cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new ExperienceStoreError({ operation: 'read', path: this.path, message: 'reward versions file is not valid JSON', cause: error });
    }
    const result = safeValidate(rewardVersionsFileSchema, json, 'RewardVersions');
    if (!result.success) throw new ExperienceStoreError({ operation: 'read', path: this.path, message: result.error.message.split('\n')[0] ?? 'invalid reward versions file', cause: result.error });
    return result.value;
  }

  /** The version in force with its resolved configuration, or null (the stored figures). */
  async current(): Promise<ActiveRewardVersion | null> {
    const file = await this.read();
    if (file.current === null) return null;
    const version = file.versions.find((candidate) => candidate.id === file.current);
    if (version === undefined) throw new ExperienceStoreError({ operation: 'read', path: this.path, message: `current reward version ${file.current} is not in the file` });
    return { version, config: resolveRewardConfig(version.reward) };
  }

  /**
   * Adds a version (or finds the identical one) and makes it current; `null` makes the original figures current
   * again. Returns the version in force.
   */
  async setCurrent(input: { reward?: RewardConfigInput; prices?: PriceTable | null; note?: string; now?: Date } | null): Promise<RewardVersion | null> {
    await fs.mkdir(this.directory, { recursive: true, mode: 0o700 });
    const lock = new InterProcessLock(`${this.path}.lock`, { timeoutMs: DEFAULT_LOCK_TIMEOUT_MS, staleMs: DEFAULT_STALE_LOCK_MS });
    const release = await lock.acquire();
    try {
      const file = await this.read();
      let chosen: RewardVersion | null = null;
      if (input !== null) {
        const reward = input.reward ?? {};
        validate(rewardConfigSchema, reward, 'RewardConfig');
        const prices = input.prices === undefined || input.prices === null ? null : validate(priceTableSchema, input.prices, 'PriceTable');
        const id = rewardVersionId(reward, prices);
        chosen = file.versions.find((version) => version.id === id) ?? null;
        if (chosen === null) {
          chosen = { id, createdAt: (input.now ?? new Date()).toISOString(), reward, prices, ...(input.note === undefined ? {} : { note: input.note }) };
          file.versions.push(chosen);
        }
      }
      file.current = chosen?.id ?? null;
      const validated = rewardVersionsFileSchema.parse(file);
      const temporary = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const handle = await fs.open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(validated, null, 2)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(temporary, this.path);
      return chosen;
    } finally {
      await release();
      await lock.close();
    }
  }
}
