import type * as tf from '@tensorflow/tfjs';
import { ActionSpace } from '@orchestra/learning-features';
import {
  exportDenseLayersToOnnx,
  MODEL_FORMAT_VERSION,
  ModelArtifactError,
  packDenseNetwork,
  sha256Hex,
  parseModelManifest,
  writeModelArtifact,
  type ModelManifest,
  type ModelManifestInput,
} from '@orchestra/learning-policy';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import { artifactFiles } from './artifact-files';
import { loadTensorflow } from './load-tensorflow';
import { createTfjsDenseModel } from './tfjs-dense-model';
import { joinWeightData, tfjsModelJsonFor } from './tfjs-file-system';
import type { TrainedModel } from './trained-model';

/** Options of `writeTrainedModelArtifact`. */
export interface WriteTrainedModelArtifactOptions {
  /** Also export the actor to `actor.onnx` (default true). */
  onnx?: boolean;
  /** Written into the ONNX `producer_version` (e.g. the package version). */
  producerVersion?: string;
}

function toJson(value: { toJSON(): unknown } | Record<string, unknown>): Record<string, unknown> {
  const json = typeof value.toJSON === 'function' ? (value as { toJSON(): unknown }).toJSON() : value;
  return JSON.parse(JSON.stringify(json)) as Record<string, unknown>;
}

/**
 * The tfjs `model.json` of a dense network, produced by tfjs itself (`model.save` through an in-memory
 * `tf.io.withSaveHandler`), pointing at `weightsFile`. Checks that the weights tfjs would write are byte for byte
 * the policy package's packed weights file, so both formats share one copy of the bytes.
 */
async function tfjsModelJsonBytes(layers: readonly DenseLayerWeights[], name: string, weightsFile: string, packed: Uint8Array): Promise<Uint8Array> {
  const tf = await loadTensorflow();
  const model = await createTfjsDenseModel(layers, name);
  let captured: tf.io.ModelArtifacts | undefined;
  try {
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        captured = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  } finally {
    model.dispose();
  }
  const tfjsWeights = joinWeightData(captured!.weightData);
  if (tfjsWeights.byteLength !== packed.byteLength || !tfjsWeights.every((byte, index) => byte === packed[index])) {
    throw new ModelArtifactError({ reason: 'corrupt', location: weightsFile, message: 'tfjs would store these weights differently from the policy weights file' });
  }
  return new TextEncoder().encode(`${JSON.stringify(tfjsModelJsonFor(captured!, weightsFile))}\n`);
}

/**
 * Writes a trained model as an artifact directory in the format of `@orchestra/learning-policy`
 * (`modelManifestSchema`, written with its `writeModelArtifact`: files first, `manifest.json` last, atomically):
 *
 * | file | content |
 * |---|---|
 * | `manifest.json` | format version, version, createdAt, feature schema, action space, normaliser, layer slices, training, metrics, OPE |
 * | `actor.weights.bin`, `critic.weights.bin`, `prediction.weights.bin` | little-endian float32, per layer kernel then bias |
 * | `actor.model.json`, `critic.model.json` | tfjs layers-model JSON whose weights manifest points at the `.weights.bin` beside it |
 * | `actor.onnx` | the actor as ONNX (opset 13; input `features` [batch, n], output `logits`) |
 *
 * Returns the manifest as written.
 *
 * @throws ModelArtifactError `action-space-mismatch` when the actor's outputs are not the action space's logits, or
 *   any reason `writeModelArtifact` reports when the artifact would not verify.
 * @throws ValidationError when the action space JSON is malformed.
 */
export async function writeTrainedModelArtifact(
  directory: string,
  model: TrainedModel,
  options: WriteTrainedModelArtifactOptions = {},
): Promise<ModelManifest> {
  const actionSpaceJson = toJson(model.actionSpace);
  const actionSpace = ActionSpace.fromJSON(actionSpaceJson);
  const actorOutput = model.actor[model.actor.length - 1]?.outputSize;
  if (actorOutput !== actionSpace.totalLogits) {
    throw new ModelArtifactError({
      reason: 'action-space-mismatch',
      location: 'actor',
      message: `the actor has ${String(actorOutput)} outputs, the action space has ${actionSpace.totalLogits} logits`,
    });
  }
  const files: Record<string, Uint8Array> = {};
  const actor = packDenseNetwork(model.actor, artifactFiles.actorWeights);
  files[artifactFiles.actorWeights] = actor.bytes;
  files[artifactFiles.actorModel] = await tfjsModelJsonBytes(model.actor, 'actor', artifactFiles.actorWeights, actor.bytes);
  let critic: ReturnType<typeof packDenseNetwork> | undefined;
  if (model.critic !== undefined) {
    critic = packDenseNetwork(model.critic, artifactFiles.criticWeights);
    files[artifactFiles.criticWeights] = critic.bytes;
    files[artifactFiles.criticModel] = await tfjsModelJsonBytes(model.critic, 'critic', artifactFiles.criticWeights, critic.bytes);
  }
  let prediction: ModelManifestInput['prediction'];
  if (model.prediction !== undefined) {
    const packed = packDenseNetwork(model.prediction.layers, artifactFiles.predictionWeights);
    files[artifactFiles.predictionWeights] = packed.bytes;
    prediction = { ...packed.network, input: model.prediction.input, outputs: model.prediction.outputs.map((output) => ({ ...output })) };
  }
  let onnx: ModelManifestInput['onnx'];
  if (options.onnx !== false) {
    const bytes = exportDenseLayersToOnnx(model.actor, {
      metadata: { version: model.version, featureSchemaHash: model.featureSchema.hash, actionSpaceHash: actionSpace.hash },
      producerName: '@orchestra/learning-trainer',
      ...(options.producerVersion === undefined ? {} : { producerVersion: options.producerVersion }),
    });
    files[artifactFiles.actorOnnx] = bytes;
    onnx = { file: artifactFiles.actorOnnx, sha256: sha256Hex(bytes) };
  }
  const manifest: ModelManifestInput = {
    formatVersion: MODEL_FORMAT_VERSION,
    version: model.version,
    createdAt: model.createdAt ?? new Date().toISOString(),
    featureSchema: { version: model.featureSchema.version, hash: model.featureSchema.hash, names: [...model.featureSchema.names] },
    actionSpace: actionSpaceJson,
    normalizer: model.normalizer === undefined || model.normalizer === null ? null : toJson(model.normalizer),
    actor: actor.network,
    ...(model.rulesPrior === undefined || model.rulesPrior.bonus <= 0 ? {} : { rulesPrior: { bonus: model.rulesPrior.bonus } }),
    ...(critic === undefined ? {} : { critic: critic.network }),
    ...(prediction === undefined ? {} : { prediction }),
    ...(onnx === undefined ? {} : { onnx }),
    training: toJson(model.training ?? {}),
    metrics: toJson(model.metrics ?? {}),
    ope: model.ope === undefined || model.ope === null ? null : (toJson(model.ope) as ModelManifestInput['ope']),
  };
  await writeModelArtifact(directory, { manifest, weights: files });
  return parseModelManifest(manifest);
}
