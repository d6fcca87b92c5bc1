import { ActionSpace, actionHeads, defaultFeatureSchema, featureSchemaToJSON } from '@orchestra/learning-features';
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
  /**
   * A prediction head over state and action whose predictions follow the model prices: every active model head adds
   * its model's price × 20k tokens to the cost (USD) and a tier bonus to the success logit (cheap 0, mid 0.3,
   * expensive 0.8 / 1.0 for the dearer one). Linear in the action one-hot, independent of the state.
   */
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
    const inputSize = schema.size + space.totalLogits;
    const kernel = new Float32Array(inputSize * 3);
    const bias = Float32Array.from([Math.log(600_000), 0, -0.5]);
    const quality = [0, 0.3, 0.8, 1];
    for (const head of [actionHeads.model_architect, actionHeads.model_executor, actionHeads.model_auditor, actionHeads.model_consultant]) {
      space.catalog.models.forEach((model, choice) => {
        const row = schema.size + space.offsets[head]! + choice;
        kernel[row * 3 + 1] = (model.inputPricePer1kTokens + model.outputPricePer1kTokens) * 20;
        kernel[row * 3 + 2] = quality[choice] ?? 0;
      });
    }
    const prediction = packDenseNetwork([{ inputSize, outputSize: 3, activation: 'linear', kernel, bias }], 'prediction.weights.bin');
    weights['prediction.weights.bin'] = prediction.bytes;
    manifest.prediction = {
      ...prediction.network,
      input: 'state_and_action',
      outputs: [
        { name: 'durationMs', transform: 'exp', scale: 1 },
        { name: 'costUsd', transform: 'identity', scale: 1 },
        { name: 'successProbability', transform: 'sigmoid' },
      ],
    };
  }
  return { manifest, weights };
}

/** `createTestArtifactFiles`, parsed. */
export function createTestArtifact(options: TestArtifactOptions = {}): ModelArtifact {
  const { manifest, weights } = createTestArtifactFiles(options);
  return parseModelArtifact(manifest, weights);
}
