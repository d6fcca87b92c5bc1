import type * as tf from '@tensorflow/tfjs';
import { ModelArtifactError } from '@orchestra/learning-policy';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import { loadTensorflow } from './load-tensorflow';

/**
 * Builds a tfjs `Sequential` of `Dense` layers holding exactly `layers`' weights (the tfjs kernel layout is the same
 * row-major `[inputSize][outputSize]`, so nothing is transposed). Layers are named `<name>_dense_<index>`, so the
 * saved weight names (`actor_dense_0/kernel`, …) are stable. The caller owns the model (call `dispose()`).
 * Imports tfjs on first use.
 */
export async function createTfjsDenseModel(layers: readonly DenseLayerWeights[], name: string): Promise<tf.Sequential> {
  const tf = await loadTensorflow();
  if (layers.length === 0) throw new RangeError('createTfjsDenseModel: layers must not be empty');
  const model = tf.sequential({ name });
  layers.forEach((layer, index) => {
    model.add(
      tf.layers.dense({
        units: layer.outputSize,
        activation: layer.activation,
        useBias: true,
        name: `${name}_dense_${index}`,
        ...(index === 0 ? { inputShape: [layer.inputSize] } : {}),
      }),
    );
  });
  const tensors = layers.flatMap((layer) => [tf.tensor2d(layer.kernel, [layer.inputSize, layer.outputSize]), tf.tensor1d(layer.bias)]);
  try {
    model.setWeights(tensors);
  } finally {
    for (const tensor of tensors) tensor.dispose();
  }
  return model;
}

/**
 * Reads the dense layers back out of a tfjs model made only of `Dense` layers with a ReLU or linear activation
 * (as `createTfjsDenseModel` builds and `loadTfjsLayersModel` loads). Throws `ModelArtifactError` (`corrupt`) for any
 * other architecture, so a foreign model.json cannot be mistaken for a policy network.
 */
export function denseLayersFromTfjsModel(model: tf.LayersModel, location = 'model.json'): DenseLayerWeights[] {
  return model.layers.map((layer, index) => {
    const config = layer.getConfig() as { activation?: unknown; useBias?: unknown; units?: unknown };
    const className = layer.getClassName();
    if (className !== 'Dense' || (config.activation !== 'relu' && config.activation !== 'linear') || config.useBias !== true) {
      throw new ModelArtifactError({
        reason: 'corrupt',
        location: `${location}#layers.${index}`,
        message: `expected a Dense layer with bias and a relu or linear activation, found ${className} (${String(config.activation)})`,
      });
    }
    const [kernelTensor, biasTensor] = layer.getWeights();
    const kernel = kernelTensor!.dataSync() as Float32Array;
    const bias = biasTensor!.dataSync() as Float32Array;
    const [inputSize, outputSize] = kernelTensor!.shape as [number, number];
    return { inputSize, outputSize, kernel: Float32Array.from(kernel), bias: Float32Array.from(bias), activation: config.activation };
  });
}
