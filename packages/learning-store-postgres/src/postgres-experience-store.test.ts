import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeExperienceStats, exportExperiences, JsonlExperienceStore, makeQuarantineEntry } from '@orchestra/learning-collector';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import * as vitest from 'vitest';
import { exactDecimal } from './exact-decimal';
import { PostgresExperienceStore } from './postgres-experience-store';
import { SCHEMA_VERSION } from './schema';
import { makeExperience } from '@orchestra/learning-collector/testing';
import { describeWithPostgres } from './testing';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'orchestra-pg-store-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function collectIds(store: { read(): AsyncIterable<{ id: string }> }): Promise<string[]> {
  const ids: string[] = [];
  for await (const experience of store.read()) ids.push(experience.id);
  return ids;
}

it('writes the exact decimal value of a double', () => {
  expect(exactDecimal(0.1)).toBe('0.1000000000000000055511151231257827021181583404541015625');
  expect(exactDecimal(-2.5)).toBe('-2.5');
  expect(exactDecimal(1e21)).toBe('1000000000000000000000');
  expect(exactDecimal(-0)).toBe('0');
  expect(exactDecimal(5e-324)).toMatch(/^0\.0{323}49406564584124654/);
  expect(() => exactDecimal(Number.NaN)).toThrow(RangeError);
});

await describeWithPostgres(vitest, 'PostgresExperienceStore', ({ freshDatabase }) => {
  it('creates its schema once, versioned, when many stores open a fresh database at once', async () => {
    const url = await freshDatabase();
    const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresExperienceStore.open({ url, dataDir })));
    expect(await stores[0]!.schemaVersion()).toBe(SCHEMA_VERSION);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const versions = await client.query('SELECT version FROM orchestra_schema_version');
    expect(versions.rows).toEqual([{ version: 1 }]);
    await client.end();
    await Promise.all(stores.map((store) => store.close()));
    // Reopened: nothing to migrate.
    const again = await PostgresExperienceStore.open({ url, dataDir });
    expect(await again.schemaVersion()).toBe(SCHEMA_VERSION);
    expect(again.location).toBe(url);
    await again.close();
  });

  it('keeps each session once: re-appends, repeats within a batch and concurrent appends of the same sessions', async () => {
    const url = await freshDatabase();
    const store = await PostgresExperienceStore.open({ url, dataDir });
    const first = Array.from({ length: 100 }, (_, index) => makeExperience(1, index));
    expect(await store.append(first)).toMatchObject({ count: 100, duplicates: 0 });
    const again = [...first.slice(0, 50), ...Array.from({ length: 10 }, (_, index) => makeExperience(1, 100 + index))];
    expect((await store.appendNew(again)).map((experience) => experience.id)).toEqual(again.slice(50).map((experience) => experience.id));
    // Another id, same session id: the session is stored already.
    expect(await store.appendNew([{ ...makeExperience(1, 0), id: 'other-id' }])).toEqual([]);
    // Twice in one batch, and from many appends at the same moment (one group commit): stored once.
    const twin = makeExperience(1, 500);
    const results = await Promise.all([store.appendNew([twin, { ...twin, id: 'twin-copy' }]), store.appendNew([twin]), store.append([twin])]);
    expect(results[0].map((experience) => experience.id)).toEqual([twin.id]);
    expect(results[1]).toEqual([]);
    expect(results[2]).toMatchObject({ count: 0, duplicates: 1 });
    expect(await store.hasSession(twin.sessionId!)).toBe(true);
    expect(await store.hasSession('never-seen')).toBe(false);
    const ids = await collectIds(store);
    expect(ids).toHaveLength(111);
    expect(ids.slice(0, 3)).toEqual(['exp-1-0', 'exp-1-1', 'exp-1-2']);
    expect(new Set(ids).size).toBe(111);
    await store.close();
  });

  it('streams rows in insertion order page by page, reads back equal records, filters and exports like the buffer', async () => {
    const url = await freshDatabase();
    const store = await PostgresExperienceStore.open({ url, dataDir, readBatchSize: 7 });
    const jsonl = await JsonlExperienceStore.open({ dataDir: join(dataDir, 'jsonl') });
    const experiences = Array.from({ length: 60 }, (_, index) => makeExperience(2, index, { withSession: index % 3 !== 0 }));
    // A record jsonb cannot hold (an escaped U+0000) is kept as text, and read back the same.
    experiences[5] = { ...experiences[5]!, task: { description: 'nul \u0000 inside', files: [] } };
    await store.append(experiences);
    await jsonl.append(experiences);
    const stream = store.read();
    const read = [];
    for await (const batch of stream.batches()) {
      expect(batch.length).toBeLessThanOrEqual(7);
      read.push(...batch);
    }
    expect(read).toEqual(experiences);
    expect(stream.summary).toMatchObject({ lines: 60, valid: 60, quarantined: 0 });
    const filter = { from: '2026-02-05T00:00:00.000Z', to: '2026-02-20T00:00:00.000Z', modes: ['shadow', 'ab_test'] as ('shadow' | 'ab_test')[], sources: ['rules' as const] };
    const filtered = store.read({ filter });
    const expected = jsonl.read({ filter });
    const filteredIds = [];
    for await (const experience of filtered) filteredIds.push(experience.id);
    const expectedIds = [];
    for await (const experience of expected) expectedIds.push(experience.id);
    expect(filteredIds).toEqual(expectedIds);
    expect(filteredIds.length).toBeGreaterThan(0);
    expect(filtered.summary.filteredOut).toBe(expected.summary.filteredOut);
    const output = join(dataDir, 'export.jsonl');
    const report = await exportExperiences(store, output, { format: 'jsonl', filter });
    expect(report).toMatchObject({ exported: expectedIds.length, filteredOut: 60 - expectedIds.length, quarantined: 0 });
    expect(readFileSync(output, 'utf8').trim().split('\n').map((line) => (JSON.parse(line) as { id: string }).id)).toEqual(expectedIds);
    await store.close();
    await jsonl.close();
  });

  it('computes statistics with SQL aggregates equal to the JSONL store’s, to the last bit, with and without a filter', async () => {
    const url = await freshDatabase();
    const store = await PostgresExperienceStore.open({ url, dataDir });
    const jsonl = await JsonlExperienceStore.open({ dataDir: join(dataDir, 'jsonl') });
    const experiences = Array.from({ length: 400 }, (_, index) => makeExperience(3, index, { withSession: index % 4 !== 0 }));
    // Sums that a float8 SUM gets wrong in the last bits, a zero latency (the sketch's zero bin), equal timestamps.
    experiences[0] = { ...experiences[0]!, reward: { ...experiences[0]!.reward, total: 0.1 }, outcome: { ...experiences[0]!.outcome, totalCostUsd: 0.2 } };
    experiences[1] = { ...experiences[1]!, reward: { ...experiences[1]!.reward, total: 0.2 }, timestamp: experiences[0]!.timestamp };
    const session = experiences[2]!.session!;
    experiences[2] = { ...experiences[2]!, session: { ...session, workflow: session.workflow.map((step) => ({ ...step, attempts: step.attempts.map((call) => ({ ...call, latencyMs: 0 })) })) } };
    await store.append(experiences);
    await jsonl.append(experiences);
    const sql = await store.stats();
    expect(sql.method).toBe('sql');
    expect(sql.stats).toEqual((await jsonl.stats()).stats);
    expect(sql.stats).toEqual(await computeExperienceStats(store.read()));
    expect(sql.stats.totalExperiences).toBe(400);
    expect(Object.keys(sql.stats.byModel).length).toBeGreaterThan(2);
    const filter = { from: '2026-02-03T00:00:00.000Z', modes: ['shadow' as const] };
    expect((await store.stats({ filter })).stats).toEqual((await jsonl.stats({ filter })).stats);
    expect((await store.stats({ filter: { sources: ['learned'] } })).stats).toEqual((await jsonl.stats({ filter: { sources: ['learned'] } })).stats);
    await store.close();
    await jsonl.close();
  });

  it('quarantines a row that is not a valid experience, with its reason, and leaves it out of statistics', async () => {
    const url = await freshDatabase();
    const store = await PostgresExperienceStore.open({ url, dataDir });
    await store.append([makeExperience(4, 0), makeExperience(4, 1)]);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO orchestra_experiences (id, time_ms, "timestamp", mode, policy_source, policy_version, task_type, primary_domain, success, reward, reward_exact, cost_usd, tokens, fallback_rotations, record)
       VALUES ('hand-written', 0, '1970-01-01T00:00:00Z', 'shadow', 'rules', 'v', 'feature', 'api', true, 1, 1, 0, 0, 0, '{"id": "hand-written", "schemaVersion": 1}')`,
    );
    await client.end();
    const stream = store.read();
    const ids = [];
    for await (const experience of stream) ids.push(experience.id);
    expect(ids).toEqual(['exp-4-0', 'exp-4-1']);
    expect(stream.summary).toMatchObject({ quarantined: 1, quarantinedByReason: { schema: 1 } });
    const [entry] = await store.readQuarantine();
    expect(entry).toMatchObject({ segment: 'orchestra_experiences', line: 3, reason: 'schema' });
    expect(entry!.excerpt).toContain('hand-written');
    const { stats } = await store.stats();
    expect(stats).toMatchObject({ totalExperiences: 2, quarantined: 1 });
    // A second read counts it again without recording it twice.
    const second = store.read();
    for await (const _ of second) void _;
    expect(second.summary.quarantined).toBe(1);
    expect(await store.readQuarantine()).toHaveLength(1);
    // Entries quarantined by an ingest (a malformed trace) go to the same table, once per key.
    const traceEntry = makeQuarantineEntry({ segment: 'traces.jsonl', line: 4, reason: 'malformed-trace', detail: 'no root span', bytes: 10, content: '{}' });
    expect(await store.quarantine([traceEntry, traceEntry])).toBe(1);
    expect(await store.quarantine([traceEntry])).toBe(0);
    expect((await store.readQuarantine()).map((recorded) => recorded.reason).sort()).toEqual(['malformed-trace', 'schema']);
    await store.close();
  });

  it('opens read-only without creating anything, and reads an empty database as empty', async () => {
    const url = await freshDatabase();
    const reader = await PostgresExperienceStore.open({ url, dataDir, readOnly: true });
    expect(await collectIds(reader)).toEqual([]);
    expect((await reader.stats()).stats.totalExperiences).toBe(0);
    expect(await reader.schemaVersion()).toBe(0);
    await expect(reader.append(makeExperience(5, 0))).rejects.toThrow(/read-only/);
    await reader.close();
  });
});
