import { chmod, mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultFeatureSchema } from '@orchestra/learning-features';
import {
  deployVerdictOf,
  loadModelArtifact,
  parseModelArtifact,
  readModelArtifactFiles,
  writeModelArtifact,
  type ModelArtifact,
  type ModelManifest,
} from '@orchestra/learning-policy';

/** Directory (inside the data dir) holding the copies of deployed models. */
export const MODELS_DIRECTORY = 'models';

/**
 * Whether a manifest's off-policy comparison says the model beats the rules (`deployVerdictOf` as a boolean): null
 * when the manifest holds none (none run, or why it could not be made). Manifests of earlier versions are migrated
 * to the one schema when they are parsed (`migrateManifestPolicyComparison`), so there is one shape to read here.
 */
export function opeBeatsRules(ope: ModelManifest['ope']): boolean | null {
  const verdict = deployVerdictOf(ope);
  return verdict === 'not-evaluated' ? null : verdict === 'beats-rules';
}

/**
 * Loads and strictly verifies a model artifact against the feature schema this installation encodes with: files
 * opened without following links, regular files only, sizes checked against the manifest, checksums, feature names
 * that hash to the manifest's hash, and a well-formed action space (see `loadModelArtifact`, `checkModelConsistency`).
 */
export function loadVerifiedModel(directory: string): Promise<ModelArtifact> {
  return loadModelArtifact(resolve(directory), { expectedFeatureSchema: { hash: defaultFeatureSchema.hash, size: defaultFeatureSchema.size }, strict: true });
}

/**
 * Copies an artifact into `<dataDir>/models/<version>-<time>` (directories 0700, files 0600) so the deployed model
 * cannot change under the runtime. Only the manifest and the files it names are copied, each read as
 * `loadModelArtifact` reads it (no symlinks, regular files, sizes checked) and verified before anything is written.
 */
export async function copyArtifactIntoDataDir(source: string, dataDir: string, version: string, now: Date): Promise<string> {
  const safeVersion = version.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const modelsDirectory = join(dataDir, MODELS_DIRECTORY);
  const target = join(modelsDirectory, `${safeVersion}-${stamp}`);
  const read = await readModelArtifactFiles(resolve(source), { loadOnnx: true });
  parseModelArtifact(read.manifest, read.files, { expectedFeatureSchema: { hash: defaultFeatureSchema.hash, size: defaultFeatureSchema.size }, strict: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await mkdir(modelsDirectory, { recursive: true, mode: 0o700 });
  if (((await stat(modelsDirectory)).mode & 0o777) !== 0o700) await chmod(modelsDirectory, 0o700);
  await rm(target, { recursive: true, force: true });
  await writeModelArtifact(target, { manifest: read.manifest as ModelManifest, weights: read.files });
  return target;
}
