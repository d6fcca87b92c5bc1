import { ActionSpace, defaultFeatureSchema, featureSchemaToJSON } from '@orchestra/learning-features';
import { createPricedPredictionHead } from '../artifact/priced-prediction-head';
import type { ModelArtifact } from '../artifact/model-artifact';
import type { ModelManifestInput } from '../artifact/model-manifest';
import { parseModelArtifact } from '../artifact/parse-model-artifact';
import { createRandomDenseLayers } from '../artifact/random-dense-network';
import { packDenseNetwork } from '../artifact/write-model-artifact';

/** Options of the test artifact: hidden sizes, seed, a prediction head, and edits of the final logits' biases. */
export interface TestArtifactOptions {
  readonly hidden?: readonly number[];
  readonly seed?: number;
  readonly prediction?: boolean;
  /** A prediction head over state and action that follows the model prices (`createPricedPredictionHead`). */
  readonly pricedPrediction?: boolean;
  /** Added to the actor's last-layer bias (e.g. to make one choice dominant). */
  readonly logitBias?: Readonly<Record<number, number>>;
  readonly version?: string;
  /** Fixed logits: the last layer's kernel becomes zero and its bias these values, whatever the input. */
  readonly logits?: ArrayLike<number>;
  /** Manifest fields to override (e.g. another feature-schema hash). */
  readonly manifest?: Partial<ModelManifestInput>;
}

/** A valid artifact for the default feature schema and action space with seeded random weights, in memory. */
export function createTestArtifactFiles(options: TestArtifactOptions = {}): { manifest: ModelManifestInput; weights: Record<string, Uint8Array> } {
  const space = new ActionSpace();
  const schema = defaultFeatureSchema;
  const actorLayers = createRandomDenseLayers([schema.size, ...(options.hidden ?? [32, 16]), space.totalLogits], options.seed ?? 5);
  const last = actorLayers[actorLayers.length - 1]!;
  for (const [index, value] of Object.entries(options.logitBias ?? {})) last.bias[Number(index)] = last.bias[Number(index)]! + value;
  if (options.logits !== undefined) {
    last.kernel.fill(0);
    last.bias.set(Array.from(options.logits));
  }
  const actor = packDenseNetwork(actorLayers, 'actor.weights.bin');
  const weights: Record<string, Uint8Array> = { 'actor.weights.bin': actor.bytes };
  const schemaJson = featureSchemaToJSON(schema);
  const manifest: ModelManifestInput = {
    formatVersion: 1,
    version: options.version ?? 'test-model-1',
    createdAt: '2026-11-25T18:00:00.000Z',
    featureSchema: { version: schemaJson.version, hash: schemaJson.hash, names: schemaJson.names },
    actionSpace: space.toJSON(),
    actor: actor.network,
    ...options.manifest,
  };
  if (options.prediction === true) {
    const prediction = packDenseNetwork(createRandomDenseLayers([schema.size, 8, 3], (options.seed ?? 5) + 1), 'prediction.weights.bin');
    weights['prediction.weights.bin'] = prediction.bytes;
    manifest.prediction = {
      ...prediction.network,
      outputs: [
        { name: 'durationMs', transform: 'exp', scale: 60_000 },
        { name: 'costUsd', transform: 'softplus', scale: 0.1 },
        { name: 'successProbability', transform: 'sigmoid' },
      ],
    };
  }
  if (options.pricedPrediction === true) {
    const head = createPricedPredictionHead(space, schema.size);
    const prediction = packDenseNetwork(head.layers, 'prediction.weights.bin');
    weights['prediction.weights.bin'] = prediction.bytes;
    manifest.prediction = { ...prediction.network, input: 'state_and_action', outputs: head.outputs };
  }
  return { manifest, weights };
}

/** `createTestArtifactFiles`, parsed. */
export function createTestArtifact(options: TestArtifactOptions = {}): ModelArtifact {
  const { manifest, weights } = createTestArtifactFiles(options);
  return parseModelArtifact(manifest, weights);
}
