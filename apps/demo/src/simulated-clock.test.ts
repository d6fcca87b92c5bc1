import { describe, expect, it } from 'vitest';
import { SimulatedClock } from './simulated-clock';

describe('SimulatedClock', () => {
  it('starts at a fixed instant and advances only when told', () => {
    const clock = new SimulatedClock();
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
    clock.advance(90_000);
    clock.advance(0);
    const { read } = clock;
    expect(read()).toBe(Date.UTC(2026, 0, 1) + 90_000);
  });

  it('refuses to go backwards or by a non-finite amount', () => {
    const clock = new SimulatedClock(0);
    expect(() => clock.advance(-1)).toThrow(RangeError);
    expect(() => clock.advance(Number.NaN)).toThrow(RangeError);
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => new SimulatedClock(Number.NaN)).toThrow(RangeError);
    expect(clock.now()).toBe(0);
  });
});
