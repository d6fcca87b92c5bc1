import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { JsonlExperienceStore } from '@orchestra/learning-collector';
import type { Experience } from '@orchestra/learning-types';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { SessionIngestError } from './errors';
import { createLearning } from './learning-manager';
import { OrchestratorIntegration } from './orchestrator-integration';

/**
 * The worker's source, run through tsx by a small bootstrap module (the built `dist/ingest-build-worker.js` is what
 * the package loads; a worker's `--import tsx` does not reach its entry on Node 20).
 */
const workerSource = join(tmpdir(), `ingest-build-worker-bootstrap-${process.pid}.mjs`);
const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
await writeFile(
  workerSource,
  [`import { register } from ${JSON.stringify(tsxApi)};`, 'register();', `await import(${JSON.stringify(new URL('./ingest-build-worker.ts', import.meta.url).href)});`].join('\n'),
);
const brokenWorker = join(tmpdir(), `broken-ingest-worker-${process.pid}.mjs`);
await writeFile(brokenWorker, "throw new Error('no ingest here');\n");
afterAll(async () => {
  await rm(workerSource, { force: true });
  await rm(brokenWorker, { force: true });
});

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'ingest-workers-'));
});

const verbs = ['Fix', 'Add', 'Document', 'Refactor', 'Speed up', 'Test'];
const things = ['the login form', 'CSV export', 'the billing job', 'the README', 'the rate limiter', 'migrations'];

/** A finished session of the design's shape with its task (every 7th task repeats an earlier one). */
function record(index: number, sessionId: string | undefined): Record<string, unknown> {
  const tracker = new OrchestratorIntegration({ sessionId: sessionId ?? 'unnamed', now: () => new Date(Date.UTC(2026, 0, 1, 0, 0, index)) });
  const step = tracker.stepStarted({ agent: 'executor' });
  tracker.modelAttempt(step, { model: index % 3 === 0 ? 'glm-4.7' : 'kimi-k2.5', tokens: 500 + index, latencyMs: 800 + 10 * index, costUsd: 0.002 * (1 + (index % 4)), success: index % 5 !== 0 });
  if (index % 5 === 0) tracker.modelAttempt(step, { model: 'claude-opus-4.6', tokens: 900, latencyMs: 2000, costUsd: 0.05, success: true });
  tracker.stepEnded(step, 'completed');
  const session = tracker.finish() as unknown as Record<string, unknown>;
  if (sessionId === undefined) delete session.sessionId;
  const task = index % 7 === 0 ? 0 : index;
  return { ...session, task: { description: `${verbs[task % verbs.length]} ${things[Math.floor(task / verbs.length) % things.length]} (#${task})`, files: [`src/module-${task % 5}/index.ts`] } };
}

/** 700 records (three build batches): session `s-10` twice, three without a session id. */
function sessionFile(): Record<string, unknown>[] {
  return Array.from({ length: 700 }, (_, index) => record(index, index === 400 ? 's-10' : index % 250 === 1 ? undefined : `s-${index}`));
}

async function storedExperiences(dataDir: string): Promise<Experience[]> {
  const store = await JsonlExperienceStore.open({ dataDir, readOnly: true });
  try {
    const experiences: Experience[] = [];
    for await (const experience of store.read()) experiences.push(experience);
    return experiences;
  } finally {
    await store.close();
  }
}

/** An experience without what differs run by run: its id, timestamp, and a session id made up for a session without one. */
function comparable(experience: Experience): unknown {
  const { id: _id, timestamp: _timestamp, ...rest } = experience;
  return { ...rest, sessionId: experience.session?.sessionId === undefined ? 'made-up' : experience.sessionId, session: { ...rest.session, sessionId: 'any' } };
}

/** Ingests `file` into a new data dir (one session stored before it) with the ingest workers given. */
async function ingestInto(name: string, file: string, ingestWorkers: { file: string; size: number; minFileBytes: number } | null) {
  const dataDir = join(directory, name);
  const learning = await createLearning({ cwd: directory, env: {}, dataDir, config: { reloadIntervalMs: 0 }, ingestWorkers });
  try {
    await writeFile(join(directory, `${name}-first.json`), JSON.stringify(record(3, 's-3')));
    await learning.ingestFile(join(directory, `${name}-first.json`), { keepExperiences: false });
    const report = await learning.ingestFile(file, { keepExperiences: false });
    const decision = learning.decide({ description: 'Fix the login form (#0)', files: ['src/module-0/index.ts'] });
    const stats = await learning.stats();
    return { report, experiences: await storedExperiences(dataDir), history: decision.history, stats: stats.stats };
  } finally {
    await learning.close();
  }
}

describe('ingestFile on worker threads', () => {
  it('stores what the calling thread stores: the same records in file order, skips, statistics and history', async () => {
    const file = join(directory, 'sessions.json');
    await writeFile(file, JSON.stringify(sessionFile()));
    const inWorkers = await ingestInto('workers', file, { file: workerSource, size: 2, minFileBytes: 0 });
    const here = await ingestInto('here', file, null);
    expect(inWorkers.report.builtOnWorkers).toBe(700);
    expect(here.report.builtOnWorkers).toBeUndefined();
    // s-3 was stored before; s-10 repeats in the file. On the workers the skips come in file order.
    expect(inWorkers.report).toMatchObject({ recorded: 698, skipped: ['s-3', 's-10'], experiences: [] });
    expect(here.report.recorded).toBe(698);
    expect([...here.report.skipped].sort()).toEqual(['s-10', 's-3']);
    expect(inWorkers.experiences).toHaveLength(699);
    expect(inWorkers.experiences.map(comparable)).toEqual(here.experiences.map(comparable));
    const { firstTimestamp: _a, lastTimestamp: _b, ...workerStats } = inWorkers.stats as unknown as Record<string, unknown>;
    const { firstTimestamp: _c, lastTimestamp: _d, ...hereStats } = here.stats as unknown as Record<string, unknown>;
    expect(workerStats).toEqual(hereStats);
    expect(inWorkers.history).toBeDefined();
    // The history decays with the records' wall-clock timestamps, a few milliseconds apart between the two runs.
    for (const [field, value] of Object.entries(here.history!)) expect((inWorkers.history as Record<string, number>)[field]).toBeCloseTo(value, 4);
  }, 60_000);

  it('records nothing when one record is invalid, and names the first one as the calling thread does', async () => {
    const records = sessionFile();
    // In the second batch the workers validate (512 records each), and a later one broken differently.
    records[600] = { ...records[600], workflow: 'not a list' };
    records[650] = { ...records[650], phase: 42 };
    const file = join(directory, 'invalid.json');
    await writeFile(file, JSON.stringify(records));
    const failures: SessionIngestError[] = [];
    for (const [name, workers] of [['workers', { file: workerSource, size: 2, minFileBytes: 0 }], ['here', null]] as const) {
      const dataDir = join(directory, name);
      const learning = await createLearning({ cwd: directory, env: {}, dataDir, config: { reloadIntervalMs: 0 }, ingestWorkers: workers });
      try {
        const error = await learning.ingestFile(file, { keepExperiences: false }).catch((caught: unknown) => caught);
        expect(SessionIngestError.isInstance(error)).toBe(true);
        failures.push(error as SessionIngestError);
      } finally {
        await learning.close();
      }
      expect(await storedExperiences(dataDir)).toEqual([]);
    }
    expect(failures[0]!.record).toBe(601);
    expect(failures[0]!.message).toBe(failures[1]!.message);
  }, 60_000);

  it('leaves a file that does not split to the calling thread, which names the problem', async () => {
    const records = sessionFile().slice(0, 520);
    const text = JSON.stringify(records);
    const truncated = join(directory, 'truncated.json');
    await writeFile(truncated, text.slice(0, text.length - 40));
    const messages: string[] = [];
    for (const workers of [{ file: workerSource, size: 2, minFileBytes: 0 }, null]) {
      const dataDir = join(directory, `d-${messages.length}`);
      const learning = await createLearning({ cwd: directory, env: {}, dataDir, config: { reloadIntervalMs: 0 }, ingestWorkers: workers });
      try {
        const error = await learning.ingestFile(truncated, { keepExperiences: false }).catch((caught: unknown) => caught);
        expect(SessionIngestError.isInstance(error)).toBe(true);
        messages.push((error as SessionIngestError).message);
      } finally {
        await learning.close();
      }
      expect(await storedExperiences(dataDir)).toEqual([]);
    }
    expect(messages[0]).toBe(messages[1]);
  }, 60_000);

  it('keeps a file under minFileBytes on this thread (32 MiB by default)', async () => {
    const file = join(directory, 'small.json');
    await writeFile(file, JSON.stringify(sessionFile().slice(0, 50)));
    const learning = await createLearning({ cwd: directory, env: {}, dataDir: join(directory, 'small'), config: { reloadIntervalMs: 0 }, ingestWorkers: { file: workerSource, size: 2 } });
    try {
      const report = await learning.ingestFile(file, { keepExperiences: false });
      expect(report.recorded).toBe(50);
      expect(report.builtOnWorkers).toBeUndefined();
    } finally {
      await learning.close();
    }
  });

  it('builds on this thread, with the same result, when the workers cannot start', async () => {
    const file = join(directory, 'sessions.jsonl');
    await writeFile(file, `${sessionFile().slice(0, 300).map((entry) => JSON.stringify(entry)).join('\n')}\n`);
    const broken = await ingestInto('broken', file, { file: brokenWorker, size: 2, minFileBytes: 0 });
    const here = await ingestInto('here', file, null);
    expect(broken.report.builtOnWorkers).toBeUndefined();
    expect(broken.report).toMatchObject({ recorded: 299, skipped: ['s-3'] });
    expect(broken.experiences.map(comparable)).toEqual(here.experiences.map(comparable));
  }, 60_000);
});
