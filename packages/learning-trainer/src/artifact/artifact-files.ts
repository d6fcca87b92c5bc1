/** File names inside a model artifact directory written by `writeTrainedModelArtifact`. */
export const artifactFiles = {
  manifest: 'manifest.json',
  actorWeights: 'actor.weights.bin',
  /** tfjs model.json of the actor; its weights manifest points at `actor.weights.bin` (one copy of the bytes). */
  actorModel: 'actor.model.json',
  criticWeights: 'critic.weights.bin',
  criticModel: 'critic.model.json',
  predictionWeights: 'prediction.weights.bin',
  actorOnnx: 'actor.onnx',
} as const;
