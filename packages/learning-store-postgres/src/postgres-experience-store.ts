/*
 * Longer than 400 lines on purpose: one class, `PostgresExperienceStore`, whose group commit, failover to the local
 * JSONL buffer, replay and paged reads share one connection pool and one outage state (when the database was last
 * seen down, what is buffered); its row mapping (experience-rows.ts), schema (schema.ts), failover spool
 * (failover-spool.ts), statistics (postgres-stats.ts) and filters (sql-filter.ts) live beside it.
 */
import * as path from 'node:path';
import {
  createExperienceStream,
  emptyReadSummary,
  ExperienceStatsAccumulator,
  ExperienceStoreError,
  isStoredExperience,
  makeQuarantineEntry,
  parseExperienceLine,
  QuarantineWriter,
  resolveDataDir,
  type AppendOptions,
  type AppendReceipt,
  type DurableExperienceStore,
  type ExperienceStream,
  type QuarantineEntry,
  type ReadOptions,
  type StoreStatsOptions,
  type StoreStatsReport,
} from '@orchestra/learning-collector';
import { experienceSchema, OrchestraError, validate, type Experience, type ExperienceInput } from '@orchestra/learning-types';
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { addExperienceColumns, emptyColumns, insertParameters, insertStatement } from './experience-rows';
import { FailoverSpool, FAILOVER_DIRECTORY } from './failover-spool';
import { sqlExperienceStats } from './postgres-stats';
import { migrate, readSchemaVersion, SCHEMA_VERSION, tableNames, type TableNames } from './schema';
import { sqlFilter } from './sql-filter';
import { isPostgresUrl, redactUrl } from './store-url';

/** Configuration of `PostgresExperienceStore`. */
export const postgresStoreConfigSchema = z.object({
  /** `postgres://user:password@host:port/database` (any libpq-style URL `pg` accepts). */
  url: z.string().refine(isPostgresUrl, 'must be a postgres:// or postgresql:// URL'),
  /** Data directory of the local failover buffer (`<dataDir>/postgres_failover`); default `ORCHESTRA_DATA_DIR`, else `./data`. */
  dataDir: z.string().min(1).optional(),
  /** PostgreSQL schema holding the tables (created when missing). */
  schema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'a plain identifier').default('public'),
  /** Connections of the pool. */
  poolSize: z.number().int().positive().max(1_000).default(10),
  /** How long to wait for a connection before the database counts as down. */
  connectTimeoutMs: z.number().int().positive().default(2_000),
  /** How long a write (or a session lookup) may take before the database counts as slow, and the write fails over. */
  writeTimeoutMs: z.number().int().positive().default(2_000),
  /** After a failure, how long writes go straight to the failover buffer before the database is tried again. */
  retryIntervalMs: z.number().int().nonnegative().default(5_000),
  /** Most experiences inserted by one statement (appends pending at once are grouped: group commit). */
  batchMaxExperiences: z.number().int().positive().default(1_000),
  /** Insert statements in flight at once (each on its own connection): the database works on several cores. */
  writeConcurrency: z.number().int().positive().max(64).default(2),
  /** Rows fetched per page when streaming (`read`). */
  readBatchSize: z.number().int().positive().default(1_000),
  /** Write to the local failover buffer when the database is down or slow (default); false: appends fail instead. */
  failover: z.boolean().default(true),
  /** Read only: no schema is created or migrated, nothing is written (quarantined rows are only counted). */
  readOnly: z.boolean().default(false),
  /** `application_name` of the connections (seen in `pg_stat_activity`). */
  applicationName: z.string().default('orchestra-learning'),
});
export type PostgresStoreConfig = z.infer<typeof postgresStoreConfigSchema>;
export type PostgresStoreConfigInput = z.input<typeof postgresStoreConfigSchema>;

/** Options of `PostgresExperienceStore.open` that are not configuration values. */
export interface PostgresStoreOptions {
  /** Where warnings go (a failover, a replay); default `process.emitWarning`. */
  onWarning?: (message: string) => void;
}

interface Waiter {
  experiences: readonly Experience[];
  resolve: (stored: Experience[]) => void;
  reject: (error: unknown) => void;
}

/** Errors that mean "the database is unreachable, overloaded or restarting" (fail over), not "this data is wrong". */
export function isUnavailableError(error: unknown): boolean {
  if (error instanceof WriteTimeoutError) return true;
  // Our own errors (a schema newer than this library, invalid data) are not outages.
  if (OrchestraError.isInstance(error)) return false;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true; // a socket error, a pool timeout, a closed connection
  return ['08', '53', '57', '58'].includes(code.slice(0, 2));
}

class WriteTimeoutError extends Error {
  constructor(milliseconds: number) {
    super(`no answer within ${milliseconds} ms`);
    this.name = 'WriteTimeoutError';
  }
}

function errorMessage(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}

/**
 * The experience store of a fleet: PostgreSQL behind the same interface as the JSONL buffer (`append`, `read`,
 * `stats`, `quarantine`; `exportExperiences` reads through `read`). Any number of processes on any number of hosts
 * append at once: each experience is a row, unique by experience id and by session id, inserted with
 * `ON CONFLICT DO NOTHING` — so a session is stored exactly once and an ingest can be re-run safely. Appends pending
 * at the same time share one statement (group commit). Statistics are SQL aggregates; `read` streams rows by pages.
 *
 * A database that is down or slow never blocks the caller for longer than `connectTimeoutMs`/`writeTimeoutMs`: the
 * write goes to a local durable JSONL buffer (one warning per outage), later writes go there directly for
 * `retryIntervalMs`, and once the database answers again the buffer is replayed into it (`replay()`, also run by
 * `flush()` and after the first successful write) — nothing acknowledged is lost, nothing is stored twice.
 */
export class PostgresExperienceStore implements DurableExperienceStore {
  readonly kind = 'postgres';
  /** The database URL without its password. */
  readonly location: string;
  readonly config: PostgresStoreConfig;
  readonly tables: TableNames;
  /** The local failover buffer. */
  readonly spool: FailoverSpool;
  private readonly pool: Pool;
  private readonly warn: (message: string) => void;
  private schemaReady: Promise<boolean> | undefined;
  private pending: Waiter[] = [];
  private drainScheduled = false;
  private readonly writes = new Set<Promise<void>>();
  private downUntil = 0;
  private warned = false;
  private closed = false;
  private replaying: Promise<number> | undefined;
  private readonly background = new Set<Promise<unknown>>();
  /** Experiences written to the failover buffer since the store was opened. */
  failedOver = 0;
  /** Experiences replayed from failover buffers into the database since the store was opened. */
  replayed = 0;

  private constructor(config: PostgresStoreConfig, options: PostgresStoreOptions) {
    this.config = config;
    this.location = redactUrl(config.url);
    this.tables = tableNames(config.schema);
    this.spool = new FailoverSpool(resolveDataDir(config.dataDir));
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message, { code: 'ORCHESTRA_STORE_FAILOVER' }));
    this.pool = new pg.Pool({
      connectionString: config.url,
      max: config.poolSize,
      connectionTimeoutMillis: config.connectTimeoutMs,
      idleTimeoutMillis: 10_000,
      application_name: config.applicationName,
      // A short-lived command must be able to exit with idle connections left in the pool.
      allowExitOnIdle: true,
    });
    // An idle connection the server closed (a restart) must not crash the process: the pool drops it.
    this.pool.on('error', () => {});
  }

  /**
   * Opens the store: creates or migrates the schema (versioned, under an advisory lock; not in `readOnly` mode).
   * A database that cannot be reached does not fail the open when failover is on: the store starts in failover (one
   * warning) and creates the schema once the database answers.
   */
  static async open(config: PostgresStoreConfigInput, options: PostgresStoreOptions = {}): Promise<PostgresExperienceStore> {
    const resolved = validate(postgresStoreConfigSchema, config, 'PostgresStoreConfig');
    const store = new PostgresExperienceStore(resolved, options);
    if (resolved.readOnly) return store;
    try {
      await store.ensureSchema();
    } catch (error) {
      if (!(resolved.failover && isUnavailableError(error))) {
        await store.pool.end();
        throw error;
      }
      store.markDown(error);
      return store;
    }
    // Buffers that processes of this host left when they died (or this one, restarted) go in now.
    if (await store.spool.hasWork().catch(() => false)) store.replayInBackground();
    return store;
  }

  /** The schema version the database holds (0: none yet). */
  async schemaVersion(): Promise<number> {
    return this.withClient((client) => readSchemaVersion(client, this.config.schema), undefined);
  }

  /** Creates or migrates the schema once per store (retried after a failure). Resolves whether the tables exist. */
  private ensureSchema(): Promise<boolean> {
    if (this.schemaReady === undefined) {
      const ready = this.config.readOnly
        ? this.withClient(async (client) => (await readSchemaVersion(client, this.config.schema)) >= 1, undefined)
        : this.withClient(async (client) => {
            await migrate(client, this.config.schema, this.location);
            return true;
          }, undefined);
      ready.catch(() => {
        if (this.schemaReady === ready) this.schemaReady = undefined;
      });
      this.schemaReady = ready;
    }
    return this.schemaReady;
  }

  /** Runs `work` on a pooled connection; a `timeoutMs` answer that does not come in time destroys the connection. */
  private async withClient<T>(work: (client: PoolClient) => Promise<T>, timeoutMs: number | undefined): Promise<T> {
    const client = await this.pool.connect();
    let broken: unknown;
    try {
      if (timeoutMs === undefined) return await work(client);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new WriteTimeoutError(timeoutMs)), timeoutMs);
      });
      try {
        return await Promise.race([work(client), deadline]);
      } finally {
        clearTimeout(timer);
      }
    } catch (error) {
      if (isUnavailableError(error)) broken = error;
      throw error;
    } finally {
      // A connection that timed out or failed is closed, never handed to the next caller mid-query.
      client.release(broken === undefined ? undefined : broken instanceof Error ? broken : true);
    }
  }

  private wrap(operation: string, error: unknown): unknown {
    if (ExperienceStoreError.isInstance(error)) return error;
    const wrapped = new ExperienceStoreError({ operation, path: this.location, message: errorMessage(error), cause: error });
    // Keep the driver's code, so `isUnavailableError` still tells a connection failure from bad data.
    const code = (error as { code?: unknown } | undefined)?.code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) Object.defineProperty(wrapped, 'sqlState', { value: code });
    return wrapped;
  }

  /** Whether writes currently go straight to the failover buffer. */
  get failingOver(): boolean {
    return Date.now() < this.downUntil;
  }

  private markDown(error: unknown): void {
    this.downUntil = Date.now() + this.config.retryIntervalMs;
    if (this.warned) return;
    this.warned = true;
    this.warn(
      `PostgreSQL store ${this.location} is unreachable or slow (${errorMessage(error)}): recording to the local failover buffer ${this.spool.root} until it is back; it is replayed into the database then, each session once.`,
    );
  }

  private markUp(): void {
    this.downUntil = 0;
    this.warned = false;
  }

  append(experiences: Experience | readonly (Experience | ExperienceInput)[], options: AppendOptions = {}): Promise<AppendReceipt> {
    const list: readonly (Experience | ExperienceInput)[] = Array.isArray(experiences) ? experiences : [experiences as Experience];
    return this.appendNew(list as readonly Experience[], options).then((stored) => {
      let bytes = 0;
      for (const experience of stored) bytes += Buffer.byteLength(JSON.stringify(experience)) + 1;
      return { count: stored.length, bytes, duplicates: list.length - stored.length };
    });
  }

  /**
   * Appends the experiences whose experience id and session id are not stored yet (by any process); resolves with
   * those stored. While failing over, every experience is acknowledged as stored (written to the local buffer);
   * the replay skips any the database already held.
   */
  appendNew(experiences: readonly Experience[], options: AppendOptions = {}): Promise<Experience[]> {
    if (this.closed) return Promise.reject(new ExperienceStoreError({ operation: 'append', path: this.location, message: 'the store is closed' }));
    if (this.config.readOnly) return Promise.reject(new ExperienceStoreError({ operation: 'append', path: this.location, message: 'the store was opened read-only' }));
    let checked: Experience[];
    try {
      checked = options.validated === true ? [...experiences] : experiences.map((experience) => (isStoredExperience(experience) ? experience : validate(experienceSchema, experience, 'Experience')));
    } catch (error) {
      return Promise.reject(error);
    }
    if (checked.length === 0) return Promise.resolve([]);
    return new Promise<Experience[]>((resolve, reject) => {
      this.pending.push({ experiences: checked, resolve, reject });
      this.scheduleDrain();
    });
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    // Appends made in the same turn of the event loop share a statement (group commit).
    setImmediate(() => {
      this.drainScheduled = false;
      this.pump();
    });
  }

  /** Starts statements for pending appends, up to `writeConcurrency` at once (a waiter's experiences stay together). */
  private pump(): void {
    while (this.pending.length > 0 && this.writes.size < this.config.writeConcurrency) {
      const group: Waiter[] = [];
      let size = 0;
      while (this.pending.length > 0 && (group.length === 0 || size + this.pending[0]!.experiences.length <= this.config.batchMaxExperiences)) {
        const waiter = this.pending.shift()!;
        group.push(waiter);
        size += waiter.experiences.length;
      }
      const write: Promise<void> = this.commitGroup(group).finally(() => {
        this.writes.delete(write);
        this.pump();
      });
      this.writes.add(write);
    }
  }

  /** Waits until no append is pending or being written. */
  private async settleWrites(): Promise<void> {
    if (this.pending.length > 0) this.scheduleDrain();
    await new Promise((resolve) => setImmediate(resolve));
    while (this.writes.size > 0 || this.pending.length > 0) {
      if (this.writes.size > 0) await Promise.allSettled([...this.writes]);
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async commitGroup(group: Waiter[]): Promise<void> {
    const all = group.flatMap((waiter) => waiter.experiences);
    let storedIds: Set<string>;
    try {
      storedIds = await this.writeOrFailOver(all);
    } catch (error) {
      for (const waiter of group) waiter.reject(error);
      return;
    }
    // Of experiences repeating an id or a session id within the batch, only the first can have been stored.
    const claimed = new Set<string>();
    for (const waiter of group) {
      const stored: Experience[] = [];
      for (const experience of waiter.experiences) {
        if (!storedIds.has(experience.id) || claimed.has(experience.id)) continue;
        claimed.add(experience.id);
        stored.push(experience);
      }
      waiter.resolve(stored);
    }
  }

  /** Inserts into the database, or fails over; resolves with the ids acknowledged as stored. */
  private async writeOrFailOver(experiences: readonly Experience[]): Promise<Set<string>> {
    if (!this.failingOver) {
      try {
        const ids = await this.insert(experiences);
        const wasDown = this.warned;
        this.markUp();
        if (wasDown || this.spool.pending > 0) this.replayInBackground();
        return ids;
      } catch (error) {
        if (!this.config.failover || !isUnavailableError(error)) throw this.wrap('append', error);
        this.markDown(error);
      }
    } else if (!this.config.failover) {
      throw new ExperienceStoreError({ operation: 'append', path: this.location, message: 'the database is unreachable' });
    }
    try {
      await this.spool.append(experiences);
    } catch (error) {
      throw new ExperienceStoreError({ operation: 'append', path: path.join(this.spool.root), message: `the database is unreachable and the failover buffer failed too: ${errorMessage(error)}`, cause: error });
    }
    this.failedOver += experiences.length;
    return new Set(experiences.map((experience) => experience.id));
  }

  /** One statement: inserts the new ones and their model usage; resolves with the ids inserted. */
  private async insert(experiences: readonly Experience[]): Promise<Set<string>> {
    await this.ensureSchema();
    const columns = emptyColumns();
    const ids = new Set<string>();
    const sessions = new Set<string>();
    for (const experience of experiences) {
      // A repeat within the batch is dropped here (its usage rows would otherwise join the first one's).
      if (ids.has(experience.id) || (experience.sessionId !== undefined && sessions.has(experience.sessionId))) continue;
      ids.add(experience.id);
      if (experience.sessionId !== undefined) sessions.add(experience.sessionId);
      addExperienceColumns(columns, experience);
    }
    const result = await this.withClient((client) => client.query<{ id: string }>(insertStatement(this.tables), insertParameters(columns)), this.config.writeTimeoutMs);
    return new Set(result.rows.map((row) => row.id));
  }

  private replayInBackground(): void {
    const job = this.replay().catch(() => {
      // Still unreachable: the buffer stays, the next successful write or flush replays it.
    });
    this.background.add(job);
    void job.finally(() => this.background.delete(job));
  }

  /**
   * Replays the failover buffers of this host (this process's, and those of processes that died) into the
   * database, then removes them; resolves with the experiences replayed (those the database held already are
   * skipped by its constraints). Rejects, keeping the buffers, while the database is unreachable.
   */
  replay(): Promise<number> {
    if (this.config.readOnly) return Promise.resolve(0);
    this.replaying ??= (async () => {
      try {
        const count = await this.spool.drain(async (batch) => {
          await this.insert(batch);
        }, this.config.batchMaxExperiences);
        this.replayed += count;
        if (count > 0) this.markUp();
        return count;
      } catch (error) {
        if (isUnavailableError(error)) this.markDown(error);
        throw this.wrap('replay', error);
      } finally {
        this.replaying = undefined;
      }
    })();
    return this.replaying;
  }

  /** Whether an experience of this session id is stored; false when the database cannot answer in time. */
  async hasSession(sessionId: string): Promise<boolean> {
    if (this.failingOver) return false;
    try {
      if (!(await this.ensureSchema())) return false;
      const result = await this.withClient((client) => client.query(`SELECT 1 FROM ${this.tables.experiences} WHERE session_id = $1`, [sessionId]), this.config.writeTimeoutMs);
      return result.rowCount !== null && result.rowCount > 0;
    } catch (error) {
      if (!this.config.failover || !isUnavailableError(error)) throw this.wrap('read', error);
      this.markDown(error);
      // Unknown: the record goes ahead, and the database's constraint decides at replay.
      return false;
    }
  }

  /**
   * Streams every stored experience in insertion order, page by page (`readBatchSize` rows; keyset pagination, no
   * long transaction), up to the last row stored when the read started. Each record is validated like a buffer
   * line; an invalid one is quarantined (flagged, so statistics leave it out, and recorded in the quarantine table).
   */
  read(options: ReadOptions = {}): ExperienceStream {
    const summary = emptyReadSummary();
    const filter = sqlFilter(options.filter, 1);
    const record = options.quarantine ?? true;
    const store = this;
    const names = this.tables;
    return createExperienceStream(summary, async function* () {
      let ready: boolean;
      try {
        ready = await store.ensureSchema();
      } catch (error) {
        throw store.wrap('read', error);
      }
      if (!ready) return;
      summary.segments = 1;
      const query = async <Row extends Record<string, unknown>>(text: string, values: unknown[]) => {
        try {
          return (await store.pool.query<Row>(text, values)).rows;
        } catch (error) {
          throw store.wrap('read', error);
        }
      };
      const [{ last }] = (await query<{ last: string }>(`SELECT coalesce(max(seq), 0)::text AS last FROM ${names.experiences}`, [])) as [{ last: string }];
      // Keyset pagination on the primary key: each page is an index range scan of `readBatchSize` rows, whatever the
      // table's size or statistics (no upper bound in SQL: rows past the snapshot are cut here).
      const where = `e.seq > $1 AND NOT e.quarantined${filter.sql === '' ? '' : ` AND ${filter.sql}`}`;
      const lastSeq = BigInt(last);
      let done = false;
      const page = (from: string) =>
        query<{ seq: string; text: string }>(
          `SELECT e.seq::text AS seq, coalesce(e.record_text, e.record::text) AS text FROM ${names.experiences} e WHERE ${where} ORDER BY e.seq LIMIT ${store.config.readBatchSize}`,
          [from, ...filter.parameters],
        );
      let next: Promise<{ seq: string; text: string }[]> | undefined = page('0');
      while (!done && next !== undefined) {
        const rows = await next;
        next = undefined;
        if (rows.length < store.config.readBatchSize) done = true;
        // The next page is fetched while this one is parsed (the database and Node work at the same time).
        else if (BigInt(rows.at(-1)!.seq) < lastSeq) {
          next = page(rows.at(-1)!.seq);
          next.catch(() => {});
        }
        const batch: Experience[] = [];
        for (const row of rows) {
          if (BigInt(row.seq) > lastSeq) {
            done = true;
            break;
          }
          summary.lines += 1;
          const parsed = parseExperienceLine(row.text);
          if (parsed.valid) {
            summary.valid += 1;
            batch.push(parsed.experience);
            continue;
          }
          summary.quarantined += 1;
          summary.quarantinedByReason[parsed.reason] = (summary.quarantinedByReason[parsed.reason] ?? 0) + 1;
          if (record && !store.config.readOnly) await store.quarantineRow(row.seq, row.text, parsed.reason, parsed.detail);
        }
        if (batch.length > 0) yield batch;
        if (next === undefined) done = true;
      }
      // Rows quarantined before, and (with a filter) valid rows the filter left out, are counted as the buffer counts them.
      const countFilter = sqlFilter(options.filter, 1);
      // The quarantined rows by their partial index; the rows a filter left out only when there is a filter.
      const [quarantinedRows] = (await query<{ count: string }>(`SELECT count(*)::text AS count FROM ${names.experiences} e WHERE e.quarantined AND e.seq <= $1`, [last])) as [{ count: string }];
      const [filteredRows] =
        countFilter.sql === ''
          ? [{ count: '0' }]
          : ((await query<{ count: string }>(
              `SELECT count(*)::text AS count FROM ${names.experiences} e WHERE e.seq <= $1 AND NOT e.quarantined AND NOT (${countFilter.sql})`,
              [last, ...countFilter.parameters],
            )) as [{ count: string }]);
      const counts = { quarantined: quarantinedRows.count, filtered: filteredRows.count };
      const earlier = Number(counts.quarantined) - (record && !store.config.readOnly ? summary.quarantined : 0);
      if (earlier > 0) summary.quarantined += earlier;
      const filtered = Number(counts.filtered);
      summary.filteredOut += filtered;
      summary.valid += filtered;
      summary.lines += filtered + Math.max(0, earlier);
    });
  }

  /** Flags a row as quarantined (statistics leave it out), drops its usage rows and records why. */
  private async quarantineRow(seq: string, text: string, reason: QuarantineEntry['reason'], detail: string): Promise<void> {
    const entry = makeQuarantineEntry({ segment: 'orchestra_experiences', line: Number(seq), reason, detail, bytes: Buffer.byteLength(text), content: text, segmentFingerprint: 'postgres' });
    await this.withClient(async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(`UPDATE ${this.tables.experiences} SET quarantined = true WHERE seq = $1`, [seq]);
        await client.query(`DELETE FROM ${this.tables.modelUsage} WHERE experience_seq = $1`, [seq]);
        await client.query(`INSERT INTO ${this.tables.quarantine} (key, entry) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [entry.key, JSON.stringify(entry)]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    }, undefined);
  }

  /**
   * Statistics of the stored experiences by SQL aggregates (`method: 'sql'`): the database reads the columns, Node
   * reads a few dozen result rows. Equal to `computeExperienceStats(store.read({ filter }))`.
   */
  async stats(options: StoreStatsOptions = {}): Promise<StoreStatsReport> {
    let ready: boolean;
    try {
      ready = await this.ensureSchema();
    } catch (error) {
      throw this.wrap('stats', error);
    }
    const empty = { method: 'sql' as const, reindexed: [], saved: true, segments: ready ? 1 : 0, scannedBytes: 0 };
    if (!ready) return { stats: new ExperienceStatsAccumulator().result(), ...empty };
    try {
      return { stats: await sqlExperienceStats(this.pool, this.tables, sqlFilter(options.filter)), ...empty };
    } catch (error) {
      throw this.wrap('stats', error);
    }
  }

  /**
   * Records quarantine entries in the quarantine table (deduplicated by key); returns how many were new. With the
   * database unreachable they go to `<dataDir>/postgres_failover/quarantine.jsonl` instead.
   */
  async quarantine(entries: readonly QuarantineEntry[]): Promise<number> {
    if (entries.length === 0 || this.config.readOnly) return 0;
    try {
      if (this.failingOver) throw new WriteTimeoutError(0);
      await this.ensureSchema();
      const result = await this.withClient(
        (client) =>
          client.query(
            `INSERT INTO ${this.tables.quarantine} (key, entry) SELECT * FROM unnest($1::text[], $2::jsonb[]) ON CONFLICT (key) DO NOTHING`,
            [entries.map((entry) => entry.key), entries.map((entry) => JSON.stringify(entry).replaceAll('\\u0000', '\\ufffd'))],
          ),
        this.config.writeTimeoutMs,
      );
      return result.rowCount ?? 0;
    } catch (error) {
      if (!this.config.failover || !isUnavailableError(error)) throw this.wrap('quarantine', error);
      if (!(error instanceof WriteTimeoutError && this.failingOver)) this.markDown(error);
      return new QuarantineWriter(path.join(this.spool.root, 'quarantine.jsonl')).append(entries);
    }
  }

  /** Every quarantine entry, oldest first. */
  async readQuarantine(): Promise<QuarantineEntry[]> {
    if (!(await this.ensureSchema())) return [];
    const result = await this.pool.query<{ entry: QuarantineEntry }>(`SELECT entry FROM ${this.tables.quarantine} ORDER BY quarantined_at, key`);
    return result.rows.map((row) => row.entry);
  }

  /**
   * Waits for pending appends (in the database or the failover buffer: durable either way), then replays the
   * failover buffers when the database answers (a database still down leaves them for later, without error).
   */
  async flush(): Promise<void> {
    await this.settleWrites();
    // A replay already under way (started by the first write after an outage) is waited for.
    await Promise.allSettled([...this.background]);
    if (this.config.readOnly || this.failingOver) return;
    if (this.spool.pending > 0 || (await this.spool.hasWork())) await this.replay().catch(() => {});
  }

  /** Waits for pending appends and background replays, then closes the pool. Later appends fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (!this.config.readOnly) {
      await this.settleWrites();
      await Promise.allSettled([...this.background]);
    }
    this.closed = true;
    await this.spool.close();
    await this.pool.end();
  }
}

export { SCHEMA_VERSION, FAILOVER_DIRECTORY };
