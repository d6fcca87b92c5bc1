/**
 * What the `orchestra.decide` span costs a decision: `learning.decide` with no OpenTelemetry SDK (the API's no-op
 * tracer: what a JSONL-only application without tracing pays) against the same with an SDK registered — a
 * `BasicTracerProvider` whose `BatchSpanProcessor` serialises every batch to OTLP/JSON (the work an OTLP exporter
 * does, minus the network). Shadow and production (a learned 80 → 256 → 128 → heads actor). Rounds alternate between
 * the set-ups, so machine noise hits all of them alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { trace, type Tracer } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { createLearning } from '../src/learning-manager';
import { benchTasks } from './bench-model';

const tasks = benchTasks;

/** Serialises each batch to OTLP/JSON and drops it: an OTLP exporter's CPU work without a collector. */
class SerializingExporter implements SpanExporter {
  spans = 0;
  bytes = 0;
  export(spans: ReadableSpan[], done: (result: { code: 0 }) => void): void {
    this.spans += spans.length;
    this.bytes += JsonTraceSerializer.serializeRequest(spans)?.length ?? 0;
    done({ code: 0 });
  }
  async shutdown(): Promise<void> {}
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

/** Runs the tracing benchmark in `root` (a data dir holding a deployable model in `modelDirectory`). */
export async function benchmarkDecideTracing(root: string, modelDirectory: string, decisionsPerRound = 2_000, rounds = 5) {
  const exporter = new SerializingExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 200 })] });
  const sdkTracer: Tracer = provider.getTracer('bench');
  const noopTracer = trace.getTracer('bench');
  const setups = [];
  for (const mode of ['shadow', 'production'] as const) {
    for (const [tracing, tracer] of [
      ['no SDK (no-op tracer)', noopTracer],
      ['SDK, batch + OTLP/JSON', sdkTracer],
    ] as const) {
      const manager = await createLearning({ cwd: root, env: {}, dataDir: join(root, `tracing-${mode}`), mode, tracer, config: { reloadIntervalMs: 0, latencyBudgetMs: 1000, warmHistory: false } });
      await manager.deploy(modelDirectory, { force: true });
      if (mode === 'production') await manager.setMode('production', { force: true });
      setups.push({ name: `${mode}, ${tracing}`, manager, samples: [] as number[] });
    }
  }
  for (const setup of setups) for (let index = 0; index < 500; index += 1) setup.manager.decide({ description: tasks[index % tasks.length]! });
  for (let round = 0; round < rounds; round += 1) {
    for (const setup of setups) {
      for (let index = 0; index < decisionsPerRound; index += 1) {
        const started = performance.now();
        setup.manager.decide({ description: tasks[index % tasks.length]! });
        setup.samples.push((performance.now() - started) * 1000);
        // An orchestrator awaits between decisions (it runs sessions): the batch processor exports then, as in production.
        if (index % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  await provider.forceFlush();
  const rows = setups.map((setup) => {
    const sorted = [...setup.samples].sort((left, right) => left - right);
    return { name: setup.name, decisions: sorted.length, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), mean: sorted.reduce((sum, value) => sum + value, 0) / sorted.length };
  });
  for (const setup of setups) await setup.manager.close();
  await provider.shutdown();
  return { rows, exportedSpans: exporter.spans, exportedBytes: exporter.bytes };
}

/** Prints the table and writes `bench-results/learning-decide-tracing.json`. */
export function reportDecideTracing(result: Awaited<ReturnType<typeof benchmarkDecideTracing>>): void {
  console.log(`\ndecide with the orchestra.decide span: no SDK vs an SDK (µs; ${result.exportedSpans} spans exported as ${(result.exportedBytes / 1e6).toFixed(1)} MB of OTLP/JSON)`);
  console.log(['what'.padEnd(44), 'p50 µs'.padStart(9), 'p99 µs'.padStart(9), 'mean µs'.padStart(9), '× no SDK'.padStart(9)].join(' '));
  for (const [index, row] of result.rows.entries()) {
    const baseline = result.rows[index - (index % 2)]!;
    console.log([row.name.padEnd(44), row.p50.toFixed(1).padStart(9), row.p99.toFixed(1).padStart(9), row.mean.toFixed(1).padStart(9), (row.mean / baseline.mean).toFixed(2).padStart(9)].join(' '));
  }
  const resultsDirectory = join(import.meta.dirname, '..', '..', '..', 'bench-results');
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(join(resultsDirectory, 'learning-decide-tracing.json'), `${JSON.stringify({ unit: 'microseconds', ...result }, null, 2)}\n`);
}
