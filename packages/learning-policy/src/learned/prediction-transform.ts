import type { OutputTransform } from '../artifact/model-manifest';

/** Applies a prediction output transform (see `outputTransformSchema`) to a raw network output. */
export function applyOutputTransform(transform: OutputTransform, raw: number): number {
  switch (transform) {
    case 'identity':
      return raw;
    case 'exp':
      return Math.exp(raw);
    case 'expm1':
      return Math.expm1(raw);
    case 'softplus':
      // log(1 + e^x) without overflow for large x.
      return raw > 30 ? raw : Math.log1p(Math.exp(raw));
    case 'sigmoid':
      return 1 / (1 + Math.exp(-raw));
  }
}
