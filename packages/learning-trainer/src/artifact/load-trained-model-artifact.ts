import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ActionSpace } from '@orchestra/learning-features';
import { loadModelArtifact, ModelArtifactError, OnnxModelError, readOnnxModelSummary, type DenseNetwork, type ExpectedFeatureSchema, type ModelManifest } from '@orchestra/learning-policy';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import { artifactFiles } from './artifact-files';
import { readTfjsModelArtifacts } from './tfjs-file-system';
import type { TrainedPredictionHead } from './trained-model';

/** Options of `loadTrainedModelArtifact`. */
export interface LoadTrainedModelArtifactOptions {
  /** Refuse an artifact trained on another feature schema (`feature-schema-mismatch`). */
  expectedFeatureSchema?: ExpectedFeatureSchema;
  /** Refuse an artifact laid out for another action space (`action-space-mismatch`), compared by hash. */
  expectedActionSpace?: { hash: string };
}

/** A trained model read back from its artifact directory, with its weights in the trainer's layer format. */
export interface LoadedTrainedModel {
  manifest: ModelManifest;
  actionSpace: ActionSpace;
  actor: DenseLayerWeights[];
  critic?: DenseLayerWeights[];
  prediction?: TrainedPredictionHead;
  /** The bytes of `actor.onnx`, when the artifact has one. */
  onnx?: Uint8Array;
  /** Which tfjs model.json files were found (and verified against the weights). */
  tfjsModels: { actor: boolean; critic: boolean };
}

function layersOf(network: DenseNetwork): DenseLayerWeights[] {
  return network.layers.map((layer) => ({
    inputSize: layer.inputSize,
    outputSize: layer.outputSize,
    kernel: layer.kernel,
    bias: layer.bias,
    activation: layer.activation,
  }));
}

/**
 * Checks that a tfjs model.json describes exactly `layers` and reads its weights from `weightsFile`. Returns false
 * when there is no such file (the tfjs files are a convenience the manifest does not name; artifacts written by other
 * tools may lack them).
 */
async function verifyTfjsModel(directory: string, modelFile: string, weightsFile: string, layers: readonly DenseLayerWeights[]): Promise<boolean> {
  const location = join(directory, modelFile);
  if (!existsSync(location)) return false;
  const artifacts = await readTfjsModelArtifacts(location);
  const specs = artifacts.weightSpecs ?? [];
  const expected = layers.flatMap((layer) => [[layer.inputSize, layer.outputSize], [layer.outputSize]]);
  const matches = specs.length === expected.length && specs.every((spec, index) => JSON.stringify(spec.shape) === JSON.stringify(expected[index]));
  if (!matches) {
    throw new ModelArtifactError({ reason: 'corrupt', location, message: 'its weight shapes do not match the layers in the manifest' });
  }
  const weightsBytes = new Uint8Array(artifacts.weightData as ArrayBuffer);
  // Both formats share one weights file; compare the decoded weights to be sure model.json names it.
  const view = new DataView(weightsBytes.buffer, weightsBytes.byteOffset, weightsBytes.byteLength);
  let offset = 0;
  for (const layer of layers) {
    for (const values of [layer.kernel, layer.bias]) {
      for (let index = 0; index < values.length; index += 1) {
        if (view.getFloat32(offset, true) !== values[index]) {
          throw new ModelArtifactError({ reason: 'corrupt', location, message: `its weights differ from ${weightsFile} at byte ${offset}` });
        }
        offset += 4;
      }
    }
  }
  return true;
}

/**
 * Loads a model artifact written by `writeTrainedModelArtifact` and checks every part of it: the policy package's
 * verification (manifest schema, format version, SHA-256 of each file, finite weights, feature schema), the action
 * space (well-formed, as many logits as the actor has outputs, the expected hash), the tfjs model.json files when
 * present (they must describe the manifest's layers and weights) and the ONNX export (well-formed, input/output
 * sizes of the actor).
 *
 * @throws ModelArtifactError for anything missing, corrupt or incompatible — never another kind of exception.
 */
export async function loadTrainedModelArtifact(directory: string, options: LoadTrainedModelArtifactOptions = {}): Promise<LoadedTrainedModel> {
  const artifact = await loadModelArtifact(directory, {
    loadOnnx: true,
    ...(options.expectedFeatureSchema === undefined ? {} : { expectedFeatureSchema: options.expectedFeatureSchema }),
  });
  const { manifest } = artifact;
  let actionSpace: ActionSpace;
  try {
    actionSpace = ActionSpace.fromJSON(manifest.actionSpace);
  } catch (error) {
    throw new ModelArtifactError({
      reason: 'corrupt',
      location: 'manifest.actionSpace',
      message: error instanceof Error ? error.message : String(error),
      cause: error,
    });
  }
  if (artifact.actor.outputSize !== actionSpace.totalLogits) {
    throw new ModelArtifactError({
      reason: 'action-space-mismatch',
      location: 'manifest.actor',
      message: `the actor has ${artifact.actor.outputSize} outputs, the action space has ${actionSpace.totalLogits} logits`,
    });
  }
  if (options.expectedActionSpace !== undefined && options.expectedActionSpace.hash !== actionSpace.hash) {
    throw new ModelArtifactError({
      reason: 'action-space-mismatch',
      location: 'manifest.actionSpace.hash',
      message: `the model was trained for action space ${actionSpace.hash}, the caller uses ${options.expectedActionSpace.hash}`,
    });
  }
  const actor = layersOf(artifact.actor);
  const tfjsModels = { actor: await verifyTfjsModel(directory, artifactFiles.actorModel, manifest.actor.weightsFile, actor), critic: false };
  const critic = artifact.critic === undefined ? undefined : layersOf(artifact.critic);
  if (critic !== undefined) tfjsModels.critic = await verifyTfjsModel(directory, artifactFiles.criticModel, manifest.critic!.weightsFile, critic);
  if (artifact.onnx !== undefined) {
    const location = join(directory, manifest.onnx!.file);
    try {
      const summary = readOnnxModelSummary(artifact.onnx);
      const input = summary.inputs[0]!;
      const output = summary.outputs[0]!;
      if (input.dimensions[1] !== artifact.actor.inputSize || output.dimensions[1] !== artifact.actor.outputSize) {
        throw new ModelArtifactError({
          reason: 'corrupt',
          location,
          message: `ONNX graph maps ${String(input.dimensions[1])} inputs to ${String(output.dimensions[1])} outputs, the actor ${artifact.actor.inputSize} to ${artifact.actor.outputSize}`,
        });
      }
    } catch (error) {
      if (!OnnxModelError.isInstance(error)) throw error;
      throw new ModelArtifactError({ reason: 'corrupt', location, message: error.message, cause: error });
    }
  }
  return {
    manifest,
    actionSpace,
    actor,
    ...(critic === undefined ? {} : { critic }),
    ...(artifact.prediction === undefined
      ? {}
      : { prediction: { layers: layersOf(artifact.prediction.network), input: artifact.prediction.input, outputs: artifact.prediction.outputs } }),
    ...(artifact.onnx === undefined ? {} : { onnx: artifact.onnx }),
    tfjsModels,
  };
}
