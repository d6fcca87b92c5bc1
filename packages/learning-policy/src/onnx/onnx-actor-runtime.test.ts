import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeState } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { OnnxRuntimeUnavailableError } from '../errors/onnx-runtime-unavailable-error';
import { LearnedPolicy } from '../learned/learned-policy';
import { createTestArtifact, createTestArtifactFiles } from '../test-support/create-test-artifact';
import { parseModelArtifact } from '../artifact/parse-model-artifact';
import { writeModelArtifact } from '../artifact/write-model-artifact';
import { sha256Hex } from '../artifact/sha256';
import { makeInput } from '../test-support/inputs';
import { exportDenseLayersToOnnx } from './export-dense-layers-to-onnx';
import { OnnxActorRuntime } from './onnx-actor-runtime';

describe('OnnxActorRuntime', () => {
  const artifact = createTestArtifact({ hidden: [64, 32] });

  it('runs the same actor through onnxruntime-node, agreeing with the in-process runtime to 1e-5', async () => {
    const onnx = await OnnxActorRuntime.create(exportDenseLayersToOnnx(artifact.actor.layers), artifact.actor.inputSize);
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

  it('loads the ONNX export named by an artifact manifest', async () => {
    const { manifest, weights } = createTestArtifactFiles({ hidden: [16] });
    const bytes = exportDenseLayersToOnnx(parseModelArtifact(manifest, weights).actor.layers);
    const directory = await mkdtemp(join(tmpdir(), 'policy-onnx-'));
    try {
      await writeModelArtifact(directory, { manifest: { ...manifest, onnx: { file: 'actor.onnx', sha256: sha256Hex(bytes) } }, weights: { ...weights, 'actor.onnx': bytes } });
      const policy = await LearnedPolicy.loadWithOnnx(directory, { selection: 'argmax' });
      const decision = await policy.decideAsync(makeInput());
      expect(decision.explanation[0]).toMatch(/onnxruntime-node/);
      expect(decision.action).toEqual(policy.decide(makeInput()).action);
      await writeModelArtifact(directory, { manifest, weights });
      await expect(LearnedPolicy.loadWithOnnx(directory)).rejects.toMatchObject({ reason: 'missing-file' });
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reports a missing onnxruntime-node as a typed error', async () => {
    const missing = () => Promise.reject(new Error("Cannot find package 'onnxruntime-node'"));
    await expect(OnnxActorRuntime.create(new Uint8Array(4), 51, { importModule: missing })).rejects.toSatisfy(OnnxRuntimeUnavailableError.isInstance);
    await expect(OnnxActorRuntime.create(new Uint8Array([1, 2, 3]), 51)).rejects.toThrow(/cannot load the actor/);
  });
});
