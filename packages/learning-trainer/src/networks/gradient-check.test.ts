import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { DenseLayerWeights } from './dense-layer-weights';
import { headOffsets, policyLossAndGradient } from './factorised-policy';
import { MultilayerPerceptron } from './multilayer-perceptron';
import { SeededRandom } from './seeded-random';

/** Builds the same network in tfjs from neutral weights; returns its variables and a forward function. */
function tfjsNetwork(layers: DenseLayerWeights[]) {
  const variables = layers.map((layer) => ({
    kernel: tf.variable(tf.tensor2d(layer.kernel, [layer.inputSize, layer.outputSize])),
    bias: tf.variable(tf.tensor1d(layer.bias)),
    relu: layer.activation === 'relu',
  }));
  const forward = (input: tf.Tensor2D) =>
    variables.reduce<tf.Tensor2D>((current, layer) => {
      const linear = tf.add(tf.matMul(current, layer.kernel), layer.bias) as tf.Tensor2D;
      return layer.relu ? tf.relu(linear) : linear;
    }, input);
  return { variables, forward };
}

function maximumDifference(ours: DenseLayerWeights[], theirs: tf.Tensor[]): { difference: number; scale: number } {
  let difference = 0;
  let scale = 0;
  ours.forEach((layer, index) => {
    for (const [mine, other] of [
      [layer.kernel, theirs[2 * index]!.dataSync()],
      [layer.bias, theirs[2 * index + 1]!.dataSync()],
    ] as const) {
      for (let offset = 0; offset < mine.length; offset++) {
        difference = Math.max(difference, Math.abs(mine[offset]! - other[offset]!));
        scale = Math.max(scale, Math.abs(other[offset]!));
      }
    }
  });
  return { difference, scale };
}

describe.each(['wasm-simd', 'typescript'] as const)('hand-written backpropagation (%s kernels) against tfjs gradients', (backend) => {
  it('matches the gradient of a masked, factorised policy-gradient loss with entropy bonus', () => {
    tf.setBackend('cpu');
    const sizes = [3, 2, 4];
    const { offsets, totalLogits } = headOffsets({ sizes });
    const network = new MultilayerPerceptron({ inputSize: 6, hiddenSizes: [16, 8], outputSize: totalLogits, seed: 3, backend });
    const batch = 7;
    const random = new SeededRandom(11);
    const input = network.input(batch);
    for (let offset = 0; offset < input.length; offset++) input[offset] = random.gaussian();
    const inputCopy = Float32Array.from(input);
    const actions = new Int32Array(batch * sizes.length);
    const active = new Uint8Array(batch * sizes.length).fill(1);
    const masks = new Uint8Array(batch * totalLogits).fill(1);
    const coefficients = new Float64Array(batch);
    for (let row = 0; row < batch; row++) {
      masks[row * totalLogits + offsets[2]! + 3] = 0; // the last choice of head 2 is invalid
      sizes.forEach((size, head) => {
        actions[row * sizes.length + head] = head === 2 ? random.integer(size - 1) : random.integer(size);
      });
      active[row * sizes.length + 1] = row % 2; // head 1 inactive on even rows
      coefficients[row] = random.gaussian();
    }
    const entropyCoefficient = 0.05;
    const logits = network.forward(batch);
    const gradient = network.outputGradient(batch);
    const result = policyLossAndGradient({ sizes }, logits, { batch, actions, active, masks }, coefficients, entropyCoefficient, gradient);
    network.backward(batch);

    const reference = tfjsNetwork(network.getWeights());
    const maskPenalty = tf.tensor2d(Array.from(masks, (valid) => (valid ? 0 : -1e9)), [batch, totalLogits]);
    const lossFunction = () =>
      tf.tidy(() => {
        const output = tf.add(reference.forward(tf.tensor2d(inputCopy, [batch, 6])), maskPenalty) as tf.Tensor2D;
        let total: tf.Tensor = tf.scalar(0);
        sizes.forEach((size, head) => {
          const block = output.slice([0, offsets[head]!], [batch, size]);
          const logProbabilities = tf.logSoftmax(block);
          const probabilities = tf.softmax(block);
          const chosen = tf.oneHot(tf.tensor1d(Array.from({ length: batch }, (_, row) => actions[row * sizes.length + head]!), 'int32'), size);
          const activeColumn = tf.tensor1d(Array.from({ length: batch }, (_, row) => active[row * sizes.length + head]!));
          const chosenLogProbability = tf.sum(tf.mul(chosen, logProbabilities), 1);
          const entropy = tf.neg(tf.sum(tf.mul(probabilities, tf.maximum(logProbabilities, -1e4)), 1));
          const perRow = tf.sub(tf.mul(tf.neg(tf.tensor1d(Array.from(coefficients))), chosenLogProbability), tf.mul(entropyCoefficient, entropy));
          total = tf.add(total, tf.mean(tf.mul(perRow, activeColumn)));
        });
        return total as tf.Scalar;
      });
    const variables = reference.variables.flatMap((layer) => [layer.kernel, layer.bias]);
    const { value, grads } = tf.variableGrads(lossFunction, variables);
    expect(result.loss).toBeCloseTo(value.dataSync()[0]!, 4);
    const { difference, scale } = maximumDifference(
      network.getGradients(),
      variables.map((variable) => grads[variable.name]!),
    );
    expect(scale).toBeGreaterThan(1e-3);
    expect(difference).toBeLessThan(1e-4 * Math.max(1, scale));
    tf.dispose([value, maskPenalty, ...Object.values(grads), ...variables]);
  });

  it('matches the gradient of the critic mean-squared error for the seed-size [256, 128] network at batch 128', () => {
    tf.setBackend('cpu');
    const batch = 128;
    const network = new MultilayerPerceptron({ inputSize: 4, hiddenSizes: [256, 128], outputSize: 1, seed: 5, backend });
    const random = new SeededRandom(2);
    const input = network.input(batch);
    for (let offset = 0; offset < input.length; offset++) input[offset] = random.gaussian();
    const inputCopy = Float32Array.from(input);
    const targets = Float32Array.from({ length: batch }, () => random.gaussian() * 3);
    const valueCoefficient = 0.5;
    const values = network.forward(batch);
    const gradient = network.outputGradient(batch);
    for (let row = 0; row < batch; row++) gradient[row] = (valueCoefficient * 2 * (values[row]! - targets[row]!)) / batch;
    network.backward(batch);

    const reference = tfjsNetwork(network.getWeights());
    const variables = reference.variables.flatMap((layer) => [layer.kernel, layer.bias]);
    const { value, grads } = tf.variableGrads(
      () =>
        tf.tidy(() =>
          tf.mul(valueCoefficient, tf.mean(tf.square(tf.sub(reference.forward(tf.tensor2d(inputCopy, [batch, 4])).reshape([batch]), tf.tensor1d(targets))))),
        ) as tf.Scalar,
      variables,
    );
    const { difference, scale } = maximumDifference(
      network.getGradients(),
      variables.map((variable) => grads[variable.name]!),
    );
    expect(scale).toBeGreaterThan(1e-3);
    expect(difference).toBeLessThan(1e-4 * Math.max(1, scale));
    tf.dispose([value, ...Object.values(grads), ...variables]);
  });

  it('takes the same Adam steps as tf.train.adam (gradients scaled as clipping does)', () => {
    tf.setBackend('cpu');
    const network = new MultilayerPerceptron({ inputSize: 5, hiddenSizes: [12], outputSize: 3, seed: 8, backend });
    const reference = tfjsNetwork(network.getWeights());
    const variables = reference.variables.flatMap((layer) => [layer.kernel, layer.bias]);
    const optimizer = tf.train.adam(0.01, 0.9, 0.999, 1e-8);
    const random = new SeededRandom(4);
    for (let step = 0; step < 3; step++) {
      const batch = 6;
      const input = network.input(batch);
      for (let offset = 0; offset < input.length; offset++) input[offset] = random.gaussian();
      const inputCopy = Float32Array.from(input);
      network.forward(batch);
      network.outputGradient(batch).fill(0.3);
      network.backward(batch);
      network.applyAdam(0.01, 0.9, 0.999, 1e-8, 0.5);
      // d(0.5 · 0.3 · Σ outputs)/d(outputs) = 0.15 = 0.5 × the gradient fed to our network: the clipping scale.
      optimizer.minimize(() => tf.mul(0.15, tf.sum(reference.forward(tf.tensor2d(inputCopy, [batch, 5])))) as tf.Scalar, false, variables);
    }
    const { difference } = maximumDifference(network.getWeights(), variables);
    expect(difference).toBeLessThan(1e-5);
    tf.dispose(variables);
  });
});
