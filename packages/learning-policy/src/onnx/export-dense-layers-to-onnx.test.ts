import { ValidationError } from '@orchestra/learning-types';
import * as onnxRuntime from 'onnxruntime-node';
import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { denseLayersForward } from '../artifact/dense-layers-forward';
import { createRandomDenseLayers as randomDenseLayers, createRandomInputs as randomInputs } from '../artifact/random-dense-network';
import { OnnxModelError } from '../errors/onnx-model-error';
import { exportDenseLayersToOnnx } from './export-dense-layers-to-onnx';
import { readOnnxModelSummary } from './read-onnx-model-summary';

async function runOnnx(model: Uint8Array, inputs: Float32Array, batch: number, inputSize: number): Promise<Float32Array> {
  const session = await onnxRuntime.InferenceSession.create(model);
  try {
    const result = await session.run({ features: new onnxRuntime.Tensor('float32', inputs, [batch, inputSize]) });
    const logits = result.logits!;
    expect(logits.dims[0]).toBe(batch);
    return logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('exportDenseLayersToOnnx', () => {
  // The seed's actor shape: features → 256 → 128 → logits.
  const inputSize = 61;
  const outputSize = 44;
  const layers = randomDenseLayers([inputSize, 256, 128, outputSize], 17);

  it('produces the same logits in onnxruntime as a plain forward pass, for any batch size', async () => {
    const model = exportDenseLayersToOnnx(layers);
    for (const batch of [1, 7, 64]) {
      const inputs = randomInputs(batch, inputSize, batch);
      const logits = await runOnnx(model, inputs, batch, inputSize);
      expect(logits.length).toBe(batch * outputSize);
      let largestDifference = 0;
      for (let row = 0; row < batch; row += 1) {
        const expected = denseLayersForward(layers, inputs.subarray(row * inputSize, (row + 1) * inputSize));
        for (let column = 0; column < outputSize; column += 1) {
          largestDifference = Math.max(largestDifference, Math.abs(expected[column]! - logits[row * outputSize + column]!));
        }
      }
      expect(largestDifference).toBeLessThan(1e-5);
    }
  });

  it('applies a ReLU on the last layer when the layer has one', async () => {
    const reluLast = randomDenseLayers([3, 4], 2).map((layer) => ({ ...layer, activation: 'relu' as const }));
    const inputs = randomInputs(5, 3, 9);
    const logits = await runOnnx(exportDenseLayersToOnnx(reluLast), inputs, 5, 3);
    expect(Math.min(...logits)).toBeGreaterThanOrEqual(0);
    for (let row = 0; row < 5; row += 1) {
      const expected = denseLayersForward(reluLast, inputs.subarray(row * 3, row * 3 + 3));
      for (let column = 0; column < 4; column += 1) expect(logits[row * 4 + column]).toBeCloseTo(expected[column]!, 5);
    }
  });

  it('declares opset 13, a named dynamic batch dimension and the policy manifest names', () => {
    const summary = readOnnxModelSummary(exportDenseLayersToOnnx(layers, { metadata: { featureSchemaHash: 'abc' }, producerName: '@orchestra/learning-trainer', producerVersion: '0.1.0' }));
    expect(summary).toMatchObject({
      irVersion: 7,
      opsetVersion: 13,
      producerName: '@orchestra/learning-trainer',
      graphName: 'actor',
      inputs: [{ name: 'features', elementType: 1, dimensions: ['batch', inputSize] }],
      outputs: [{ name: 'logits', elementType: 1, dimensions: ['batch', outputSize] }],
      operators: ['Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm'],
      metadata: { featureSchemaHash: 'abc' },
    });
    expect(summary.initializers[0]).toEqual({ name: 'layer0.kernel', dimensions: [inputSize, 256], byteLength: inputSize * 256 * 4 });
  });

  it('refuses layers that do not chain or hold the wrong number of weights', () => {
    const broken = randomDenseLayers([4, 3, 2], 1);
    expect(() => exportDenseLayersToOnnx([broken[0]!, { ...broken[1]!, inputSize: 5, kernel: new Float32Array(10) }])).toThrow(/previous layer/);
    expect(() => exportDenseLayersToOnnx([{ ...broken[0]!, bias: new Float32Array(2) }])).toThrow(ValidationError);
    expect(() => exportDenseLayersToOnnx([{ ...broken[0]!, kernel: new Float32Array(12).fill(Number.NaN) }])).toThrow(/finite/);
    expect(() => exportDenseLayersToOnnx([])).toThrow(ValidationError);
  });
});

describe('readOnnxModelSummary', () => {
  it('throws OnnxModelError, never a crash, on truncated or foreign bytes', () => {
    const model = exportDenseLayersToOnnx(randomDenseLayers([4, 3], 1));
    for (const bytes of [model.subarray(0, model.length - 7), new TextEncoder().encode('{"not":"onnx"}'), new Uint8Array(0), Uint8Array.from([0xff, 0xff, 0xff])]) {
      const caught = caughtError(() => readOnnxModelSummary(bytes));
      expect(OnnxModelError.isInstance(caught)).toBe(true);
    }
  });
});
