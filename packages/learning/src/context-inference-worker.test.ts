import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import type { EnhancedSessionState } from '@orchestra/learning-types';
import { afterEach, describe, expect, it } from 'vitest';
import { ContextInferenceWorker, MIN_WORKER_BATCH } from './context-inference-worker';
import { DefaultLearningRuntime } from './default-runtime';
import { createLearning } from './learning-manager';

/**
 * The worker's source, run through tsx by a small bootstrap module (the built `dist/ingest-inference-worker.js` is
 * what the package loads; a worker's `--import tsx` does not reach its entry on Node 20).
 */
const workerSource = join(tmpdir(), `inference-worker-bootstrap-${process.pid}.mjs`);
// tsx's ESM API (its CommonJS build of `register` points at a file it does not ship).
const tsxApi = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
await writeFile(
  workerSource,
  [
    `import { register } from ${JSON.stringify(tsxApi)};`,
    'register();',
    `await import(${JSON.stringify(new URL('./ingest-inference-worker.ts', import.meta.url).href)});`,
  ].join('\n'),
);

const verbs = ['fix', 'add', 'document', 'refactor', 'speed up', 'test'];
const things = ['the login form', 'CSV export', 'the billing job', 'the README', 'the rate limiter', 'migrations'];
const tasks = Array.from({ length: 3 * MIN_WORKER_BATCH }, (_, index) => ({
  description: `${verbs[index % verbs.length]} ${things[Math.floor(index / verbs.length) % things.length]} (#${index})`,
  files: index % 3 === 0 ? [] : [`src/module-${index % 7}/index.ts`, ...(index % 5 === 0 ? ['docs/guide.md'] : [])],
}));
const expected = tasks.map((task) => inferTaskContext({ description: task.description, files: [...task.files] }).context);

const workers: ContextInferenceWorker[] = [];
afterEach(async () => {
  for (const worker of workers.splice(0)) await worker.close();
});

async function untilWorkerAnswers(inference: ContextInferenceWorker): Promise<void> {
  for (let attempt = 0; attempt < 200 && inference.counts.worker === 0; attempt += 1) {
    expect(await inference.infer(tasks)).toEqual(expected);
    if (inference.counts.worker === 0) await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('ContextInferenceWorker', () => {
  it('infers on the worker thread exactly what inferTaskContext gives in the calling thread', async () => {
    const inference = new ContextInferenceWorker({ file: workerSource });
    workers.push(inference);
    // The first two batches are inferred here (the second starts the worker); once it is up, batches go to it.
    expect(await inference.infer(tasks)).toEqual(expected);
    expect(await inference.infer(tasks)).toEqual(expected);
    expect(inference.counts.callingThread).toBe(2);
    await untilWorkerAnswers(inference);
    expect(inference.counts.worker).toBeGreaterThanOrEqual(1);
    expect(await inference.infer(tasks.slice(0, MIN_WORKER_BATCH))).toEqual(expected.slice(0, MIN_WORKER_BATCH));
  }, 30_000);

  it('infers small batches in the calling thread without starting a worker', async () => {
    const inference = new ContextInferenceWorker({ file: workerSource });
    workers.push(inference);
    expect(await inference.infer(tasks.slice(0, MIN_WORKER_BATCH - 1))).toEqual(expected.slice(0, MIN_WORKER_BATCH - 1));
    expect(inference.counts).toEqual({ worker: 0, callingThread: 1 });
  });

  it('falls back to the calling thread, with the same result, when the worker cannot start or dies', async () => {
    const broken = join(tmpdir(), `broken-inference-worker-${process.pid}.mjs`);
    await writeFile(broken, "throw new Error('no inference here');\n");
    const inference = new ContextInferenceWorker({ file: broken });
    workers.push(inference);
    for (let round = 0; round < 5; round += 1) {
      expect(await inference.infer(tasks)).toEqual(expected);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(inference.counts).toEqual({ worker: 0, callingThread: 5 });
    const none = new ContextInferenceWorker({ file: null });
    expect(await none.infer(tasks)).toEqual(expected);
    expect(none.counts).toEqual({ worker: 0, callingThread: 1 });
  }, 30_000);

  it('gives an ingest the same experiences as inference in the calling thread', async () => {
    const session = (index: number): EnhancedSessionState => ({
      schemaVersion: 2,
      sessionId: `s-${index}`,
      workflow: [{ id: 'a', agentRole: 'executor', status: 'completed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 10, latencyMs: 5, success: true, estimatedCost: 0.01, costSource: 'provider', attempt: 1 }] }],
      globalMetrics: { totalCostEstimate: 0.01, totalTokens: 10, totalAttempts: 1, avgLatencyMs: 5, fallbackRotations: 0, modelUsageCounts: {} },
      phase: 'completed',
    });
    // 700 sessions (three inference batches), a task repeated every 5th session.
    const ingested = Array.from({ length: 700 }, (_, index) => ({ session: session(index), task: tasks[index % 5 === 0 ? 0 : index % tasks.length]! as { description: string; files: string[] } }));
    const inference = new ContextInferenceWorker({ file: workerSource });
    workers.push(inference);
    await untilWorkerAnswers(inference);
    const before = inference.counts.worker;
    const stored = async (worker: ContextInferenceWorker | null) => {
      const root = await mkdtemp(join(tmpdir(), 'learning-ingest-worker-'));
      const learning = await createLearning({ cwd: root, env: {}, runtime: new DefaultLearningRuntime({ seed: 1, inferenceWorker: worker }), config: { reloadIntervalMs: 0 } });
      try {
        const report = await learning.ingest(ingested);
        expect(report.recorded).toBe(700);
        return report.experiences.map((experience) => [experience.sessionId, experience.state.context, experience.state.features]);
      } finally {
        await learning.close();
      }
    };
    const withWorker = await stored(inference);
    expect(inference.counts.worker).toBeGreaterThan(before);
    expect(withWorker).toEqual(await stored(null));
  }, 60_000);
});
