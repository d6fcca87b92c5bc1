import { createRng } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { BatchCusum, cusumInControlRunLength } from './batch-cusum';

function normal(random: { next(): number }): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

describe('BatchCusum', () => {
  it('raises no alarm on long stationary streams (0/1 at 5 % and normal), as its run length says', () => {
    expect(cusumInControlRunLength()).toBeGreaterThan(1e9);
    let errorAlarms = 0;
    for (const seed of [1, 2, 3, 4, 5]) {
      const random = createRng(seed);
      const errors = new BatchCusum({ minimumStandardDeviation: 0.14, batchSize: 50 });
      const latency = new BatchCusum();
      let alarms = 0;
      for (let index = 0; index < 100_000; index += 1) {
        if (errors.observe(random.next() < 0.05 ? 1 : 0) !== null) errorAlarms += 1;
        if (latency.observe(8 + 0.5 * normal(random)) !== null) alarms += 1;
      }
      expect(alarms).toBe(0);
    }
    // Rare 0/1 events make skewed batch means: about one false alarm per million observations (measured).
    expect(errorAlarms).toBeLessThanOrEqual(1);
  });

  it('detects a success rate falling from 80 % to 50 % within a few batches, and the way back after a new warm-up', () => {
    const random = createRng(7);
    const detector = new BatchCusum({ minimumStandardDeviation: 0.14 });
    const alarms: { at: number; direction: string; changedMean: number }[] = [];
    for (let index = 0; index < 3_000; index += 1) {
      const rate = index < 1_000 ? 0.8 : index < 2_000 ? 0.5 : 0.8;
      const alarm = detector.observe(random.next() < rate ? 1 : 0);
      if (alarm !== null) alarms.push({ at: index, direction: alarm.direction, changedMean: alarm.changedMean });
    }
    expect(alarms.map((alarm) => alarm.direction)).toEqual(['down', 'up']);
    expect(alarms[0]!.at - 1_000).toBeLessThan(300);
    expect(alarms[0]!.changedMean).toBeLessThan(0.65);
    expect(alarms[1]!.at - 2_000).toBeLessThan(300);
  });

  it('detects a latency increase of half a standard deviation per call soon after the change', () => {
    const random = createRng(9);
    const detector = new BatchCusum();
    let detectedAt = -1;
    for (let index = 0; index < 4_000 && detectedAt < 0; index += 1) {
      const alarm = detector.observe((index < 1_000 ? 8 : 8.25) + 0.5 * normal(random));
      if (alarm !== null) {
        expect(alarm.direction).toBe('up');
        detectedAt = index;
      }
    }
    expect(detectedAt).toBeGreaterThan(1_000);
    expect(detectedAt - 1_000).toBeLessThan(400);
  });

  it('refuses nonsensical settings and ignores non-finite observations', () => {
    expect(() => new BatchCusum({ batchSize: 0 })).toThrow(RangeError);
    expect(() => new BatchCusum({ warmupBatches: 1 })).toThrow(RangeError);
    const detector = new BatchCusum({ batchSize: 2, warmupBatches: 2 });
    expect(detector.observe(Number.NaN)).toBeNull();
    for (const value of [1, 2, 1, 2]) detector.observe(value);
    expect(detector.baseline!.mean).toBe(1.5);
  });
});
