import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { ModelArtifactError } from '../errors/model-artifact-error';
import type { ModelArtifact } from './model-artifact';
import { MODEL_MANIFEST_FILE, type DenseNetworkManifest, type ModelManifest } from './model-manifest';
import { parseModelArtifact, parseModelManifest, type ParseModelArtifactOptions } from './parse-model-artifact';

/** Largest `manifest.json` read (a real one is a few KiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** Largest `actor.onnx` read. */
export const MAX_ONNX_BYTES = 512 * 1024 * 1024;

// O_NOFOLLOW: a symlink is refused, never followed; O_NONBLOCK: opening a FIFO cannot hang (it is refused as not regular).
const SAFE_OPEN_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Reads one file of an artifact directory safely: opened without following a symlink, only a regular file, its size
 * checked (`exactBytes` when the manifest implies it, else at most `maxBytes`) before a byte is read, so a link to
 * `/dev/zero`, a FIFO or a huge file is refused (`ModelArtifactError`, reason `corrupt` or `missing-file`).
 */
export async function readModelArtifactFile(directory: string, fileName: string, size: { exactBytes?: number; maxBytes: number }): Promise<Buffer> {
  const location = join(directory, fileName);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(location, SAFE_OPEN_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new ModelArtifactError({ reason: 'missing-file', location, message: `cannot read it (${code})`, cause: error });
    }
    const message = code === 'ELOOP' ? 'it is a symbolic link (refused: model files must be regular files)' : `cannot read it (${code ?? String(error)})`;
    throw new ModelArtifactError({ reason: 'corrupt', location, message, cause: error });
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ModelArtifactError({ reason: 'corrupt', location, message: 'not a regular file (device, FIFO, socket or directory)' });
    if (size.exactBytes !== undefined && stat.size !== size.exactBytes) {
      throw new ModelArtifactError({ reason: 'corrupt', location, message: `${stat.size} bytes, the manifest's layers need exactly ${size.exactBytes}` });
    }
    if (stat.size > size.maxBytes) throw new ModelArtifactError({ reason: 'corrupt', location, message: `${stat.size} bytes, more than the ${size.maxBytes} allowed` });
    const bytes = Buffer.alloc(stat.size);
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesRead } = await handle.read(bytes, offset, bytes.length - offset, offset);
      if (bytesRead === 0) throw new ModelArtifactError({ reason: 'corrupt', location, message: `shrank to ${offset} bytes while being read` });
      offset += bytesRead;
    }
    return bytes;
  } finally {
    await handle.close();
  }
}

/** Bytes a dense network's weights file holds: its layers' slices end to end (float32, no padding). */
function networkBytes(network: DenseNetworkManifest): number {
  let floats = 0;
  for (const layer of network.layers) floats = Math.max(floats, layer.kernel.offset + layer.kernel.length, layer.bias.offset + layer.bias.length);
  return floats * 4;
}

/** Options of `loadModelArtifact`. */
export interface LoadModelArtifactOptions extends ParseModelArtifactOptions {
  /** Also read the ONNX export named by the manifest (default false: the plain-TS runtime does not need it). */
  readonly loadOnnx?: boolean;
}

/** The raw files of an artifact directory: the manifest's JSON and the bytes of every file it names. */
export interface ModelArtifactFilesRead {
  manifest: unknown;
  manifestBytes: Buffer;
  parsedManifest: ModelManifest;
  files: Record<string, Buffer>;
}

/**
 * Reads `manifest.json` and the files it names (see `readModelArtifactFile`), checking each weights file's size
 * against the manifest before reading it. Does not verify checksums or weights (`parseModelArtifact` does).
 */
export async function readModelArtifactFiles(directory: string, options: { loadOnnx?: boolean } = {}): Promise<ModelArtifactFilesRead> {
  const manifestBytes = await readModelArtifactFile(directory, MODEL_MANIFEST_FILE, { maxBytes: MAX_MANIFEST_BYTES });
  let json: unknown;
  try {
    json = JSON.parse(manifestBytes.toString('utf8'));
  } catch (error) {
    throw new ModelArtifactError({ reason: 'corrupt', location: join(directory, MODEL_MANIFEST_FILE), message: 'not valid JSON', cause: error });
  }
  const manifest = parseModelManifest(json);
  const expectedBytes = new Map<string, number>();
  for (const network of [manifest.actor, manifest.critic, manifest.prediction]) {
    if (network === undefined) continue;
    expectedBytes.set(network.weightsFile, Math.max(expectedBytes.get(network.weightsFile) ?? 0, networkBytes(network)));
  }
  const files: Record<string, Buffer> = {};
  for (const [fileName, exactBytes] of expectedBytes) files[fileName] = await readModelArtifactFile(directory, fileName, { exactBytes, maxBytes: exactBytes });
  if (options.loadOnnx === true && manifest.onnx !== undefined && files[manifest.onnx.file] === undefined) {
    files[manifest.onnx.file] = await readModelArtifactFile(directory, manifest.onnx.file, { maxBytes: MAX_ONNX_BYTES });
  }
  return { manifest: json, manifestBytes, parsedManifest: manifest, files };
}

/**
 * Reads an artifact directory (`manifest.json` and the weights files it names — never through a symlink, regular
 * files only, sizes checked against the manifest before reading) and verifies it with `parseModelArtifact`. Throws
 * `ModelArtifactError` (reasons `missing-file`, `corrupt`, `checksum-mismatch`, `format-version`,
 * `feature-schema-mismatch`, `action-space-mismatch`).
 */
export async function loadModelArtifact(directory: string, options: LoadModelArtifactOptions = {}): Promise<ModelArtifact> {
  const { manifest, files } = await readModelArtifactFiles(directory, options.loadOnnx === true ? { loadOnnx: true } : {});
  return parseModelArtifact(manifest, files, options);
}
