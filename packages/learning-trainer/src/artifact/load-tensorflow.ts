import type * as Tensorflow from '@tensorflow/tfjs';

let loading: Promise<typeof Tensorflow> | undefined;

/**
 * `@tensorflow/tfjs`, imported on first use. Importing tfjs costs about a second; only the tfjs artifact paths need
 * it, so importing this package does not pay for it. Its "install our node backend" banner is switched off (tfjs's
 * `PROD` flag silences its console warnings): this package uses tfjs only to write and read artifacts, its own
 * kernels do the training, and the banner would corrupt `--json` output.
 */
export function loadTensorflow(): Promise<typeof Tensorflow> {
  loading ??= import('@tensorflow/tfjs').then((tensorflow) => {
    tensorflow.env().set('PROD', true);
    return tensorflow;
  });
  return loading;
}
