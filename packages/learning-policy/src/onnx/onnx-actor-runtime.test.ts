import { encodeState } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { OnnxRuntimeUnavailableError } from '../errors/onnx-runtime-unavailable-error';
import { LearnedPolicy } from '../learned/learned-policy';
import { createTestArtifact } from '../test-support/create-test-artifact';
import { makeInput } from '../test-support/inputs';
import { encodeOnnxDenseNetwork } from './encode-onnx-dense-network';
import { OnnxActorRuntime } from './onnx-actor-runtime';

describe('OnnxActorRuntime', () => {
  const artifact = createTestArtifact({ hidden: [64, 32] });

  it('runs the same actor through onnxruntime-node, agreeing with the in-process runtime to 1e-5', async () => {
    const onnx = await OnnxActorRuntime.create(encodeOnnxDenseNetwork(artifact.actor), artifact.actor.inputSize);
    const inProcess = new LearnedPolicy(artifact, { selection: 'argmax' });
    const viaOnnx = new LearnedPolicy(artifact, { selection: 'argmax', onnx });
    const complexities = ['simple', 'medium', 'complex'] as const;
    for (let index = 0; index < 30; index += 1) {
      const input = makeInput({ context: { complexity: complexities[index % 3]!, estimatedTimeMinutes: 3 + index * 11 }, system: { load: (index % 7) / 7 } });
      const expected = inProcess.logits(input).slice(0, 45);
      const logits = await onnx.run(encodeState(input), 1);
      for (let position = 0; position < 45; position += 1) expect(Math.abs(logits[position]! - expected[position]!)).toBeLessThan(1e-5);
      expect((await viaOnnx.decideAsync(input)).action).toEqual(inProcess.decide(input).action);
    }
  });

  it('reports a missing onnxruntime-node as a typed error', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'onnxruntime-node'"));
    await expect(OnnxActorRuntime.create(new Uint8Array(4), 51, { importModule: missing })).rejects.toSatisfy(OnnxRuntimeUnavailableError.isInstance);
    await expect(OnnxActorRuntime.create(new Uint8Array([1, 2, 3]), 51)).rejects.toThrow(/cannot load the actor/);
  });
});
