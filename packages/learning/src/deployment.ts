import { cp, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { defaultFeatureSchema } from '@orchestra/learning-features';
import { loadModelArtifact, type ModelArtifact, type ModelManifest } from '@orchestra/learning-policy';

/** Directory (inside the data dir) holding the copies of deployed models. */
export const MODELS_DIRECTORY = 'models';

/**
 * Whether a manifest's off-policy evaluation says the model beats the rules: reads `ope.targetBeatsBaseline` (the
 * trainer's `PolicyComparison`), or `ope.beatsRules`, or `ope.comparison.targetBeatsBaseline`. Null when the
 * manifest holds no evaluation.
 */
export function opeBeatsRules(ope: ModelManifest['ope']): boolean | null {
  if (ope === null || ope === undefined) return null;
  const candidates: unknown[] = [ope.targetBeatsBaseline, ope.beatsRules];
  const comparison = ope.comparison;
  if (typeof comparison === 'object' && comparison !== null) candidates.push((comparison as Record<string, unknown>).targetBeatsBaseline);
  for (const candidate of candidates) if (typeof candidate === 'boolean') return candidate;
  return null;
}

/** Loads and verifies a model artifact against the feature schema this installation encodes with. */
export function loadVerifiedModel(directory: string): Promise<ModelArtifact> {
  return loadModelArtifact(resolve(directory), { expectedFeatureSchema: { hash: defaultFeatureSchema.hash, size: defaultFeatureSchema.size } });
}

/** Copies an artifact into `<dataDir>/models/<version>-<time>` so the deployed model cannot change under the runtime. */
export async function copyArtifactIntoDataDir(source: string, dataDir: string, version: string, now: Date): Promise<string> {
  const safeVersion = version.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80);
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  const target = join(dataDir, MODELS_DIRECTORY, `${safeVersion}-${stamp}`);
  await mkdir(join(dataDir, MODELS_DIRECTORY), { recursive: true });
  await rm(target, { recursive: true, force: true });
  await cp(resolve(source), target, { recursive: true });
  return target;
}
