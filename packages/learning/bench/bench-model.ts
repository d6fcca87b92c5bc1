/** What the facade's benchmarks share: task descriptions and a learned model (80 → 256 → 128 → heads, random weights). */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import { packDenseNetwork, writeModelArtifact } from '@orchestra/learning-policy';
import { createRandomDenseLayers } from '@orchestra/learning-policy/testing';

/** Task descriptions of every kind the benchmarks decide on, in turn. */
export const benchTasks = [
  'fix: login crashes when the password is empty',
  'feat: add CSV export to the reports page with tests',
  'docs: explain the configuration file',
  'refactor the billing service into modules across all services',
  'security: rotate the API keys and harden auth in production',
  'perf: speed up the search query on large tables',
];

/** A fresh temporary directory (`root`) holding a learned model artifact in `root/model`. */
export async function writeBenchModel(prefix: string): Promise<{ root: string; modelDirectory: string; space: ActionSpace }> {
  const root = mkdtempSync(join(tmpdir(), prefix));
  const space = new ActionSpace();
  const actor = packDenseNetwork(createRandomDenseLayers([defaultFeatureSchema.size, 256, 128, space.totalLogits], 3), 'actor.weights.bin');
  const modelDirectory = join(root, 'model');
  mkdirSync(modelDirectory);
  await writeModelArtifact(modelDirectory, {
    manifest: {
      formatVersion: 1,
      version: 'bench-1',
      createdAt: new Date().toISOString(),
      featureSchema: { version: defaultFeatureSchema.version, hash: defaultFeatureSchema.hash, names: [...defaultFeatureSchema.names] },
      actionSpace: space.toJSON() as unknown as Record<string, unknown>,
      actor: actor.network,
      ope: { targetBeatsBaseline: true },
    },
    weights: { 'actor.weights.bin': actor.bytes },
  });
  return { root, modelDirectory, space };
}
