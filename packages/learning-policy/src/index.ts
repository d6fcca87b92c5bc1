export * from './errors/model-artifact-error';
export * from './artifact/model-manifest';
export * from './artifact/model-artifact';
export * from './artifact/parse-model-artifact';
export * from './artifact/load-model-artifact';
export * from './artifact/write-model-artifact';
export * from './artifact/random-dense-network';
export { sha256Hex } from './artifact/sha256';
