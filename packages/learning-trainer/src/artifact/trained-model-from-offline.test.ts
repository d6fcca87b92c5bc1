import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace, createFeatureSchema, encodeState } from '@orchestra/learning-features';
import { LearnedPolicy } from '@orchestra/learning-policy';
import { afterAll, describe, expect, it } from 'vitest';
import { trainOffline } from '../offline/train-offline';
import { syntheticExperiences } from '../offline/test-support/synthetic-experiences';
import { predictOutcome } from '../prediction/prediction-heads';
import { trainedModelFromOffline } from './trained-model-from-offline';
import { writeTrainedModelArtifact } from './write-trained-model-artifact';

const directory = mkdtempSync(join(tmpdir(), 'orchestra-trained-model-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('trainedModelFromOffline', () => {
  it('carries the prediction head through the artifact: the policy runtime predicts what the trainer predicts', async () => {
    const actionSpace = new ActionSpace();
    const experiences = syntheticExperiences({ count: 400, seed: 11, exploration: 1 });
    const result = await trainOffline({
      experiences,
      actionSpace,
      config: { seed: 5, actor: { hiddenSizes: [32] }, critic: { hiddenSizes: [32] }, offline: { epochs: 2 } },
    });
    expect(result.predictions).toBeDefined();
    // The synthetic experiences carry 51 features; any schema of that size with their hash stands in for the real one.
    const schema = createFeatureSchema();
    const featureSchema = { version: schema.version, hash: result.featureSchemaHash, names: schema.names };
    const model = trainedModelFromOffline(result, { version: 'with-predictions', featureSchema });
    await writeTrainedModelArtifact(join(directory, 'model'), model, { onnx: false });
    const policy = await LearnedPolicy.load(join(directory, 'model'), {
      featureSchema: { ...schema, hash: result.featureSchemaHash },
      selection: 'argmax',
    });
    const experience = experiences[0]!;
    const input = { context: experience.state.context, system: experience.state.system };
    const decision = policy.decide(input);
    expect(decision.predicted).toBeDefined();
    const indices = actionSpace.encode(decision.action);
    const state = encodeState(input, undefined, schema);
    const reference = predictOutcome(result.predictions!.weights, state, indices, actionSpace.activeHeads(indices), actionSpace);
    expect(decision.predicted!.durationMs / reference.durationMs).toBeCloseTo(1, 5);
    expect(decision.predicted!.costUsd).toBeCloseTo(reference.costUsd, 4);
    expect(decision.predicted!.successProbability).toBeCloseTo(reference.successProbability, 4);
  });

  it('refuses a feature schema the model was not trained on', async () => {
    const result = await trainOffline({
      experiences: syntheticExperiences({ count: 120, seed: 12, exploration: 1 }),
      config: { seed: 1, actor: { hiddenSizes: [8] }, critic: { hiddenSizes: [8] }, offline: { epochs: 1 } },
      predictions: false,
    });
    expect(() => trainedModelFromOffline(result, { version: 'x', featureSchema: createFeatureSchema({ textDimensions: 4 }) })).toThrow(RangeError);
  });
});
