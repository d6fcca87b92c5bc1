import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { runDemo, type DemoSummary } from './run-demo';

const directories: string[] = [];
afterAll(() => {
  for (const directory of directories) rmSync(directory, { recursive: true, force: true });
});

const RealDate = globalThis.Date;
const realPerformanceNow = performance.now.bind(performance);
afterEach(() => {
  globalThis.Date = RealDate;
  performance.now = realPerformanceNow;
});

/**
 * A wall clock gone wild: every reading of `Date` is a day later than the one before (from 2031), and every reading
 * of `performance.now` a second later. A demo whose decisions read the wall clock (experience timestamps feeding the
 * time-decayed history features, latency-budget fallbacks) cannot give the same result under it.
 */
function installJumpingClocks(): void {
  let dateReadings = 0;
  const nextDateMs = () => RealDate.UTC(2031, 0, 1) + (dateReadings += 1) * 86_400_000;
  class JumpingDate extends RealDate {
    constructor(...values: unknown[]) {
      if (values.length === 0) super(nextDateMs());
      else super(...(values as [number]));
    }

    static override now(): number {
      return nextDateMs();
    }
  }
  globalThis.Date = JumpingDate as DateConstructor;
  let performanceReadings = 0;
  performance.now = () => realPerformanceNow() + (performanceReadings += 1) * 1000;
}

/** The summary without what legitimately differs between two runs: timings, CPU times and the run's directories. */
function comparable(summary: DemoSummary): unknown {
  const { timings: _timings, dataDir: _dataDir, reportPath: _reportPath, ...rest } = summary;
  return {
    ...rest,
    ope: summary.ope.map(({ trainingMs: _trainingMs, ...round }) => round),
    settings: { ...summary.settings, oracle: { ...summary.settings.oracle, cpuMs: 0, onInferredContext: { ...summary.settings.oracle.onInferredContext, cpuMs: 0 } } },
  };
}

async function run(seed: number): Promise<DemoSummary> {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'demo-determinism-')), 'data');
  directories.push(dataDir);
  // Mid-size: a shadow phase, retrainings, A/B ramps and production; the oracle on the main thread.
  return runDemo({ sessions: 500, evaluationTasks: 30, retrainEvery: 100, seed, dataDir, oracleWorker: false });
}

describe('demo determinism', () => {
  it('gives the same summary, apart from timings, under a normal and a jumping wall clock', async () => {
    const first = await run(5);
    installJumpingClocks();
    const second = await run(5);
    expect(second.phases.trainings).toBeGreaterThanOrEqual(2);
    expect(second.phases.fallbacks['latency-budget'] ?? 0).toBe(0);
    expect(JSON.stringify(comparable(second))).toBe(JSON.stringify(comparable(first)));
  }, 600_000); // two demo runs with trainings: 142–344 s at a load average of 10–15 (measured)
});
