/**
 * What the facade adds on an orchestrator's hot path: `learning.decide(task)` (context inference from the text,
 * history lookup, routing) against its parts measured in the same run — `inferTaskContext` alone and
 * `PolicyRouter.decide` alone on an already-inferred context. Shadow mode (rules with exploration) and production
 * (learned policy, 80 → 256 → 128 → heads actor). Other people use the CPU at the same time: figures are noisy,
 * compare the ratios. Then what the `orchestra.decide` span costs, with and without an OpenTelemetry SDK
 * (`decide-tracing.ts`; alone: BENCH_ONLY=tracing). Then `learning.ingestFile` of a BENCH_INGEST_SESSIONS-record JSON array (default 100,000).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import { PolicyRouter, loadModelArtifact } from '@orchestra/learning-policy';
import { createLearning } from '../src/learning-manager';
import { benchTasks, writeBenchModel } from './bench-model';
import { benchmarkIngest } from './ingest';
import { benchmarkDecideTracing, reportDecideTracing } from './decide-tracing';


function quantiles(samples: number[]): { p50: number; p99: number } {
  const sorted = [...samples].sort((left, right) => left - right);
  return { p50: sorted[Math.floor(sorted.length * 0.5)]!, p99: sorted[Math.floor(sorted.length * 0.99)]! };
}

function measure(name: string, iterations: number, run: (index: number) => void): { name: string; p50: number; p99: number } {
  for (let index = 0; index < 500; index += 1) run(index);
  const samples: number[] = [];
  for (let index = 0; index < iterations; index += 1) {
    const started = performance.now();
    run(index);
    samples.push((performance.now() - started) * 1000);
  }
  return { name, ...quantiles(samples) };
}

const { root, modelDirectory } = await writeBenchModel('learning-bench-');
const tasks = benchTasks;

const iterations = 5000;
const contexts = tasks.map((description) => inferTaskContext({ description }).context);
const system = { concurrentTasks: 1, load: 0.3, agentAvailability: {} };
const router = new PolicyRouter({ environment: {}, latencyBudgetMs: 1000 });
router.setModel(await loadModelArtifact(modelDirectory));

const shadow = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0, latencyBudgetMs: 1000 } });
await shadow.deploy(modelDirectory);
const production = await createLearning({ cwd: root, env: {}, mode: 'production', config: { reloadIntervalMs: 0, latencyBudgetMs: 1000 } });

const rows = [
  measure('inferTaskContext (text → context)', iterations, (index) => void inferTaskContext({ description: tasks[index % tasks.length]! })),
  measure('PolicyRouter.decide, shadow (rules + learned shadow)', iterations, (index) => void router.decide({ context: contexts[index % contexts.length]!, system }, { mode: 'shadow' })),
  measure('learning.decide, shadow', iterations, (index) => void shadow.decide({ description: tasks[index % tasks.length]! })),
  measure('PolicyRouter.decide, production (learned)', iterations, (index) => void router.decide({ context: contexts[index % contexts.length]!, system }, { mode: 'production' })),
  measure('learning.decide, production', iterations, (index) => void production.decide({ description: tasks[index % tasks.length]! })),
];
await shadow.close();
await production.close();
reportDecideTracing(await benchmarkDecideTracing(root, modelDirectory));

const baseline = rows[0]!.p50;
console.log(`decision latency, ${iterations} decisions each (µs; noisy shared machine, compare ratios)`);
console.log(['what'.padEnd(52), 'p50 µs'.padStart(9), 'p99 µs'.padStart(9), '× infer p50'.padStart(12)].join(' '));
for (const row of rows) console.log([row.name.padEnd(52), row.p50.toFixed(1).padStart(9), row.p99.toFixed(1).padStart(9), (row.p50 / baseline).toFixed(2).padStart(12)].join(' '));
const resultsDirectory = join(import.meta.dirname, '..', '..', '..', 'bench-results');
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(join(resultsDirectory, 'learning-decide.json'), `${JSON.stringify({ iterations, unit: 'microseconds', rows }, null, 2)}\n`);

const ingestTotal = Number(process.env.BENCH_INGEST_SESSIONS ?? 100_000);
const passes = await benchmarkIngest(root, ingestTotal);
console.log(`\ningest of a ${ingestTotal}-session JSON array (streamed; heap peak above the start)`);
console.log(['what'.padEnd(56), 'sessions/s'.padStart(11), 'per CPU-s'.padStart(10), 'heap MB'.padStart(8), '× validation'.padStart(13)].join(' '));
for (const pass of passes) {
  console.log(
    [pass.name.padEnd(56), Math.round(pass.sessionsPerSecond).toString().padStart(11), Math.round(pass.sessionsPerCpuSecond).toString().padStart(10), pass.heapPeakMegabytes.toFixed(0).padStart(8), (passes[0]!.seconds / pass.seconds).toFixed(2).padStart(13)].join(' '),
  );
}
writeFileSync(join(resultsDirectory, 'learning-ingest.json'), `${JSON.stringify({ sessions: ingestTotal, passes }, null, 2)}\n`);
