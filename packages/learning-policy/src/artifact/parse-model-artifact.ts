import { ActionSpace, hashFeatureNames } from '@orchestra/learning-features';
import { safeValidate } from '@orchestra/learning-types';
import { ModelArtifactError } from '../errors/model-artifact-error';
import type { DenseLayer, DenseNetwork, ModelArtifact } from './model-artifact';
import { MODEL_FORMAT_VERSION, modelManifestSchema, type DenseNetworkManifest, type ModelManifest } from './model-manifest';
import { migrateManifestPolicyComparison } from './policy-comparison';
import { sha256Hex } from './sha256';

/** The feature schema the caller encodes states with; an artifact trained on another one is refused. */
export interface ExpectedFeatureSchema {
  readonly hash: string;
  readonly size?: number;
}

/** Options of `parseModelArtifact` and `loadModelArtifact`. */
export interface ParseModelArtifactOptions {
  /** Refuse (`feature-schema-mismatch`) an artifact whose feature-schema hash or size differs from this. */
  readonly expectedFeatureSchema?: ExpectedFeatureSchema;
  /** Also run `checkModelConsistency` (feature names vs hash, a well-formed action space): what deploy and serving use. */
  readonly strict?: boolean;
}

/** The bytes of an artifact's files by file name; a single `Uint8Array` is the actor's weights file. */
export type ModelArtifactFiles = Uint8Array | Readonly<Record<string, Uint8Array>>;

function fileBytes(files: ModelArtifactFiles, manifest: ModelManifest, fileName: string): Uint8Array {
  const bytes = files instanceof Uint8Array ? (fileName === manifest.actor.weightsFile ? files : undefined) : files[fileName];
  if (bytes === undefined) {
    throw new ModelArtifactError({ reason: 'missing-file', location: fileName, message: 'the manifest names this file but no bytes were given for it' });
  }
  return bytes;
}

function verifyChecksum(bytes: Uint8Array, expected: string, location: string): void {
  const actual = sha256Hex(bytes);
  if (actual !== expected) {
    throw new ModelArtifactError({ reason: 'checksum-mismatch', location, message: `SHA-256 is ${actual}, the manifest says ${expected}` });
  }
}

function readSlice(view: DataView, floatCount: number, offset: number, length: number, location: string): Float32Array {
  if (offset + length > floatCount) {
    throw new ModelArtifactError({ reason: 'corrupt', location, message: `slice [${offset}, ${offset + length}) lies beyond the file's ${floatCount} floats` });
  }
  // Copy into a fresh, aligned array: the file's bytes may sit at any byte offset of a pooled Node buffer.
  const values = new Float32Array(length);
  for (let index = 0; index < length; index += 1) {
    const value = view.getFloat32((offset + index) * 4, true);
    if (!Number.isFinite(value)) {
      throw new ModelArtifactError({ reason: 'corrupt', location, message: `weight ${index} is ${value}` });
    }
    values[index] = value;
  }
  return values;
}

function parseNetwork(network: DenseNetworkManifest, files: ModelArtifactFiles, manifest: ModelManifest, path: string): DenseNetwork {
  const bytes = fileBytes(files, manifest, network.weightsFile);
  verifyChecksum(bytes, network.sha256, network.weightsFile);
  if (bytes.byteLength % 4 !== 0) {
    throw new ModelArtifactError({ reason: 'corrupt', location: network.weightsFile, message: `${bytes.byteLength} bytes is not a whole number of float32 values` });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const floatCount = bytes.byteLength / 4;
  const layers: DenseLayer[] = network.layers.map((layer, index) => ({
    inputSize: layer.inputSize,
    outputSize: layer.outputSize,
    activation: layer.activation,
    kernel: readSlice(view, floatCount, layer.kernel.offset, layer.kernel.length, `${path}.layers.${index}.kernel`),
    bias: readSlice(view, floatCount, layer.bias.offset, layer.bias.length, `${path}.layers.${index}.bias`),
  }));
  return { layers, inputSize: layers[0]!.inputSize, outputSize: layers[layers.length - 1]!.outputSize };
}

/**
 * Validates a manifest (the parsed JSON of `manifest.json`) without reading any weights. Throws a
 * `ModelArtifactError` with reason `format-version` for another format version, `corrupt` for anything else wrong
 * (its `cause` is the `ValidationError` naming the field).
 */
export function parseModelManifest(manifest: unknown): ModelManifest {
  if (typeof manifest !== 'object' || manifest === null || Array.isArray(manifest)) {
    throw new ModelArtifactError({ reason: 'corrupt', location: 'manifest', message: 'the manifest is not a JSON object' });
  }
  const formatVersion = (manifest as Record<string, unknown>).formatVersion;
  if (formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ModelArtifactError({
      reason: 'format-version',
      location: 'manifest.formatVersion',
      message: `found ${JSON.stringify(formatVersion)}, this code reads format version ${MODEL_FORMAT_VERSION}`,
    });
  }
  // Manifests of earlier versions may hold another shape of `ope`: read them as today's before validating.
  const record = manifest as Record<string, unknown>;
  const current = record.ope === undefined ? record : { ...record, ope: migrateManifestPolicyComparison(record.ope) };
  const result = safeValidate(modelManifestSchema, current, 'ModelManifest');
  if (!result.success) {
    throw new ModelArtifactError({ reason: 'corrupt', location: `manifest.${result.error.field}`, message: result.error.message, cause: result.error });
  }
  return result.value;
}

/**
 * The checks a model must pass before it is deployed or served (`strict` parsing): its feature names hash to the
 * manifest's feature-schema hash (`feature-schema-mismatch` otherwise: names edited or invented after training), and
 * its action space is well formed (`ActionSpace.fromJSON`) with exactly as many logits as the actor outputs
 * (`action-space-mismatch` otherwise).
 */
export function checkModelConsistency(manifest: ModelManifest, actorOutputSize: number): void {
  const { version, names, hash } = manifest.featureSchema;
  if (hashFeatureNames(version as number, names) !== hash) {
    throw new ModelArtifactError({
      reason: 'feature-schema-mismatch',
      location: 'manifest.featureSchema.hash',
      message: `the feature names (version ${String(version)}, ${names.length} names) do not hash to ${hash}`,
    });
  }
  let space: ActionSpace;
  try {
    space = ActionSpace.fromJSON(manifest.actionSpace);
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
    throw new ModelArtifactError({ reason: 'action-space-mismatch', location: 'manifest.actionSpace', message: `malformed: ${message}`, cause: error });
  }
  if (space.totalLogits !== actorOutputSize) {
    throw new ModelArtifactError({
      reason: 'action-space-mismatch',
      location: 'manifest.actor.layers',
      message: `the actor outputs ${actorOutputSize} logits, the action space has ${space.totalLogits}`,
    });
  }
}

/**
 * Parses and verifies a model artifact held in memory: validates the manifest, checks each weights file's SHA-256,
 * slices the little-endian float32 weights into layers and refuses non-finite weights. Throws `ModelArtifactError`
 * (reasons `missing-file`, `corrupt`, `checksum-mismatch`, `format-version`, `feature-schema-mismatch`, and with
 * `strict` those of `checkModelConsistency`).
 */
export function parseModelArtifact(manifest: unknown, files: ModelArtifactFiles, options: ParseModelArtifactOptions = {}): ModelArtifact {
  const parsed = parseModelManifest(manifest);
  const expected = options.expectedFeatureSchema;
  if (expected !== undefined) {
    if (expected.hash !== parsed.featureSchema.hash) {
      throw new ModelArtifactError({
        reason: 'feature-schema-mismatch',
        location: 'manifest.featureSchema.hash',
        message: `the model was trained on feature schema ${parsed.featureSchema.hash}, the caller encodes with ${expected.hash}`,
      });
    }
    if (expected.size !== undefined && expected.size !== parsed.featureSchema.names.length) {
      throw new ModelArtifactError({
        reason: 'feature-schema-mismatch',
        location: 'manifest.featureSchema.names',
        message: `the model reads ${parsed.featureSchema.names.length} features, the caller encodes ${expected.size}`,
      });
    }
  }
  const actor = parseNetwork(parsed.actor, files, parsed, 'actor');
  if (options.strict === true) checkModelConsistency(parsed, actor.outputSize);
  const critic = parsed.critic === undefined ? undefined : parseNetwork(parsed.critic, files, parsed, 'critic');
  let prediction: ModelArtifact['prediction'];
  if (parsed.prediction !== undefined) {
    const network = parseNetwork(parsed.prediction, files, parsed, 'prediction');
    const stateSize = parsed.featureSchema.names.length;
    if (parsed.prediction.input === 'state' && network.inputSize !== stateSize) {
      throw new ModelArtifactError({ reason: 'corrupt', location: 'manifest.prediction.layers.0.inputSize', message: `must equal the number of features ${stateSize}` });
    }
    if (parsed.prediction.input === 'state_and_action' && network.inputSize !== stateSize + actor.outputSize) {
      throw new ModelArtifactError({
        reason: 'corrupt',
        location: 'manifest.prediction.layers.0.inputSize',
        message: `must equal features + logits = ${stateSize + actor.outputSize}`,
      });
    }
    prediction = { network, input: parsed.prediction.input, outputs: parsed.prediction.outputs };
  }
  let onnx: Uint8Array | undefined;
  if (parsed.onnx !== undefined && !(files instanceof Uint8Array) && files[parsed.onnx.file] !== undefined) {
    onnx = files[parsed.onnx.file]!;
    verifyChecksum(onnx, parsed.onnx.sha256, parsed.onnx.file);
  }
  return {
    manifest: parsed,
    actor,
    ...(critic === undefined ? {} : { critic }),
    ...(prediction === undefined ? {} : { prediction }),
    ...(onnx === undefined ? {} : { onnx }),
  };
}
