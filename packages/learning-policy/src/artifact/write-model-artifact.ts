import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '@orchestra/learning-types/files';
import type { Activation, DenseNetworkManifest, ModelManifest, ModelManifestInput } from './model-manifest';
import { MODEL_MANIFEST_FILE } from './model-manifest';
import { parseModelArtifact } from './parse-model-artifact';
import { sha256Hex } from './sha256';

/** One dense layer's weights as a trainer holds them (tfjs `Dense.getWeights()` order: kernel, then bias). */
export interface DenseLayerWeights {
  readonly inputSize: number;
  readonly outputSize: number;
  readonly activation: Activation;
  /** Row-major `[inputSize][outputSize]`. */
  readonly kernel: ArrayLike<number>;
  readonly bias: ArrayLike<number>;
}

/**
 * Packs layers into one weights file (for each layer: kernel, then bias, little-endian float32, no padding) and
 * returns the network's manifest entry (offsets, lengths, SHA-256) with the file's bytes.
 */
export function packDenseNetwork(layers: readonly DenseLayerWeights[], weightsFile: string): { network: DenseNetworkManifest; bytes: Uint8Array } {
  const total = layers.reduce((sum, layer) => sum + layer.kernel.length + layer.bias.length, 0);
  const floats = new Float32Array(total);
  let offset = 0;
  const manifestLayers = layers.map((layer) => {
    if (layer.kernel.length !== layer.inputSize * layer.outputSize || layer.bias.length !== layer.outputSize) {
      throw new RangeError(`layer ${layer.inputSize}→${layer.outputSize}: kernel must hold ${layer.inputSize * layer.outputSize} and bias ${layer.outputSize} values`);
    }
    const kernel = { offset, length: layer.kernel.length };
    floats.set(layer.kernel, offset);
    offset += layer.kernel.length;
    const bias = { offset, length: layer.bias.length };
    floats.set(layer.bias, offset);
    offset += layer.bias.length;
    return { inputSize: layer.inputSize, outputSize: layer.outputSize, activation: layer.activation, kernel, bias };
  });
  // Float32Array is host-endian; the format is little-endian, so write through a DataView on big-endian hosts.
  const bytes = new Uint8Array(total * 4);
  const view = new DataView(bytes.buffer);
  for (let index = 0; index < total; index += 1) view.setFloat32(index * 4, floats[index]!, true);
  return { network: { layers: manifestLayers, weightsFile, sha256: sha256Hex(bytes) }, bytes };
}

/**
 * Writes an artifact directory: the weights files, then `manifest.json` last (each through a temporary file and a
 * rename), so a reader never sees a manifest whose files are not complete. The artifact is verified with
 * `parseModelArtifact` before anything is written; a `ModelArtifactError` is thrown when it does not verify.
 */
export async function writeModelArtifact(
  directory: string,
  { manifest, weights }: { manifest: ModelManifestInput | ModelManifest; weights: Readonly<Record<string, Uint8Array>> },
): Promise<void> {
  for (const fileName of Object.keys(weights)) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(fileName) || fileName === MODEL_MANIFEST_FILE) {
      throw new RangeError(`weights: ${JSON.stringify(fileName)} is not a plain file name other than ${MODEL_MANIFEST_FILE}`);
    }
  }
  parseModelArtifact(manifest, weights);
  // Model files are private like the rest of the data dir: directories 0700, files 0600.
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const writeAtomically = (fileName: string, data: Uint8Array | string) => writeFileAtomically(join(directory, fileName), data);
  for (const [fileName, bytes] of Object.entries(weights)) await writeAtomically(fileName, bytes);
  await writeAtomically(MODEL_MANIFEST_FILE, `${JSON.stringify(manifest, null, 2)}\n`);
}
