import { describe, expect, it } from 'vitest';
import { FeatureSchemaMismatchError } from './errors';
import { defaultFeatureSchema } from './feature-schema';
import { Normalizer } from './normalizer';
import { createRng } from './random';

function sampleVectors(count: number, seed: number): Float32Array[] {
  const random = createRng(seed);
  return Array.from({ length: count }, () => Float32Array.from([random.next() * 10 + 5, random.next() > 0.5 ? 1 : 0, 3]));
}

describe('Normalizer', () => {
  it('matches the two-pass mean and variance (Welford)', () => {
    const vectors = sampleVectors(500, 3);
    const normalizer = new Normalizer(3).fit(vectors);
    const mean = vectors.reduce((sum, vector) => sum + vector[0]!, 0) / vectors.length;
    const variance = vectors.reduce((sum, vector) => sum + (vector[0]! - mean) ** 2, 0) / vectors.length;
    expect(normalizer.means()[0]).toBeCloseTo(mean, 6);
    expect(normalizer.variances()[0]).toBeCloseTo(variance, 6);
    expect(normalizer.sampleCount).toBe(500);
  });

  it('standardises to zero mean and unit variance, mapping constant positions to 0', () => {
    const vectors = sampleVectors(400, 5);
    const normalizer = new Normalizer(3).fit(vectors);
    const transformed = vectors.map((vector) => normalizer.transform(vector));
    const mean = transformed.reduce((sum, vector) => sum + vector[0]!, 0) / transformed.length;
    const variance = transformed.reduce((sum, vector) => sum + vector[0]! ** 2, 0) / transformed.length;
    expect(mean).toBeCloseTo(0, 4);
    expect(variance).toBeCloseTo(1, 3);
    expect(transformed[0]![2]).toBe(0);
    const back = normalizer.inverseTransform(transformed[7]!);
    expect(back[0]).toBeCloseTo(vectors[7]![0]!, 4);
  });

  it('only centres positions that were constant in training, so unseen one-hots stay small', () => {
    const normalizer = new Normalizer(2).fit([
      [0, 1],
      [0, 3],
    ]);
    expect(Array.from(normalizer.transform([1, 3]))).toEqual([1, 1]);
  });

  it('passes values through before any data and clips when asked', () => {
    expect(Array.from(new Normalizer(2).transform([3, -4]))).toEqual([3, -4]);
    const clipped = new Normalizer(1, { clip: 2 }).fit([[0], [1], [0], [1]]);
    expect(clipped.transform([100])[0]).toBe(2);
  });

  it('round-trips through JSON exactly and transforms in place', () => {
    const normalizer = new Normalizer(3, { featureSchemaHash: 'abc', clip: 5 }).fit(sampleVectors(50, 9));
    const restored = Normalizer.fromJSON(JSON.parse(JSON.stringify(normalizer.toJSON())));
    expect(restored.toJSON()).toEqual(normalizer.toJSON());
    const input = Float32Array.from([7, 1, 3]);
    const expected = Array.from(normalizer.transform(input));
    expect(Array.from(restored.transform(input, input))).toEqual(expected);
  });

  it('validates JSON and sizes, and refuses another feature schema', () => {
    expect(() => Normalizer.fromJSON({ version: 1, kind: 'running-mean-variance', size: 2, count: 1, mean: [0], sumOfSquares: [0, 0], epsilon: 1e-8, clip: null, featureSchemaHash: null })).toThrow(/Invalid Normalizer: mean/u);
    expect(() => new Normalizer(3).update([1, 2])).toThrow(RangeError);
    const normalizer = new Normalizer(defaultFeatureSchema.size, { featureSchemaHash: 'other' });
    expect(() => normalizer.assertSchema(defaultFeatureSchema)).toThrow(FeatureSchemaMismatchError);
    expect(() => new Normalizer(defaultFeatureSchema.size, { featureSchemaHash: defaultFeatureSchema.hash }).assertSchema(defaultFeatureSchema)).not.toThrow();
  });
});
