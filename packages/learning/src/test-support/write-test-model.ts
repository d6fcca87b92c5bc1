import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import { packDenseNetwork, writeModelArtifact, type ModelManifestInput } from '@orchestra/learning-policy';
import { createPricedPredictionHead, createRandomDenseLayers } from '@orchestra/learning-policy/testing';

/**
 * Writes a small valid model artifact for tests: random actor weights on the default feature schema and action space;
 * `pricedPrediction` adds a prediction head over state and action that follows the model prices (the cost knob's input).
 */
export async function writeTestModel(directory: string, options: { version: string; ope?: ModelManifestInput['ope']; seed?: number; pricedPrediction?: boolean }): Promise<void> {
  const space = new ActionSpace();
  const actor = packDenseNetwork(createRandomDenseLayers([defaultFeatureSchema.size, 16, space.totalLogits], options.seed ?? 1), 'actor.weights.bin');
  const head = options.pricedPrediction === true ? createPricedPredictionHead(space, defaultFeatureSchema.size) : undefined;
  const prediction = head === undefined ? undefined : packDenseNetwork(head.layers, 'prediction.weights.bin');
  await writeModelArtifact(directory, {
    manifest: {
      formatVersion: 1,
      version: options.version,
      createdAt: '2026-11-25T18:00:00.000Z',
      featureSchema: { version: defaultFeatureSchema.version, hash: defaultFeatureSchema.hash, names: [...defaultFeatureSchema.names] },
      actionSpace: space.toJSON() as unknown as Record<string, unknown>,
      actor: actor.network,
      ope: options.ope === undefined ? { targetBeatsBaseline: true } : options.ope,
      ...(prediction === undefined ? {} : { prediction: { ...prediction.network, input: 'state_and_action' as const, outputs: head!.outputs } }),
    },
    weights: { 'actor.weights.bin': actor.bytes, ...(prediction === undefined ? {} : { 'prediction.weights.bin': prediction.bytes }) },
  });
}
