import type { Activation, DenseLayer } from '@orchestra/learning-policy';

/** Activation of a dense layer: the policy package's (the format the runtime serves). */
export type DenseActivation = Activation;

/**
 * One dense layer in a neutral, framework-free form: `output = activation(input · kernel + bias)`, `kernel` row-major
 * `[inputSize][outputSize]` (the layout of a tfjs `Dense` kernel, so the artifact writer stores it without
 * transposing). The policy package's `DenseLayer`, under the name the trainer's API has always used.
 */
export type DenseLayerWeights = DenseLayer;
