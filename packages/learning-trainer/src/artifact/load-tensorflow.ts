import type * as Tensorflow from '@tensorflow/tfjs';

let loading: Promise<typeof Tensorflow> | undefined;

/**
 * `@tensorflow/tfjs`, imported on first use. Importing tfjs costs about a second and prints a banner; only the tfjs
 * artifact paths need it, so importing this package does not pay for it.
 */
export function loadTensorflow(): Promise<typeof Tensorflow> {
  loading ??= import('@tensorflow/tfjs');
  return loading;
}
