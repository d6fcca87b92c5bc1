/**
 * The demo's clock: simulated time that starts at a fixed instant and advances by each simulated session's own
 * duration (one orchestrator running the sessions one after another). Experience timestamps, and through them the
 * time-decayed history features every policy reads, come from this clock, so what the demo decides never depends on
 * the wall clock, the machine's load or how long a training took.
 */
export class SimulatedClock {
  /** Where every demo run starts (2026-01-01T00:00:00Z): the same timestamps on every run of a seed. */
  static readonly defaultStartMs = Date.UTC(2026, 0, 1);

  #nowMs: number;

  constructor(startMs: number = SimulatedClock.defaultStartMs) {
    if (!Number.isFinite(startMs)) throw new RangeError(`SimulatedClock: startMs must be finite, got ${startMs}`);
    this.#nowMs = startMs;
  }

  /** Current simulated time in milliseconds since the epoch. */
  now(): number {
    return this.#nowMs;
  }

  /** Moves the clock forward by `milliseconds` (a session's duration; negative or non-finite values are refused). */
  advance(milliseconds: number): void {
    if (!(milliseconds >= 0) || !Number.isFinite(milliseconds)) throw new RangeError(`SimulatedClock: cannot advance by ${milliseconds} ms`);
    this.#nowMs += milliseconds;
  }

  /** `now` bound to this clock (what `createLearning({ clock })` takes). */
  readonly read = (): number => this.#nowMs;
}
