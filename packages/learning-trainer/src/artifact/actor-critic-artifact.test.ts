import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import * as onnxRuntime from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { parseTrainerConfig } from '../config/trainer-config';
import { ActorCritic } from '../networks/actor-critic';
import { artifactFiles } from './artifact-files';
import { loadTrainedModelArtifact } from './load-trained-model-artifact';
import { createRandomInputs as randomInputs } from '@orchestra/learning-policy/testing';
import { writeTrainedModelArtifact } from './write-trained-model-artifact';

describe('an ActorCritic from the trainer through the artifact', () => {
  it('keeps the weights exactly and onnxruntime reproduces the trainer’s own forward pass', async () => {
    const space = new ActionSpace();
    const stateSize = defaultFeatureSchema.size;
    const config = parseTrainerConfig({ seed: 3 });
    const networks = new ActorCritic({ stateSize, heads: { sizes: space.heads.map((head) => head.size) }, config });
    const directory = await mkdtemp(join(tmpdir(), 'actor-critic-artifact-'));
    try {
      await writeTrainedModelArtifact(directory, {
        version: 'actor-critic-test',
        featureSchema: defaultFeatureSchema,
        actionSpace: space,
        actor: networks.getActorWeights(),
        critic: networks.getCriticWeights(),
        training: { ...config },
      });
      const loaded = await loadTrainedModelArtifact(directory, { expectedFeatureSchema: defaultFeatureSchema, expectedActionSpace: space });
      expect(loaded.actor).toEqual(networks.getActorWeights());
      expect(loaded.critic).toEqual(networks.getCriticWeights());

      const batch = 8;
      const inputs = randomInputs(batch, stateSize, 21);
      networks.actor.input(batch).set(inputs);
      const trainerLogits = networks.actor.forward(batch).slice();
      const session = await onnxRuntime.InferenceSession.create(join(directory, artifactFiles.actorOnnx));
      try {
        const onnxLogits = (await session.run({ features: new onnxRuntime.Tensor('float32', inputs, [batch, stateSize]) })).logits!.data as Float32Array;
        expect(onnxLogits.length).toBe(trainerLogits.length);
        let largestDifference = 0;
        for (let index = 0; index < onnxLogits.length; index += 1) largestDifference = Math.max(largestDifference, Math.abs(onnxLogits[index]! - trainerLogits[index]!));
        expect(largestDifference).toBeLessThan(1e-5);
      } finally {
        await session.release();
      }
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
