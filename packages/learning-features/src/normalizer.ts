import { ValidationError, validate } from '@orchestra/learning-types';
import { z } from 'zod';
import { FeatureSchemaMismatchError } from './errors';

/** Below this variance a position is treated as constant: centred, not scaled. */
export const MINIMUM_VARIANCE = 1e-6;

/** Version of the normaliser JSON. */
export const NORMALIZER_VERSION = 1;

/** JSON form of a `Normalizer` (stored next to a model's weights). */
export const normalizerJsonSchema = z
  .object({
    version: z.literal(NORMALIZER_VERSION),
    kind: z.literal('running-mean-variance'),
    size: z.number().int().positive(),
    /** Total weight seen (number of vectors when unweighted). */
    count: z.number().finite().nonnegative(),
    mean: z.array(z.number().finite()),
    /** Sum of squared deviations from the mean, per position (Welford's M2). */
    sumOfSquares: z.array(z.number().finite().nonnegative()),
    epsilon: z.number().positive(),
    clip: z.number().positive().nullable(),
    featureSchemaHash: z.string().min(1).nullable(),
  })
  .refine((json) => json.mean.length === json.size && json.sumOfSquares.length === json.size, {
    message: 'mean and sumOfSquares must have `size` entries',
    path: ['mean'],
  });
/** JSON form of a `Normalizer`. */
export type NormalizerJson = z.infer<typeof normalizerJsonSchema>;

/** Options of a `Normalizer`. */
export interface NormalizerOptions {
  /** Added to the variance before the square root (numerical safety). Default 1e-8. */
  epsilon?: number;
  /** Clip standardised values to [-clip, clip]; `null` (default) for no clipping. */
  clip?: number | null;
  /** Hash of the feature schema this normaliser is fitted for; `transform` cannot check it, `assertSchema` does. */
  featureSchemaHash?: string | null;
}

/**
 * Running per-position mean and variance (Welford's algorithm: numerically stable, O(size) per update), and the
 * standardisation `(x - mean) / sqrt(variance + epsilon)` (positions with variance ≤ `MINIMUM_VARIANCE` are only
 * centred, so a one-hot never set in training cannot explode at serving time). Fit it on the training experiences' feature vectors and
 * store its JSON with the model, so serving standardises exactly as training did. Before any data (count 0) it
 * passes values through unchanged.
 */
export class Normalizer {
  /** Number of positions. */
  readonly size: number;
  readonly epsilon: number;
  readonly clip: number | null;
  readonly featureSchemaHash: string | null;
  private count = 0;
  private readonly mean: Float64Array;
  private readonly sumOfSquares: Float64Array;
  /** 1 / standard deviation per position, refreshed lazily after updates. */
  private readonly inverseDeviation: Float64Array;
  private stale = true;

  constructor(size: number, options: NormalizerOptions = {}) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Normalizer: size must be a positive integer, got ${size}`);
    this.size = size;
    this.epsilon = options.epsilon ?? 1e-8;
    this.clip = options.clip ?? null;
    this.featureSchemaHash = options.featureSchemaHash ?? null;
    this.mean = new Float64Array(size);
    this.sumOfSquares = new Float64Array(size);
    this.inverseDeviation = new Float64Array(size).fill(1);
  }

  /** Total weight of the vectors seen. */
  get sampleCount(): number {
    return this.count;
  }

  /** Per-position mean (a copy). */
  means(): Float64Array {
    return Float64Array.from(this.mean);
  }

  /** Per-position population variance (a copy; zeros before any data). */
  variances(): Float64Array {
    const result = new Float64Array(this.size);
    if (this.count > 0) for (let index = 0; index < this.size; index += 1) result[index] = this.sumOfSquares[index]! / this.count;
    return result;
  }

  /** Adds one vector (with an optional positive weight) to the running statistics. */
  update(vector: ArrayLike<number>, weight = 1): this {
    if (vector.length !== this.size) throw new RangeError(`Normalizer.update: expected ${this.size} values, got ${vector.length}`);
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RangeError(`Normalizer.update: weight must be positive, got ${weight}`);
    const newCount = this.count + weight;
    for (let index = 0; index < this.size; index += 1) {
      const value = vector[index]!;
      const delta = value - this.mean[index]!;
      const mean = this.mean[index]! + (delta * weight) / newCount;
      this.mean[index] = mean;
      this.sumOfSquares[index] = this.sumOfSquares[index]! + weight * delta * (value - mean);
    }
    this.count = newCount;
    this.stale = true;
    return this;
  }

  /** Resets and fits on `vectors`. */
  fit(vectors: Iterable<ArrayLike<number>>): this {
    this.count = 0;
    this.mean.fill(0);
    this.sumOfSquares.fill(0);
    for (const vector of vectors) this.update(vector);
    this.stale = true;
    return this;
  }

  private refresh(): void {
    for (let index = 0; index < this.size; index += 1) {
      const variance = this.count > 0 ? this.sumOfSquares[index]! / this.count : 1;
      // A position (almost) constant in the data — e.g. a task type never seen in training — is only centred:
      // dividing by a tiny deviation would turn its first unseen value into a huge input at serving time.
      this.inverseDeviation[index] = variance > MINIMUM_VARIANCE ? 1 / Math.sqrt(variance + this.epsilon) : 1;
    }
    if (this.count === 0) this.inverseDeviation.fill(1);
    this.stale = false;
  }

  /** Writes the standardised `input` into `out` (allocated when omitted; may be `input` itself) and returns it. */
  transform(input: ArrayLike<number>, out: Float32Array = new Float32Array(this.size)): Float32Array {
    if (input.length < this.size || out.length < this.size) {
      throw new RangeError(`Normalizer.transform: expected ${this.size} values (input ${input.length}, out ${out.length})`);
    }
    if (this.stale) this.refresh();
    const clip = this.clip;
    for (let index = 0; index < this.size; index += 1) {
      let value = (input[index]! - this.mean[index]!) * this.inverseDeviation[index]!;
      if (clip !== null) value = value > clip ? clip : value < -clip ? -clip : value;
      out[index] = value;
    }
    return out;
  }

  /** Inverse of `transform` (without clipping): original-scale values into `out`. */
  inverseTransform(input: ArrayLike<number>, out: Float32Array = new Float32Array(this.size)): Float32Array {
    if (this.stale) this.refresh();
    for (let index = 0; index < this.size; index += 1) out[index] = input[index]! / this.inverseDeviation[index]! + this.mean[index]!;
    return out;
  }

  /** Throws `FeatureSchemaMismatchError` when this normaliser was fitted for another feature schema. */
  assertSchema(schema: { hash: string; size: number }): void {
    if ((this.featureSchemaHash !== null && this.featureSchemaHash !== schema.hash) || schema.size !== this.size) {
      throw new FeatureSchemaMismatchError({
        expectedHash: this.featureSchemaHash ?? '(unrecorded)',
        actualHash: schema.hash,
        expectedSize: this.size,
        actualSize: schema.size,
        consumer: 'Normalizer',
      });
    }
  }

  /** JSON form (exact: float64 statistics survive the round trip). */
  toJSON(): NormalizerJson {
    return {
      version: NORMALIZER_VERSION,
      kind: 'running-mean-variance',
      size: this.size,
      count: this.count,
      mean: Array.from(this.mean),
      sumOfSquares: Array.from(this.sumOfSquares),
      epsilon: this.epsilon,
      clip: this.clip,
      featureSchemaHash: this.featureSchemaHash,
    };
  }

  /** Restores a normaliser from `toJSON()` output; throws `ValidationError` naming the bad field. */
  static fromJSON(json: unknown): Normalizer {
    const parsed = validate(normalizerJsonSchema, json, 'Normalizer');
    const normalizer = new Normalizer(parsed.size, {
      epsilon: parsed.epsilon,
      clip: parsed.clip,
      featureSchemaHash: parsed.featureSchemaHash,
    });
    normalizer.count = parsed.count;
    normalizer.mean.set(parsed.mean);
    normalizer.sumOfSquares.set(parsed.sumOfSquares);
    if (parsed.count === 0 && parsed.mean.some((value) => value !== 0)) {
      throw new ValidationError({ what: 'Normalizer', issues: [{ path: 'count', message: 'count 0 with a non-zero mean' }], value: json });
    }
    return normalizer;
  }
}
