/** Options of `BatchCusum` (defaults in parentheses). */
export interface BatchCusumOptions {
  /** Observations averaged into one batch mean (20): batch means are close to normal even for 0/1 observations. */
  batchSize?: number;
  /** Batches whose observations estimate the in-control mean and standard deviation (20). */
  warmupBatches?: number;
  /** Slack k, in standard deviations of a batch mean (1): shifts below it are not accumulated. */
  slack?: number;
  /** Decision threshold h, in standard deviations of a batch mean (10). */
  threshold?: number;
  /** Floor of the per-observation standard deviation (0): keeps a near-constant warm-up from alarming on noise. */
  minimumStandardDeviation?: number;
}

/** A change `BatchCusum` detected. */
export interface CusumAlarm {
  direction: 'up' | 'down';
  /** In-control mean (estimated in the warm-up) and the mean of the batches since the statistic last left 0. */
  baselineMean: number;
  changedMean: number;
  /** Observations seen by this detector when it alarmed. */
  observations: number;
}

/**
 * In-control average run length (batches until a false alarm, per side) of a CUSUM with slack `k` and threshold
 * `h` on normal batch means with known parameters, by Siegmund's approximation: (e^{2kh'} − 2kh' − 1) / (2k²),
 * h' = h + 1.166. With the defaults (k = 1, h = 10) about 2.5 · 10⁹ batches. The mean and deviation are estimated
 * in the warm-up, which shortens it a great deal; measured (`batch-cusum.test.ts`, 20 seeds × 100,000
 * observations): no false alarm on normal observations, 2 on 0/1 observations at a 5 % rate in batches of 50 —
 * about one per million observations.
 */
export function cusumInControlRunLength(slack = 1, threshold = 10): number {
  const corrected = threshold + 1.166;
  const exponent = 2 * slack * corrected;
  return (Math.exp(exponent) - exponent - 1) / (2 * slack * slack);
}

/**
 * Page's two-sided CUSUM on batch means: the first `warmupBatches` batches estimate the in-control mean μ₀ and
 * standard deviation σ of one observation; then every batch mean b moves S⁺ = max(0, S⁺ + z − k) and
 * S⁻ = max(0, S⁻ − z − k) with z = (b − μ₀) / (σ / √batchSize). An alarm is raised when either passes h; the
 * detector then starts a new warm-up, so the new level becomes the reference (and a later change back is
 * detected too). Deterministic: no randomness, no clock.
 */
export class BatchCusum {
  readonly batchSize: number;
  readonly warmupBatches: number;
  readonly slack: number;
  readonly threshold: number;
  readonly minimumStandardDeviation: number;
  #warmCount = 0;
  #warmMean = 0;
  #warmSquares = 0;
  #baseline: { mean: number; batchDeviation: number } | null = null;
  #batchSum = 0;
  #batchCount = 0;
  #up = 0;
  #down = 0;
  #upSum = 0;
  #upBatches = 0;
  #downSum = 0;
  #downBatches = 0;
  #observations = 0;

  constructor(options: BatchCusumOptions = {}) {
    this.batchSize = options.batchSize ?? 20;
    this.warmupBatches = options.warmupBatches ?? 20;
    this.slack = options.slack ?? 1;
    this.threshold = options.threshold ?? 10;
    this.minimumStandardDeviation = options.minimumStandardDeviation ?? 0;
    if (!(Number.isInteger(this.batchSize) && this.batchSize > 0)) throw new RangeError('batchSize must be a positive integer');
    if (!(Number.isInteger(this.warmupBatches) && this.warmupBatches >= 2)) throw new RangeError('warmupBatches must be an integer ≥ 2');
    if (!(this.slack >= 0) || !(this.threshold > 0)) throw new RangeError('slack must be ≥ 0 and threshold > 0');
  }

  /** The in-control reference, or null during a warm-up. */
  get baseline(): { mean: number; standardDeviation: number } | null {
    return this.#baseline === null ? null : { mean: this.#baseline.mean, standardDeviation: this.#baseline.batchDeviation * Math.sqrt(this.batchSize) };
  }

  /** The two statistics (S⁺, S⁻), in batch standard deviations. */
  get statistics(): { up: number; down: number } {
    return { up: this.#up, down: this.#down };
  }

  /** Adds one observation; returns the alarm when it completes a batch that crosses the threshold. */
  observe(value: number): CusumAlarm | null {
    if (!Number.isFinite(value)) return null;
    this.#observations += 1;
    if (this.#baseline === null) {
      // Welford's running mean and sum of squares.
      this.#warmCount += 1;
      const delta = value - this.#warmMean;
      this.#warmMean += delta / this.#warmCount;
      this.#warmSquares += delta * (value - this.#warmMean);
      if (this.#warmCount === this.warmupBatches * this.batchSize) {
        const deviation = Math.max(Math.sqrt(this.#warmSquares / (this.#warmCount - 1)), this.minimumStandardDeviation, Number.EPSILON);
        this.#baseline = { mean: this.#warmMean, batchDeviation: deviation / Math.sqrt(this.batchSize) };
      }
      return null;
    }
    this.#batchSum += value;
    this.#batchCount += 1;
    if (this.#batchCount < this.batchSize) return null;
    const batchMean = this.#batchSum / this.#batchCount;
    this.#batchSum = 0;
    this.#batchCount = 0;
    const z = (batchMean - this.#baseline.mean) / this.#baseline.batchDeviation;
    this.#up = Math.max(0, this.#up + z - this.slack);
    this.#down = Math.max(0, this.#down - z - this.slack);
    if (this.#up === 0) [this.#upSum, this.#upBatches] = [0, 0];
    else [this.#upSum, this.#upBatches] = [this.#upSum + batchMean, this.#upBatches + 1];
    if (this.#down === 0) [this.#downSum, this.#downBatches] = [0, 0];
    else [this.#downSum, this.#downBatches] = [this.#downSum + batchMean, this.#downBatches + 1];
    const direction = this.#up > this.threshold ? 'up' : this.#down > this.threshold ? 'down' : null;
    if (direction === null) return null;
    const alarm: CusumAlarm = {
      direction,
      baselineMean: this.#baseline.mean,
      changedMean: direction === 'up' ? this.#upSum / this.#upBatches : this.#downSum / this.#downBatches,
      observations: this.#observations,
    };
    this.restart();
    return alarm;
  }

  /** Forgets the reference and starts a new warm-up (after an alarm, or when what is observed changed on purpose). */
  restart(): void {
    this.#baseline = null;
    this.#warmCount = 0;
    this.#warmMean = 0;
    this.#warmSquares = 0;
    this.#batchSum = 0;
    this.#batchCount = 0;
    this.#up = 0;
    this.#down = 0;
    this.#upSum = 0;
    this.#upBatches = 0;
    this.#downSum = 0;
    this.#downBatches = 0;
  }
}
