import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import type { ModelManifestInput } from '../artifact/model-manifest';
import { createPricedPredictionHead } from '../artifact/priced-prediction-head';
import { createRandomDenseLayers } from '../artifact/random-dense-network';
import { packDenseNetwork, writeModelArtifact } from '../artifact/write-model-artifact';

/** Options of `writeTestModelArtifact`. */
export interface TestModelArtifactOptions {
  readonly version: string;
  /** The manifest's `ope` (default `{ targetBeatsBaseline: true }`: the deploy gate lets it through). */
  readonly ope?: ModelManifestInput['ope'];
  /** Seed of the random actor weights (default 1). */
  readonly seed?: number;
  /** The action space (model catalog) of the actor's logits (default: the default catalog's). */
  readonly actionSpace?: ActionSpace;
  /** Adds a prediction head over state and action that follows the model prices (the cost knob's input). */
  readonly pricedPrediction?: boolean;
}

/**
 * Writes a small valid model artifact for tests of the packages above the policy: a random actor [features → 16 →
 * logits] on the default feature schema, optionally a priced prediction head.
 */
export async function writeTestModelArtifact(directory: string, options: TestModelArtifactOptions): Promise<void> {
  const space = options.actionSpace ?? new ActionSpace();
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
