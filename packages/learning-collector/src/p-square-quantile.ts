/**
 * Streaming estimate of one quantile in O(1) memory: the P² algorithm (Jain & Chlamtac, "The P² algorithm for
 * dynamic calculation of quantiles and histograms without storing observations", CACM 28(10), 1985). Five markers
 * track the minimum, p/2, p, (1+p)/2 and the maximum; their heights are adjusted with a piecewise-parabolic
 * formula as observations arrive. Exact for up to five observations.
 */
export class PSquareQuantile {
  /** Marker heights. */
  private readonly heights = new Float64Array(5);
  /** Actual marker positions (1-based ranks). */
  private readonly positions = new Float64Array(5);
  /** Desired marker positions. */
  private readonly desired = new Float64Array(5);
  /** Increments of the desired positions per observation. */
  private readonly increments: Float64Array;
  private observations = 0;

  /** @param quantile the quantile to track, in (0, 1), e.g. 0.95. */
  constructor(readonly quantile: number) {
    if (!(quantile > 0 && quantile < 1)) throw new RangeError(`quantile must be in (0, 1), got ${quantile}`);
    this.increments = Float64Array.from([0, quantile / 2, quantile, (1 + quantile) / 2, 1]);
  }

  /** Number of observations so far. */
  get count(): number {
    return this.observations;
  }

  /** Adds one observation (non-finite values are ignored). */
  add(value: number): void {
    if (!Number.isFinite(value)) return;
    const heights = this.heights;
    const positions = this.positions;
    if (this.observations < 5) {
      heights[this.observations] = value;
      this.observations += 1;
      if (this.observations === 5) {
        heights.sort();
        const quantile = this.quantile;
        for (let marker = 0; marker < 5; marker += 1) positions[marker] = marker + 1;
        this.desired.set([1, 1 + 2 * quantile, 1 + 4 * quantile, 3 + 2 * quantile, 5]);
      }
      return;
    }
    this.observations += 1;
    let cell: number;
    if (value < heights[0]!) {
      heights[0] = value;
      cell = 0;
    } else if (value >= heights[4]!) {
      if (value > heights[4]!) heights[4] = value;
      cell = 3;
    } else {
      cell = 0;
      while (cell < 3 && value >= heights[cell + 1]!) cell += 1;
    }
    for (let marker = cell + 1; marker < 5; marker += 1) positions[marker] = positions[marker]! + 1;
    for (let marker = 0; marker < 5; marker += 1) this.desired[marker] = this.desired[marker]! + this.increments[marker]!;
    for (let marker = 1; marker <= 3; marker += 1) {
      const offset = this.desired[marker]! - positions[marker]!;
      const right = positions[marker + 1]! - positions[marker]!;
      const left = positions[marker - 1]! - positions[marker]!;
      if ((offset >= 1 && right > 1) || (offset <= -1 && left < -1)) {
        const step = offset >= 0 ? 1 : -1;
        const candidate = this.parabolic(marker, step);
        heights[marker] =
          heights[marker - 1]! < candidate && candidate < heights[marker + 1]! ? candidate : this.linear(marker, step);
        positions[marker] = positions[marker]! + step;
      }
    }
  }

  private parabolic(marker: number, step: number): number {
    const heights = this.heights;
    const positions = this.positions;
    const below = positions[marker - 1]!;
    const at = positions[marker]!;
    const above = positions[marker + 1]!;
    return (
      heights[marker]! +
      (step / (above - below)) *
        ((at - below + step) * ((heights[marker + 1]! - heights[marker]!) / (above - at)) +
          (above - at - step) * ((heights[marker]! - heights[marker - 1]!) / (at - below)))
    );
  }

  private linear(marker: number, step: number): number {
    const neighbour = marker + step;
    return (
      this.heights[marker]! +
      (step * (this.heights[neighbour]! - this.heights[marker]!)) / (this.positions[neighbour]! - this.positions[marker]!)
    );
  }

  /** The current estimate; `null` before any observation. With ≤ 5 observations, the exact (interpolated) value. */
  value(): number | null {
    if (this.observations === 0) return null;
    if (this.observations < 5) {
      const sorted = Array.from(this.heights.subarray(0, this.observations)).sort((left, right) => left - right);
      const rank = this.quantile * (sorted.length - 1);
      const lower = Math.floor(rank);
      const upper = Math.min(lower + 1, sorted.length - 1);
      return sorted[lower]! + (rank - lower) * (sorted[upper]! - sorted[lower]!);
    }
    return this.heights[2]!;
  }
}
