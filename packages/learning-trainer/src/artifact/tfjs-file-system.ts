import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomically } from '@orchestra/learning-types/files';
import type * as tf from '@tensorflow/tfjs';
import { ModelArtifactError } from '@orchestra/learning-policy';
import { safeValidate } from '@orchestra/learning-types';
import { loadTensorflow } from './load-tensorflow';
import { tfjsModelJsonSchema, tfjsWeightBytes, type TfjsModelJson, type TfjsWeightSpec } from './tfjs-model-json';

/** File names of a tfjs model on disk; the defaults are those of tfjs-node's `file://` handler. */
export interface TfjsFileNames {
  /** Default `model.json`. */
  modelFile?: string;
  /** Default `weights.bin`. */
  weightsFile?: string;
}

/** One contiguous buffer of a tfjs model's weights (tfjs ≥ 4 may hand them over in several buffers). */
export function joinWeightData(weightData: tf.io.WeightData | undefined): Uint8Array {
  if (weightData === undefined) return new Uint8Array(0);
  const buffers = Array.isArray(weightData) ? weightData : [weightData];
  const joined = new Uint8Array(buffers.reduce((sum, buffer) => sum + buffer.byteLength, 0));
  let offset = 0;
  for (const buffer of buffers) {
    joined.set(new Uint8Array(buffer), offset);
    offset += buffer.byteLength;
  }
  return joined;
}

/**
 * The `model.json` for saved tfjs model artifacts, in the layout tfjs-node's file-system handler writes: topology,
 * format, generator, and one weights group pointing at `weightsFile` (relative to model.json).
 */
export function tfjsModelJsonFor(artifacts: tf.io.ModelArtifacts, weightsFile: string): TfjsModelJson {
  if (artifacts.modelTopology === undefined || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new RangeError('tfjsModelJsonFor: only layers models with a JSON topology can be written');
  }
  const json: TfjsModelJson = {
    modelTopology: artifacts.modelTopology as Record<string, unknown>,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: [{ paths: [weightsFile], weights: (artifacts.weightSpecs ?? []) as TfjsWeightSpec[] }],
  };
  if (artifacts.trainingConfig !== undefined) json.trainingConfig = artifacts.trainingConfig as unknown as Record<string, unknown>;
  if (artifacts.userDefinedMetadata !== undefined) json.userDefinedMetadata = artifacts.userDefinedMetadata;
  return json;
}


/**
 * A tfjs save handler that writes `model.json` and `weights.bin` into `directory` with `node:fs` — the files
 * tfjs-node's `file://` handler writes, without tfjs-node. Use with `model.save(fileSystemSaveHandler(dir))`.
 * Each file goes through a temporary file and a rename, weights first. (The handler is the plain `{ save }` object
 * that `tf.io.withSaveHandler` wraps, so building it does not import tfjs.)
 */
export function fileSystemSaveHandler(directory: string, names: TfjsFileNames = {}): tf.io.IOHandler {
  const modelFile = names.modelFile ?? 'model.json';
  const weightsFile = names.weightsFile ?? 'weights.bin';
  const save = async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
    const json = tfjsModelJsonFor(artifacts, weightsFile);
    const weights = joinWeightData(artifacts.weightData);
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await writeFileAtomically(join(directory, weightsFile), weights);
    const text = `${JSON.stringify(json)}\n`;
    await writeFileAtomically(join(directory, modelFile), text);
    return {
      modelArtifactsInfo: {
        dateSaved: new Date(),
        modelTopologyType: 'JSON',
        modelTopologyBytes: JSON.stringify(json.modelTopology).length,
        weightSpecsBytes: JSON.stringify(json.weightsManifest[0]!.weights).length,
        weightDataBytes: weights.byteLength,
      },
    };
  };
  return { save };
}

async function readArtifactFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ModelArtifactError({
      reason: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing-file' : 'corrupt',
      location: path,
      message: `cannot read it (${code ?? String(error)})`,
      cause: error,
    });
  }
}

/**
 * Reads a tfjs `model.json` and its weights files (paths relative to the model.json) into tfjs model artifacts,
 * checking the JSON against the format and the weights' byte count against the weight specs.
 *
 * @throws ModelArtifactError — `missing-file` when a file is absent, `corrupt` for bad JSON or a size mismatch.
 */
export async function readTfjsModelArtifacts(modelJsonPath: string): Promise<tf.io.ModelArtifacts> {
  const text = (await readArtifactFile(modelJsonPath)).toString('utf8');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelArtifactError({ reason: 'corrupt', location: modelJsonPath, message: 'not valid JSON', cause: error });
  }
  const result = safeValidate(tfjsModelJsonSchema, raw, 'tfjs model.json');
  if (!result.success) {
    throw new ModelArtifactError({ reason: 'corrupt', location: `${modelJsonPath}#${result.error.field}`, message: result.error.message, cause: result.error });
  }
  const json = result.value;
  const weightSpecs: TfjsWeightSpec[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    weightSpecs.push(...group.weights);
    let groupBytes = 0;
    for (const path of group.paths) {
      const bytes = await readArtifactFile(join(dirname(modelJsonPath), path));
      buffers.push(bytes);
      groupBytes += bytes.byteLength;
    }
    const expected = tfjsWeightBytes(group.weights);
    if (groupBytes !== expected) {
      throw new ModelArtifactError({
        reason: 'corrupt',
        location: join(dirname(modelJsonPath), group.paths[0]!),
        message: `weights files hold ${groupBytes} bytes, the weight specs need ${expected}`,
      });
    }
  }
  const weightData = new Uint8Array(buffers.reduce((sum, bytes) => sum + bytes.byteLength, 0));
  let offset = 0;
  for (const bytes of buffers) {
    weightData.set(bytes, offset);
    offset += bytes.byteLength;
  }
  return {
    modelTopology: json.modelTopology,
    weightSpecs,
    weightData: weightData.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy ?? null,
    ...(json.userDefinedMetadata === undefined ? {} : { userDefinedMetadata: json.userDefinedMetadata as Record<string, {}> }),
  };
}

/**
 * Loads a tfjs layers model saved by `fileSystemSaveHandler` (or tfjs-node) through `tf.io.fromMemory`, with no
 * tfjs-node. Any failure — missing files, bad JSON, an unknown layer class, weights that do not fit — is a
 * `ModelArtifactError`, never an exception of another kind.
 */
export async function loadTfjsLayersModel(modelJsonPath: string): Promise<tf.LayersModel> {
  const artifacts = await readTfjsModelArtifacts(modelJsonPath);
  const tf = await loadTensorflow();
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new ModelArtifactError({
      reason: 'corrupt',
      location: modelJsonPath,
      message: `tfjs cannot build the model: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
}
