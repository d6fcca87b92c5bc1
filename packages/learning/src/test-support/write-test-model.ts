import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import { createRandomDenseLayers, packDenseNetwork, writeModelArtifact } from '@orchestra/learning-policy';

/** Writes a small valid model artifact for tests: random actor weights on the default feature schema and action space. */
export async function writeTestModel(directory: string, options: { version: string; ope?: Record<string, unknown> | null; seed?: number }): Promise<void> {
  const space = new ActionSpace();
  const actor = packDenseNetwork(createRandomDenseLayers([defaultFeatureSchema.size, 16, space.totalLogits], options.seed ?? 1), 'actor.weights.bin');
  await writeModelArtifact(directory, {
    manifest: {
      formatVersion: 1,
      version: options.version,
      createdAt: '2026-11-25T18:00:00.000Z',
      featureSchema: { version: defaultFeatureSchema.version, hash: defaultFeatureSchema.hash, names: [...defaultFeatureSchema.names] },
      actionSpace: space.toJSON() as unknown as Record<string, unknown>,
      actor: actor.network,
      ope: options.ope === undefined ? { targetBeatsBaseline: true } : options.ope,
    },
    weights: { 'actor.weights.bin': actor.bytes },
  });
}
