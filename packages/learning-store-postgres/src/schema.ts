import type { PoolClient } from 'pg';
import { ExperienceStoreError } from '@orchestra/learning-collector';

/** One step of the schema: applied once, in a transaction, in version order. */
export interface Migration {
  version: number;
  description: string;
  statements: (schema: string) => string[];
}

/** Table names, quoted and qualified by the store's schema. */
export interface TableNames {
  schema: string;
  experiences: string;
  modelUsage: string;
  quarantine: string;
  versions: string;
}

/** Quotes an identifier for SQL (`"name"`, inner quotes doubled). */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The qualified table names of a schema. */
export function tableNames(schema: string): TableNames {
  const qualified = (table: string) => `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`;
  return {
    schema: quoteIdentifier(schema),
    experiences: qualified('orchestra_experiences'),
    modelUsage: qualified('orchestra_model_usage'),
    quarantine: qualified('orchestra_quarantine'),
    versions: qualified('orchestra_schema_version'),
  };
}

/**
 * The schema, version by version. Version 1: experiences as rows — the columns statistics and filters need, the
 * full record as `jsonb` — exactly once by experience id and by session id (unique constraints); one row per model
 * call (or per `outcome.models` entry of a record without calls) for the per-model statistics, inserted in the same
 * statement as its experience (no foreign key: a per-row trigger would cost more than the insert); the quarantine.
 * Sums are `numeric` holding each double's exact decimal value (see `exactDecimal`).
 */
export const migrations: readonly Migration[] = [
  {
    version: 1,
    description: 'experiences, model usage, quarantine',
    statements: (schema) => {
      const names = tableNames(schema);
      return [
        `CREATE TABLE ${names.experiences} (
          seq bigserial PRIMARY KEY,
          id text NOT NULL UNIQUE,
          session_id text UNIQUE,
          time_ms bigint NOT NULL,
          "timestamp" text NOT NULL,
          recorded_at timestamptz NOT NULL DEFAULT now(),
          mode text NOT NULL,
          policy_source text NOT NULL,
          policy_version text NOT NULL,
          task_type text NOT NULL,
          primary_domain text NOT NULL,
          success boolean NOT NULL,
          reward double precision NOT NULL,
          reward_exact numeric NOT NULL,
          cost_usd numeric NOT NULL,
          tokens numeric NOT NULL,
          fallback_rotations bigint NOT NULL,
          quarantined boolean NOT NULL DEFAULT false,
          record jsonb,
          record_text text,
          CHECK (record IS NOT NULL OR record_text IS NOT NULL)
        )`,
        `CREATE INDEX ON ${names.experiences} (time_ms, seq)`,
        `CREATE INDEX ON ${names.experiences} (seq) WHERE quarantined`,
        // Records (compressed) live out of line: the heap statistics scan holds only the narrow columns.
        `ALTER TABLE ${names.experiences} SET (toast_tuple_target = 128)`,
        // lz4 (PostgreSQL 14+, when built with it) compresses and decompresses records several times faster than pglz.
        `DO $$ BEGIN ALTER TABLE ${names.experiences} ALTER COLUMN record SET COMPRESSION lz4; EXCEPTION WHEN OTHERS THEN NULL; END $$`,
        `CREATE TABLE ${names.modelUsage} (
          experience_seq bigint NOT NULL,
          model text NOT NULL,
          is_call boolean NOT NULL,
          attempts integer NOT NULL,
          successes integer NOT NULL,
          tokens numeric NOT NULL,
          cost_usd numeric NOT NULL,
          latency_key integer,
          error_code text,
          rotations integer NOT NULL
        )`,
        `CREATE INDEX ON ${names.modelUsage} (experience_seq)`,
        `CREATE TABLE ${names.quarantine} (
          key text PRIMARY KEY,
          quarantined_at timestamptz NOT NULL DEFAULT now(),
          entry jsonb NOT NULL
        )`,
      ];
    },
  },
];

/** The newest schema version this library writes. */
export const SCHEMA_VERSION = migrations.at(-1)!.version;

/** Advisory-lock key of the schema's migrations (any 64-bit number the application does not use otherwise). */
function lockKey(schema: string): bigint {
  let hash = 0x6f726368657374n; // "orchest"
  for (const character of schema) hash = (hash * 31n + BigInt(character.codePointAt(0)!)) & 0x7fffffffffffffffn;
  return hash;
}

/** The schema version a database holds (0: none). */
export async function readSchemaVersion(client: PoolClient, schema: string): Promise<number> {
  const names = tableNames(schema);
  const exists = await client.query<{ present: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${names.schema}.${quoteIdentifier('orchestra_schema_version')}`]);
  if (exists.rows[0]?.present !== true) return 0;
  const result = await client.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${names.versions}`);
  return result.rows[0]?.version ?? 0;
}

/**
 * Creates the schema or brings it to `SCHEMA_VERSION`, under an advisory lock (many processes may open the store at
 * once: one migrates, the others wait and find it done). Refuses a database whose schema is newer than this library.
 * Returns the version found before.
 */
export async function migrate(client: PoolClient, schema: string, location: string): Promise<number> {
  const key = lockKey(schema);
  await client.query('SELECT pg_advisory_lock($1)', [key.toString()]);
  try {
    const names = tableNames(schema);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${names.schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${names.versions} (version integer PRIMARY KEY, description text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
    const before = await readSchemaVersion(client, schema);
    if (before > SCHEMA_VERSION) {
      throw new ExperienceStoreError({
        operation: 'open',
        path: location,
        message: `the database holds schema version ${before}, newer than this library's ${SCHEMA_VERSION}: upgrade @orchestra/learning-store-postgres`,
      });
    }
    for (const migration of migrations) {
      if (migration.version <= before) continue;
      await client.query('BEGIN');
      try {
        for (const statement of migration.statements(schema)) await client.query(statement);
        await client.query(`INSERT INTO ${names.versions} (version, description) VALUES ($1, $2)`, [migration.version, migration.description]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return before;
  } finally {
    // A connection that broke has released the lock with itself: the original error is the one to report.
    await client.query('SELECT pg_advisory_unlock($1)', [key.toString()]).catch(() => {});
  }
}
