import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import * as vitest from 'vitest';
import { FAILOVER_DIRECTORY } from './failover-spool';
import { PostgresExperienceStore } from './postgres-experience-store';
import { makeExperience } from '@orchestra/learning-collector/testing';
import { startIngestWorker } from './test-support/worker-process';
import { describeWithPostgres, freePort } from './testing';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'orchestra-pg-fleet-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

async function rowCounts(url: string): Promise<{ rows: number; sessions: number; ids: Set<string> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const counts = await client.query<{ rows: string; sessions: string }>('SELECT count(*) AS rows, count(DISTINCT session_id) AS sessions FROM orchestra_experiences');
    const ids = await client.query<{ id: string }>('SELECT id FROM orchestra_experiences');
    return { rows: Number(counts.rows[0]!.rows), sessions: Number(counts.rows[0]!.sessions), ids: new Set(ids.rows.map((row) => row.id)) };
  } finally {
    await client.end();
  }
}

const spoolDirectories = () => (existsSync(join(dataDir, FAILOVER_DIRECTORY)) ? readdirSync(join(dataDir, FAILOVER_DIRECTORY)).filter((name) => name !== 'quarantine.jsonl') : []);

await describeWithPostgres(vitest, 'a fleet writing to one PostgreSQL store', ({ cluster, freshDatabase }) => {
  it('stores exactly 1,000 sessions when 4 processes ingest 250 each, every one also re-sending another’s 250', async () => {
    const url = await freshDatabase();
    // Each worker ingests its own 250 sessions and, at the same time, the next worker's 250 (an overlapping re-run).
    const workers = [0, 1, 2, 3].flatMap((worker) => [
      startIngestWorker({ url, dataDir, seed: 7, first: worker * 250, count: 250, window: 16 }),
      startIngestWorker({ url, dataDir, seed: 7, first: ((worker + 1) % 4) * 250, count: 250, window: 16 }),
    ]);
    const codes = await Promise.all(workers.map((worker) => worker.exited));
    expect(codes).toEqual(workers.map(() => 0));
    expect(workers.flatMap((worker) => worker.failed)).toEqual([]);
    const counts = await rowCounts(url);
    expect(counts.rows).toBe(1_000);
    // Half the records carry a session (the factory's withSession), all carry a session id.
    expect(counts.sessions).toBe(1_000);
  }, 120_000);

  it('loses no acknowledged session when an ingest is killed with SIGKILL, and a re-run completes it to exactly 1,000', async () => {
    const url = await freshDatabase();
    const victim = startIngestWorker({ url, dataDir, seed: 8, first: 0, count: 1_000, window: 32 });
    await victim.ready;
    await new Promise<void>((resolve) => {
      victim.onAcknowledged = (count) => {
        if (count === 300) {
          victim.child.kill('SIGKILL');
          resolve();
        }
      };
    });
    await victim.exited;
    expect(victim.child.signalCode).toBe('SIGKILL');
    const afterKill = await rowCounts(url);
    expect(victim.acknowledged.filter((id) => !afterKill.ids.has(id))).toEqual([]);
    expect(afterKill.rows).toBeLessThan(1_000);
    const rerun = startIngestWorker({ url, dataDir, seed: 8, first: 0, count: 1_000, window: 32 });
    expect(await rerun.exited).toBe(0);
    const final = await rowCounts(url);
    expect(final.rows).toBe(1_000);
    expect(final.sessions).toBe(1_000);
  }, 120_000);

  it('keeps recording while the database restarts: one warning, the failover buffer, then a replay — each session once', async () => {
    const url = await freshDatabase();
    const warnings: string[] = [];
    const store = await PostgresExperienceStore.open(
      { url, dataDir, connectTimeoutMs: 500, writeTimeoutMs: 1_000, retryIntervalMs: 100 },
      { onWarning: (message) => warnings.push(message) },
    );
    const acknowledged: string[] = [];
    let index = 0;
    const appendSome = async (count: number) => {
      for (let end = index + count; index < end; index += 10) {
        const batch = Array.from({ length: 10 }, (_, offset) => makeExperience(9, index + offset));
        await store.append(batch);
        acknowledged.push(...batch.map((experience) => experience.id));
      }
    };
    await appendSome(200);
    await cluster().stopServer('fast');
    const started = Date.now();
    await appendSome(200);
    // Nothing waited for the database more than once per retry interval: the whole outage took well under a second per append.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/unreachable or slow.*failover buffer/);
    expect(store.failedOver).toBeGreaterThan(0);
    expect(spoolDirectories()).toHaveLength(1);
    await cluster().startServer();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await appendSome(100);
    await store.flush();
    const counts = await rowCounts(url);
    expect(counts.rows).toBe(500);
    expect(acknowledged.filter((id) => !counts.ids.has(id))).toEqual([]);
    expect(store.replayed).toBe(store.failedOver);
    expect(spoolDirectories()).toEqual([]);
    // A second flush replays nothing twice.
    await store.flush();
    expect((await rowCounts(url)).rows).toBe(500);
    await store.close();
  }, 120_000);

  it('replays the failover buffer a dead process left, when the next store of the host opens', async () => {
    const url = await freshDatabase();
    const port = await freePort();
    // The database is unreachable for this worker (nothing listens): it records everything to its failover buffer and exits.
    const unreachable = `postgres://orchestra@127.0.0.1:${port}/nowhere`;
    const worker = startIngestWorker({ url: unreachable, dataDir, seed: 10, first: 0, count: 50, window: 4 });
    expect(await worker.exited).toBe(0);
    expect(worker.acknowledged).toHaveLength(50);
    expect(spoolDirectories()).toHaveLength(1);
    const store = await PostgresExperienceStore.open({ url, dataDir });
    await store.flush();
    await store.close();
    expect((await rowCounts(url)).rows).toBe(50);
    expect(spoolDirectories()).toEqual([]);
  }, 60_000);
});

await describeWithPostgres(vitest, 'a database that does not answer', () => {
  let blackHole: Server | undefined;
  const sockets = new Set<Socket>();
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (blackHole === undefined ? resolve(undefined) : blackHole.close(resolve)));
  });

  it('costs a recording at most the connect timeout once, then nothing, and never fails it', async () => {
    // Accepts connections and never says a word: the slowest kind of database.
    blackHole = createServer((socket) => sockets.add(socket));
    const port = await new Promise<number>((resolve) => blackHole!.listen(0, '127.0.0.1', () => resolve((blackHole!.address() as { port: number }).port)));
    const warnings: string[] = [];
    const opening = Date.now();
    const store = await PostgresExperienceStore.open({ url: `postgres://orchestra@127.0.0.1:${port}/slow`, dataDir, connectTimeoutMs: 300, retryIntervalMs: 60_000 }, { onWarning: (message) => warnings.push(message) });
    expect(Date.now() - opening).toBeLessThan(2_000);
    // Were an append to wait for the database, 100 of them would take 100 connect timeouts (30 s); each one only
    // waits for its fsync into the local buffer.
    const durations: number[] = [];
    for (let index = 0; index < 100; index += 1) {
      const started = performance.now();
      await store.append(makeExperience(11, index));
      durations.push(performance.now() - started);
    }
    durations.sort((left, right) => left - right);
    expect(durations[50]!).toBeLessThan(100);
    expect(durations.reduce((sum, value) => sum + value, 0)).toBeLessThan(10_000);
    expect(await store.hasSession('session-11-0')).toBe(false);
    expect(warnings).toHaveLength(1);
    expect(store.failedOver).toBe(100);
    await store.close();
    expect(spoolDirectories()).toHaveLength(1);
  }, 30_000);
});
