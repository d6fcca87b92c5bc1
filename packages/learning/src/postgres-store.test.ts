import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import * as vitest from 'vitest';
import { StoreUnavailableError } from './errors';
import { createLearning } from './learning-manager';
import { openExperienceStore } from './store-loader';
import { describeWithPostgres } from '@orchestra/learning-store-postgres/testing';

function session(id: string, success = true) {
  return {
    sessionId: id,
    workflow: [{ id: 'a', agentRole: 'executor', status: success ? 'completed' : 'failed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 900, latencyMs: 1500, success, estimatedCost: 0.01 }] }],
    globalMetrics: { totalCostEstimate: 0.01, totalTokens: 900, totalAttempts: 1, avgLatencyMs: 1500 },
    phase: success ? 'completed' : 'failed',
    task: { description: `fix: broken pagination ${id}`, files: ['api/src/list.ts'] },
  };
}

it('names the optional package when a postgres:// store is configured without it', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'learning-store-missing-'));
  const missing = Object.assign(new Error("Cannot find package '@orchestra/learning-store-postgres'"), { code: 'ERR_MODULE_NOT_FOUND' });
  const opening = openExperienceStore({ dataDir, store: { url: 'postgres://localhost/x' }, importModule: async () => Promise.reject(missing) });
  await expect(opening).rejects.toSatisfy((error) => StoreUnavailableError.isInstance(error) && /npm install @orchestra\/learning-store-postgres/.test(error.message));
  // Without a URL the JSONL buffer of the data dir is used, and the optional package is never imported.
  const store = await openExperienceStore({ dataDir, importModule: async () => Promise.reject(missing) });
  expect(store.kind).toBe('jsonl');
  await store.close();
});

await describeWithPostgres(vitest, 'createLearning with a PostgreSQL store', ({ cluster, freshDatabase }) => {
  it('records, ingests from several managers at once (each session once, no lock), and reads it all back', async () => {
    const url = await freshDatabase();
    const root = await mkdtemp(join(tmpdir(), 'learning-postgres-'));
    const open = (name: string) => createLearning({ cwd: root, dataDir: join(root, name), mode: 'shadow', config: { store: { url }, reloadIntervalMs: 0 } });
    const first = await open('a');
    for (let index = 0; index < 10; index += 1) {
      const tracked = first.startSession({ description: `feat: add export ${index}` });
      const step = tracked.stepStarted({ agentRole: 'executor' });
      tracked.modelAttempt(step, { modelId: 'glm-4.7', tokensUsed: 100, latencyMs: 50, success: true, estimatedCost: 0.001 });
      tracked.stepEnded(step, 'completed');
      expect((await tracked.complete()).experience).not.toBeNull();
    }
    const file = join(root, 'sessions.jsonl');
    await writeFile(file, Array.from({ length: 40 }, (_, index) => JSON.stringify(session(`ingested-${index}`, index % 5 !== 0))).join('\n'));
    // Two managers (two data dirs: as on two hosts) ingest the same file at once; the database keeps each session once.
    const second = await open('b');
    const [one, two] = await Promise.all([first.ingestFile(file, { keepExperiences: false }), second.ingestFile(file, { keepExperiences: false })]);
    expect(one.recorded + two.recorded).toBe(40);
    expect(one.skipped.length + two.skipped.length).toBe(40);
    const again = await second.ingestFile(file);
    expect(again).toMatchObject({ recorded: 0 });
    expect(again.skipped).toHaveLength(40);
    const store = await first.openStore({ readOnly: true });
    expect(store.kind).toBe('postgres');
    const { stats } = await store.stats();
    expect(stats.totalExperiences).toBe(50);
    expect(stats.byTaskType.bugfix?.count).toBe(40);
    await store.close();
    expect(await first.readBuffer()).toHaveLength(50);
    // A new manager warms its history from the database.
    const third = await createLearning({ cwd: root, dataDir: join(root, 'c'), mode: 'shadow', config: { store: { url }, reloadIntervalMs: 0, warmHistory: true } });
    expect(third.historyOf('bugfix', 'backend').sampleWeight + third.historyOf('bugfix', 'api').sampleWeight).toBeGreaterThan(0);
    await Promise.all([first.close(), second.close(), third.close()]);
  }, 60_000);

  it('ingests OpenTelemetry traces into the database, and quarantines the malformed one in its quarantine table', async () => {
    const url = await freshDatabase();
    const root = await mkdtemp(join(tmpdir(), 'learning-postgres-otlp-'));
    const learning = await createLearning({ cwd: root, dataDir: join(root, 'data'), mode: 'shadow', config: { store: { url }, reloadIntervalMs: 0 } });
    // Spans of the OpenTelemetry JS SDK (3 sessions, one with a rate-limited call; 1 trace without GenAI spans).
    const fixture = join(import.meta.dirname, '__fixtures__', 'genai-traces.otlp.jsonl');
    const report = await learning.ingestFile(fixture);
    expect(report).toMatchObject({ recorded: 3, traces: { total: 4, quarantined: 1 } });
    const store = await learning.openStore({ readOnly: true });
    expect((await store.stats()).stats.totalExperiences).toBe(3);
    const quarantined = await store.readQuarantine();
    expect(quarantined.map((entry) => [entry.reason, entry.segment])).toEqual([['malformed-trace', fixture]]);
    await store.close();
    await learning.close();
  }, 60_000);

  it('decides and records while the database is down (one warning, local buffer), and replays it once the database is back', async () => {
    const url = await freshDatabase();
    const root = await mkdtemp(join(tmpdir(), 'learning-postgres-down-'));
    // Create the schema while the database is up.
    const setup = await openExperienceStore({ dataDir: join(root, 'setup'), store: { url } });
    await setup.close();
    await cluster().stopServer('fast');
    const warnings: string[] = [];
    try {
      const learning = await createLearning({
        cwd: root,
        dataDir: join(root, 'data'),
        mode: 'shadow',
        onWarning: (message) => warnings.push(message),
        config: { store: { url, connectTimeoutMs: 300, retryIntervalMs: 50 }, reloadIntervalMs: 0, warmHistory: true },
      });
      expect(warnings.some((message) => /history not warmed/.test(message))).toBe(true);
      const started = performance.now();
      const decision = learning.decide({ description: 'fix: the login page crashes' });
      expect(performance.now() - started).toBeLessThan(50);
      for (let index = 0; index < 5; index += 1) {
        const result = await learning.record(session(`down-${index}`) as never, { ...decision, sessionId: `down-${index}` });
        expect(result.experience).not.toBeNull();
      }
      expect(warnings.filter((message) => /failover buffer/.test(message))).toHaveLength(1);
      await cluster().startServer();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await learning.flush();
      const store = await learning.openStore({ readOnly: true });
      expect((await store.stats()).stats.totalExperiences).toBe(5);
      await store.close();
      await learning.close();
    } finally {
      await cluster().startServer();
    }
  }, 60_000);
});
