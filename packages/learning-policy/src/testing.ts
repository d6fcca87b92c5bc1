/**
 * Test support shared with other packages (`@orchestra/learning-policy/testing`), kept off the runtime's public
 * entry: seeded random dense layers (Glorot-uniform) and input rows, a prediction head that follows the model prices, and a small model artifact on disk.
 */
export { createRandomDenseLayers, createRandomInputs } from './artifact/random-dense-network';
export { createPricedPredictionHead } from './artifact/priced-prediction-head';
export { writeTestModelArtifact, type TestModelArtifactOptions } from './test-support/write-test-model-artifact';
