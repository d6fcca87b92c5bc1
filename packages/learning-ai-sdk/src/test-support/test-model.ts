import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultFeatureSchema } from '@orchestra/learning-features';
import { packDenseNetwork, writeModelArtifact } from '@orchestra/learning-policy';
import { createRandomDenseLayers } from '@orchestra/learning-policy/testing';
import type { LearningManager } from '@orchestra/learning';

/**
 * Writes a small valid learned-policy artifact (random actor weights on the manager's catalog) and deploys it past
 * the OPE gate (`force`): what a test needs to see the learned policy decide in `production`.
 */
export async function deployTestModel(learning: LearningManager, dataDir: string, version = 'ai-sdk-test-1'): Promise<void> {
  const space = learning.actionSpace;
  const actor = packDenseNetwork(createRandomDenseLayers([defaultFeatureSchema.size, 16, space.totalLogits], 7), 'actor.weights.bin');
  const directory = await mkdtemp(join(dataDir, 'candidate-'));
  await writeModelArtifact(directory, {
    manifest: {
      formatVersion: 1,
      version,
      createdAt: '2026-12-01T00:00:00.000Z',
      featureSchema: { version: defaultFeatureSchema.version, hash: defaultFeatureSchema.hash, names: [...defaultFeatureSchema.names] },
      actionSpace: space.toJSON() as unknown as Record<string, unknown>,
      actor: actor.network,
      ope: { targetBeatsBaseline: true },
    },
    weights: { 'actor.weights.bin': actor.bytes },
  });
  await learning.deploy(directory, { force: true });
}
