import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ModelArtifactError } from '../errors/model-artifact-error';
import type { ModelArtifact } from './model-artifact';
import { MODEL_MANIFEST_FILE } from './model-manifest';
import { parseModelArtifact, parseModelManifest, type ParseModelArtifactOptions } from './parse-model-artifact';

async function readArtifactFile(directory: string, fileName: string): Promise<Buffer> {
  try {
    return await readFile(join(directory, fileName));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' || code === 'ENOTDIR' ? 'missing-file' : 'corrupt';
    throw new ModelArtifactError({ reason, location: join(directory, fileName), message: `cannot read it (${code ?? String(error)})`, cause: error });
  }
}

/** Options of `loadModelArtifact`. */
export interface LoadModelArtifactOptions extends ParseModelArtifactOptions {
  /** Also read the ONNX export named by the manifest (default false: the plain-TS runtime does not need it). */
  readonly loadOnnx?: boolean;
}

/**
 * Reads an artifact directory (`manifest.json` and the weights files it names) and verifies it with
 * `parseModelArtifact`. Throws `ModelArtifactError` (reasons `missing-file`, `corrupt`, `checksum-mismatch`,
 * `format-version`, `feature-schema-mismatch`).
 */
export async function loadModelArtifact(directory: string, options: LoadModelArtifactOptions = {}): Promise<ModelArtifact> {
  const manifestBytes = await readArtifactFile(directory, MODEL_MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(manifestBytes.toString('utf8'));
  } catch (error) {
    throw new ModelArtifactError({ reason: 'corrupt', location: join(directory, MODEL_MANIFEST_FILE), message: 'not valid JSON', cause: error });
  }
  const manifest = parseModelManifest(json);
  const fileNames = new Set<string>([manifest.actor.weightsFile]);
  if (manifest.critic !== undefined) fileNames.add(manifest.critic.weightsFile);
  if (manifest.prediction !== undefined) fileNames.add(manifest.prediction.weightsFile);
  if (options.loadOnnx === true && manifest.onnx !== undefined) fileNames.add(manifest.onnx.file);
  const files: Record<string, Uint8Array> = {};
  for (const fileName of fileNames) files[fileName] = await readArtifactFile(directory, fileName);
  return parseModelArtifact(json, files, options);
}
