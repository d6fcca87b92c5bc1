import { cp, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ActionSpace, defaultFeatureSchema, Normalizer } from '@orchestra/learning-features';
import {
  createDenseRuntime,
  isWasmSimdAvailable,
  LearnedPolicy,
  loadModelArtifact,
  ModelArtifactError,
  sha256Hex,
  type ModelArtifactErrorReason,
} from '@orchestra/learning-policy';
import * as onnxRuntime from 'onnxruntime-node';
import { caughtError } from '@orchestra/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactFiles } from './artifact-files';
import { loadTrainedModelArtifact } from './load-trained-model-artifact';
import { SeededRandom } from '../networks/seeded-random';
import { denseLayersForward } from '@orchestra/learning-policy';
import { createRandomDenseLayers as randomDenseLayers, createRandomInputs as randomInputs } from '@orchestra/learning-policy/testing';
import { denseLayersFromTfjsModel } from './tfjs-dense-model';
import { fileSystemSaveHandler, loadTfjsLayersModel } from './tfjs-file-system';
import type { TrainedModel } from './trained-model';
import { writeTrainedModelArtifact } from './write-trained-model-artifact';

const actionSpace = new ActionSpace();
const inputSize = defaultFeatureSchema.size;

function trainedModel(overrides: Partial<TrainedModel> = {}): TrainedModel {
  return {
    version: 'learned-test-1',
    createdAt: '2026-11-25T18:00:00.000Z',
    featureSchema: defaultFeatureSchema,
    actionSpace,
    normalizer: new Normalizer(inputSize, { featureSchemaHash: defaultFeatureSchema.hash }),
    actor: randomDenseLayers([inputSize, 256, 128, actionSpace.totalLogits], 1),
    critic: randomDenseLayers([inputSize, 256, 128, 1], 2),
    training: { learningRate: 3e-4, batchSize: 64, seed: 7 },
    metrics: { validationLoss: 0.42 },
    ope: {
      estimator: 'doubly-robust',
      confidence: 0.95,
      sampleSize: 200,
      target: { value: 0.6, lower: 0.55, upper: 0.65 },
      baseline: { value: 0.5, lower: 0.45, upper: 0.55 },
      difference: { value: 0.1, lower: 0.02, upper: 0.18 },
      targetBeatsBaseline: true,
    },
    ...overrides,
  };
}

/** The greedy action of one row of logits: the argmax within each head. */
function greedyAction(logits: ArrayLike<number>, offset: number): number[] {
  return actionSpace.heads.map((head, headIndex) => {
    let best = 0;
    for (let choice = 1; choice < head.size; choice += 1) {
      if (logits[offset + actionSpace.offsets[headIndex]! + choice]! > logits[offset + actionSpace.offsets[headIndex]! + best]!) best = choice;
    }
    return best;
  });
}

async function expectArtifactError(action: () => Promise<unknown>, reason: ModelArtifactErrorReason): Promise<ModelArtifactError> {
  const caught = await caughtError(() => action());
  expect(ModelArtifactError.isInstance(caught), `expected ModelArtifactError(${reason}), got ${String(caught)}`).toBe(true);
  expect((caught as ModelArtifactError).reason).toBe(reason);
  return caught as ModelArtifactError;
}

let workDirectory: string;
let directory: string;
const model = trainedModel();

beforeAll(async () => {
  workDirectory = await mkdtemp(join(tmpdir(), 'trainer-artifact-'));
  directory = join(workDirectory, 'model');
  await writeTrainedModelArtifact(directory, model);
});

afterAll(async () => {
  await rm(workDirectory, { recursive: true, force: true });
});

/** A copy of the written artifact to damage. */
async function copyArtifact(name: string): Promise<string> {
  const copy = join(workDirectory, name);
  await cp(directory, copy, { recursive: true });
  return copy;
}

async function rewriteManifest(target: string, change: (manifest: Record<string, any>) => void): Promise<void> {
  const manifest = JSON.parse(await readFile(join(target, artifactFiles.manifest), 'utf8'));
  change(manifest);
  await writeFile(join(target, artifactFiles.manifest), JSON.stringify(manifest));
}

describe('writeTrainedModelArtifact', () => {
  it('writes the policy manifest, the weights, tfjs model.json files and actor.onnx, and nothing else', async () => {
    expect((await readdir(directory)).sort()).toEqual(
      ['actor.model.json', 'actor.onnx', 'actor.weights.bin', 'critic.model.json', 'critic.weights.bin', 'manifest.json'].sort(),
    );
    const artifact = await loadModelArtifact(directory, { expectedFeatureSchema: defaultFeatureSchema, loadOnnx: true });
    expect(artifact.manifest.version).toBe('learned-test-1');
    expect(artifact.manifest.featureSchema.hash).toBe(defaultFeatureSchema.hash);
    expect(artifact.manifest.ope).toMatchObject({ targetBeatsBaseline: true });
    expect(artifact.manifest.training).toEqual({ learningRate: 3e-4, batchSize: 64, seed: 7 });
    expect(artifact.manifest.onnx?.file).toBe('actor.onnx');
    expect(artifact.actor.layers.map((layer) => layer.outputSize)).toEqual([256, 128, actionSpace.totalLogits]);
  });

  it('loads back the same weights and action space', async () => {
    const loaded = await loadTrainedModelArtifact(directory, { expectedFeatureSchema: defaultFeatureSchema, expectedActionSpace: actionSpace });
    expect(loaded.actionSpace.hash).toBe(actionSpace.hash);
    expect(loaded.actor).toEqual(model.actor);
    expect(loaded.critic).toEqual(model.critic);
    expect(loaded.onnx).toBeInstanceOf(Uint8Array);
    expect(loaded.tfjsModels).toEqual({ actor: true, critic: true });
  });

  it('writes tfjs models that tfjs loads through tf.io.fromMemory and that compute the same outputs', async () => {
    const actorModel = await loadTfjsLayersModel(join(directory, artifactFiles.actorModel));
    const criticModel = await loadTfjsLayersModel(join(directory, artifactFiles.criticModel));
    try {
      expect(denseLayersFromTfjsModel(actorModel)).toEqual(model.actor);
      const batch = 5;
      const inputs = randomInputs(batch, inputSize, 3);
      const logits = tf.tidy(() => (actorModel.predict(tf.tensor2d(inputs, [batch, inputSize])) as tf.Tensor).dataSync());
      const values = tf.tidy(() => (criticModel.predict(tf.tensor2d(inputs, [batch, inputSize])) as tf.Tensor).dataSync());
      for (let row = 0; row < batch; row += 1) {
        const input = inputs.subarray(row * inputSize, (row + 1) * inputSize);
        const expected = denseLayersForward(model.actor, input);
        for (let column = 0; column < actionSpace.totalLogits; column += 1) {
          expect(Math.abs(logits[row * actionSpace.totalLogits + column]! - expected[column]!)).toBeLessThan(1e-5);
        }
        expect(Math.abs(values[row]! - denseLayersForward(model.critic!, input)[0]!)).toBeLessThan(1e-5);
      }
    } finally {
      actorModel.dispose();
      criticModel.dispose();
    }
  });

  it('writes an actor.onnx that onnxruntime runs to the same logits and the same greedy actions as tfjs', async () => {
    const session = await onnxRuntime.InferenceSession.create(join(directory, artifactFiles.actorOnnx));
    const actorModel = await loadTfjsLayersModel(join(directory, artifactFiles.actorModel));
    try {
      const batch = 32;
      const inputs = randomInputs(batch, inputSize, 4);
      const onnxLogits = (await session.run({ features: new onnxRuntime.Tensor('float32', inputs, [batch, inputSize]) })).logits!.data as Float32Array;
      const tfjsLogits = tf.tidy(() => (actorModel.predict(tf.tensor2d(inputs, [batch, inputSize])) as tf.Tensor).dataSync());
      let largestDifference = 0;
      for (let index = 0; index < onnxLogits.length; index += 1) largestDifference = Math.max(largestDifference, Math.abs(onnxLogits[index]! - tfjsLogits[index]!));
      expect(largestDifference).toBeLessThan(1e-5);
      for (let row = 0; row < batch; row += 1) {
        const plain = denseLayersForward(model.actor, inputs.subarray(row * inputSize, (row + 1) * inputSize));
        expect(greedyAction(onnxLogits, row * actionSpace.totalLogits)).toEqual(greedyAction(plain, 0));
        expect(greedyAction(tfjsLogits, row * actionSpace.totalLogits)).toEqual(greedyAction(plain, 0));
      }
    } finally {
      await session.release();
      actorModel.dispose();
    }
  });

  it('gives the policy package runtimes (TypeScript and WebAssembly SIMD) the same logits and actions as onnxruntime', async () => {
    const artifact = await loadModelArtifact(directory, { loadOnnx: true });
    const session = await onnxRuntime.InferenceSession.create(artifact.onnx!);
    try {
      const batch = 16;
      const inputs = randomInputs(batch, inputSize, 5);
      const onnxLogits = (await session.run({ features: new onnxRuntime.Tensor('float32', inputs, [batch, inputSize]) })).logits!.data as Float32Array;
      const kinds = isWasmSimdAvailable() ? (['typescript', 'wasm-simd'] as const) : (['typescript'] as const);
      for (const kind of kinds) {
        const runtime = createDenseRuntime(artifact.actor, { maxBatch: batch, prefer: kind });
        runtime.input.set(inputs);
        runtime.run(batch);
        for (let row = 0; row < batch; row += 1) {
          const runtimeRow = runtime.output.subarray(row * runtime.outputStride, row * runtime.outputStride + actionSpace.totalLogits);
          const onnxRow = onnxLogits.subarray(row * actionSpace.totalLogits, (row + 1) * actionSpace.totalLogits);
          for (let column = 0; column < actionSpace.totalLogits; column += 1) expect(Math.abs(runtimeRow[column]! - onnxRow[column]!)).toBeLessThan(1e-5);
          expect(greedyAction(runtimeRow, 0)).toEqual(greedyAction(onnxRow, 0));
        }
      }
    } finally {
      await session.release();
    }
    const policy = await LearnedPolicy.load(directory, { selection: 'argmax' });
    expect(policy.version).toBe('learned-test-1');
  });

  it('can leave out the critic and the ONNX export', async () => {
    const target = join(workDirectory, 'actor-only');
    const manifest = await writeTrainedModelArtifact(target, trainedModel({ critic: undefined, normalizer: null, ope: null }), { onnx: false });
    expect(manifest.onnx).toBeUndefined();
    expect(manifest.ope).toBeNull();
    expect((await readdir(target)).sort()).toEqual(['actor.model.json', 'actor.weights.bin', 'manifest.json']);
    const loaded = await loadTrainedModelArtifact(target);
    expect(loaded.critic).toBeUndefined();
    expect(loaded.onnx).toBeUndefined();
  });

  it('stores a prediction head and loads it back, and LearnedPolicy sees it', async () => {
    const target = join(workDirectory, 'with-prediction');
    const prediction = {
      layers: randomDenseLayers([inputSize + actionSpace.totalLogits, 32, 3], 9),
      input: 'state_and_action' as const,
      outputs: [
        { name: 'durationMs' as const, transform: 'exp' as const, scale: 60_000 },
        { name: 'costUsd' as const, transform: 'softplus' as const, scale: 1 },
        { name: 'successProbability' as const, transform: 'sigmoid' as const, scale: 1 },
      ],
    };
    const manifest = await writeTrainedModelArtifact(target, trainedModel({ prediction }));
    expect(manifest.prediction?.weightsFile).toBe('prediction.weights.bin');
    const loaded = await loadTrainedModelArtifact(target);
    expect(loaded.prediction?.layers).toEqual(prediction.layers);
    expect(loaded.prediction?.outputs).toEqual(prediction.outputs);
    const policy = await LearnedPolicy.load(target);
    expect(policy.artifact.prediction?.input).toBe('state_and_action');
  });

  it('refuses an actor whose outputs are not the action space logits, before writing anything', async () => {
    const target = join(workDirectory, 'wrong-actor');
    await expectArtifactError(() => writeTrainedModelArtifact(target, trainedModel({ actor: randomDenseLayers([inputSize, 8, 5], 1) })), 'action-space-mismatch');
    await expect(readdir(target)).rejects.toThrow();
  });
});

describe('fileSystemSaveHandler', () => {
  it('saves any tfjs layers model as model.json + weights.bin and loads it back', async () => {
    const target = join(workDirectory, 'plain-tfjs');
    const source = tf.sequential({ layers: [tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu' }), tf.layers.dense({ units: 2 })] });
    await source.save(fileSystemSaveHandler(target));
    expect((await readdir(target)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(target, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    expect((await readFile(join(target, 'weights.bin'))).byteLength).toBe((3 * 4 + 4 + 4 * 2 + 2) * 4);
    const loaded = await loadTfjsLayersModel(join(target, 'model.json'));
    const input = tf.tensor2d([[0.5, -1, 2]]);
    expect(Array.from((loaded.predict(input) as tf.Tensor).dataSync())).toEqual(Array.from((source.predict(input) as tf.Tensor).dataSync()));
    tf.dispose([input]);
    source.dispose();
    loaded.dispose();
  });
});

describe('loading a corrupt or incompatible artifact', () => {
  it('reports a manifest that is not JSON as corrupt', async () => {
    const target = await copyArtifact('bad-json');
    await writeFile(join(target, artifactFiles.manifest), '{"formatVersion": 1, ');
    await expectArtifactError(() => loadTrainedModelArtifact(target), 'corrupt');
  });

  it('reports a truncated weights file as corrupt: its size is checked against the manifest before reading', async () => {
    const target = await copyArtifact('truncated-weights');
    const bytes = await readFile(join(target, artifactFiles.actorWeights));
    await writeFile(join(target, artifactFiles.actorWeights), bytes.subarray(0, bytes.byteLength - 100));
    await expectArtifactError(() => loadTrainedModelArtifact(target), 'corrupt');
  });

  it('reports a missing actor.onnx and a missing directory as missing files', async () => {
    const target = await copyArtifact('no-onnx');
    await rm(join(target, artifactFiles.actorOnnx));
    await expectArtifactError(() => loadTrainedModelArtifact(target), 'missing-file');
    await expectArtifactError(() => loadTrainedModelArtifact(join(workDirectory, 'does-not-exist')), 'missing-file');
  });

  it('reports garbage in actor.onnx as corrupt even when its checksum was updated', async () => {
    const target = await copyArtifact('garbage-onnx');
    const garbage = new TextEncoder().encode('this is not an onnx model at all');
    await writeFile(join(target, artifactFiles.actorOnnx), garbage);
    await rewriteManifest(target, (manifest) => {
      manifest.onnx.sha256 = sha256Hex(garbage);
    });
    const error = await expectArtifactError(() => loadTrainedModelArtifact(target), 'corrupt');
    expect(error.location).toContain('actor.onnx');
  });

  it('reports a damaged or mismatched tfjs model.json as corrupt', async () => {
    const notJson = await copyArtifact('tfjs-not-json');
    await writeFile(join(notJson, artifactFiles.actorModel), '<html>');
    await expectArtifactError(() => loadTrainedModelArtifact(notJson), 'corrupt');

    const escaping = await copyArtifact('tfjs-escaping-path');
    const json = JSON.parse(await readFile(join(escaping, artifactFiles.actorModel), 'utf8'));
    json.weightsManifest[0].paths = ['../model/actor.weights.bin'];
    await writeFile(join(escaping, artifactFiles.actorModel), JSON.stringify(json));
    await expectArtifactError(() => loadTrainedModelArtifact(escaping), 'corrupt');

    const swapped = await copyArtifact('tfjs-points-at-critic');
    json.weightsManifest[0].paths = ['critic.weights.bin'];
    await writeFile(join(swapped, artifactFiles.actorModel), JSON.stringify(json));
    await expectArtifactError(() => loadTrainedModelArtifact(swapped), 'corrupt');
  });

  it('reports a tfjs model.json with an unknown layer class as corrupt instead of crashing tfjs', async () => {
    const target = await copyArtifact('tfjs-unknown-layer');
    const json = JSON.parse(await readFile(join(target, artifactFiles.actorModel), 'utf8'));
    json.modelTopology.config.layers[0].class_name = 'NoSuchLayer';
    await writeFile(join(target, artifactFiles.actorModel), JSON.stringify(json));
    await expectArtifactError(() => loadTfjsLayersModel(join(target, artifactFiles.actorModel)), 'corrupt');
  });

  it('loads an artifact without the optional tfjs files (written by another tool) and says so', async () => {
    const target = await copyArtifact('no-tfjs');
    await rm(join(target, artifactFiles.actorModel));
    await rm(join(target, artifactFiles.criticModel));
    expect((await loadTrainedModelArtifact(target)).tfjsModels).toEqual({ actor: false, critic: false });
  });

  it('never throws anything but ModelArtifactError, whatever bytes are damaged', async () => {
    const target = await copyArtifact('fuzzed');
    const random = new SeededRandom(99);
    const originals = new Map<string, Buffer>();
    for (const file of [artifactFiles.manifest, artifactFiles.actorModel, artifactFiles.actorOnnx, artifactFiles.actorWeights]) {
      originals.set(file, await readFile(join(target, file)));
    }
    const outcomes = { loaded: 0, refused: 0 };
    for (let round = 0; round < 40; round += 1) {
      const file = [...originals.keys()][round % originals.size]!;
      const damaged = Buffer.from(originals.get(file)!);
      const flips = 1 + random.integer(4);
      for (let flip = 0; flip < flips; flip += 1) damaged[random.integer(damaged.length)] = random.integer(256);
      if (round % 8 === 7) damaged.subarray(random.integer(damaged.length)).fill(0);
      await writeFile(join(target, file), damaged);
      if (file === artifactFiles.actorOnnx || file === artifactFiles.actorWeights) {
        // Keep the checksum right, so the damage reaches the ONNX reader and the weight checks.
        const manifest = JSON.parse(originals.get(artifactFiles.manifest)!.toString('utf8'));
        if (file === artifactFiles.actorOnnx) manifest.onnx.sha256 = sha256Hex(damaged);
        else manifest.actor.sha256 = sha256Hex(damaged);
        await writeFile(join(target, artifactFiles.manifest), JSON.stringify(manifest));
      }
      try {
        await loadTrainedModelArtifact(target);
        outcomes.loaded += 1;
      } catch (error) {
        expect(ModelArtifactError.isInstance(error), `round ${round} (${file}): ${String(error)}`).toBe(true);
        outcomes.refused += 1;
      }
      await writeFile(join(target, file), originals.get(file)!);
      await writeFile(join(target, artifactFiles.manifest), originals.get(artifactFiles.manifest)!);
    }
    // Some damage is harmless (a flipped weight that stays finite, with its checksum updated; a changed date digit).
    expect(outcomes.refused).toBeGreaterThan(10);
    expect(outcomes.loaded + outcomes.refused).toBe(40);
  });

  it('refuses another format version, feature schema or action space', async () => {
    const newer = await copyArtifact('format-2');
    await rewriteManifest(newer, (manifest) => {
      manifest.formatVersion = 2;
    });
    await expectArtifactError(() => loadTrainedModelArtifact(newer), 'format-version');
    await expectArtifactError(() => loadTrainedModelArtifact(directory, { expectedFeatureSchema: { hash: 'another-schema' } }), 'feature-schema-mismatch');
    await expectArtifactError(() => loadTrainedModelArtifact(directory, { expectedActionSpace: { hash: 'another-space' } }), 'action-space-mismatch');
  });

  it('reports an action space that does not fit the actor', async () => {
    const target = await copyArtifact('bad-action-space');
    await rewriteManifest(target, (manifest) => {
      manifest.actionSpace.heads = [];
    });
    await expectArtifactError(() => loadTrainedModelArtifact(target), 'corrupt');
  });
});
