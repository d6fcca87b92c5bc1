export { artifactFiles } from './artifact-files';
export type { TrainedModel, TrainedPredictionHead } from './trained-model';
export { writeTrainedModelArtifact, type WriteTrainedModelArtifactOptions } from './write-trained-model-artifact';
export { loadTrainedModelArtifact, type LoadTrainedModelArtifactOptions, type LoadedTrainedModel } from './load-trained-model-artifact';
export { createTfjsDenseModel, denseLayersFromTfjsModel } from './tfjs-dense-model';
export { fileSystemSaveHandler, loadTfjsLayersModel, readTfjsModelArtifacts, tfjsModelJsonFor, joinWeightData, type TfjsFileNames } from './tfjs-file-system';
export { tfjsModelJsonSchema, tfjsWeightSpecSchema, type TfjsModelJson, type TfjsWeightSpec } from './tfjs-model-json';
