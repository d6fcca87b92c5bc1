import { mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caughtError } from '@orchestra/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelArtifactError, type ModelArtifactErrorReason } from '../errors/model-artifact-error';
import { loadModelArtifact } from './load-model-artifact';
import type { ModelManifestInput } from './model-manifest';
import { parseModelArtifact } from './parse-model-artifact';
import { createRandomDenseLayers } from './random-dense-network';
import { sha256Hex } from './sha256';
import { packDenseNetwork, writeModelArtifact } from './write-model-artifact';

const featureNames = ['bias', 'complexity', 'risk', 'load'];

function makeArtifact() {
  const actor = packDenseNetwork(createRandomDenseLayers([4, 8, 6], 1), 'actor.weights.bin');
  const prediction = packDenseNetwork(createRandomDenseLayers([4, 5, 3], 2), 'prediction.weights.bin');
  const manifest: ModelManifestInput = {
    formatVersion: 1,
    version: 'test-1',
    createdAt: '2026-11-25T18:00:00.000Z',
    featureSchema: { version: 1, hash: 'abc123', names: featureNames },
    actionSpace: { heads: [{ name: 'approach', size: 6 }] },
    actor: actor.network,
    prediction: {
      ...prediction.network,
      outputs: [
        { name: 'durationMs', transform: 'exp' },
        { name: 'costUsd', transform: 'softplus', scale: 0.01 },
        { name: 'successProbability', transform: 'sigmoid' },
      ],
    },
    training: { epochs: 3 },
  };
  return { manifest, weights: { 'actor.weights.bin': actor.bytes, 'prediction.weights.bin': prediction.bytes } };
}

function reasonOf(action: () => unknown): ModelArtifactErrorReason | 'no error' {
  const error = caughtError(action);
  if (error === undefined) return 'no error';
  if (ModelArtifactError.isInstance(error)) return error.reason;
  throw error;
}

const directories: string[] = [];
afterEach(async () => {
  for (const directory of directories.splice(0)) await rm(directory, { recursive: true, force: true });
});

describe('model artifact format', () => {
  it('round-trips weights exactly through pack, write and load', async () => {
    const { manifest, weights } = makeArtifact();
    const directory = await mkdtemp(join(tmpdir(), 'policy-artifact-'));
    directories.push(directory);
    await writeModelArtifact(directory, { manifest, weights });
    const artifact = await loadModelArtifact(directory, { expectedFeatureSchema: { hash: 'abc123', size: 4 } });
    const layers = createRandomDenseLayers([4, 8, 6], 1);
    expect(artifact.actor.inputSize).toBe(4);
    expect(artifact.actor.outputSize).toBe(6);
    expect(Array.from(artifact.actor.layers[1]!.kernel)).toEqual(Array.from(layers[1]!.kernel));
    expect(Array.from(artifact.actor.layers[0]!.bias)).toEqual(Array.from(layers[0]!.bias));
    expect(artifact.prediction?.outputs.map((output) => output.scale)).toEqual([1, 0.01, 1]);
    expect(artifact.manifest.ope).toBeNull();
  });

  it('lays the kernel out row-major [input][output] with each layer\'s bias after its kernel', () => {
    const { network, bytes } = packDenseNetwork(
      [{ inputSize: 2, outputSize: 3, activation: 'linear', kernel: [1, 2, 3, 4, 5, 6], bias: [7, 8, 9] }],
      'actor.weights.bin',
    );
    expect(network.layers[0]).toMatchObject({ kernel: { offset: 0, length: 6 }, bias: { offset: 6, length: 3 } });
    const view = new DataView(bytes.buffer);
    expect(view.getFloat32(4 * 4, true)).toBe(5); // kernel[1][1]
    expect(view.getFloat32(8 * 4, true)).toBe(9);
  });

  it('reads weights from a buffer that starts at an odd byte offset', () => {
    const { manifest, weights } = makeArtifact();
    const shifted = new Uint8Array(weights['actor.weights.bin'].byteLength + 1).subarray(1);
    shifted.set(weights['actor.weights.bin']);
    const artifact = parseModelArtifact(manifest, { ...weights, 'actor.weights.bin': shifted });
    expect(artifact.actor.layers[0]!.kernel[0]).toBe(createRandomDenseLayers([4, 8, 6], 1)[0]!.kernel[0]);
  });

  it('refuses each kind of broken artifact with its reason', () => {
    const { manifest, weights } = makeArtifact();
    const flipped = new Uint8Array(weights['actor.weights.bin']);
    flipped[10] = flipped[10]! ^ 1;
    const nanActor = packDenseNetwork([{ inputSize: 4, outputSize: 1, activation: 'linear', kernel: [1, Number.NaN, 0, 0], bias: [0] }], 'actor.weights.bin');
    expect(reasonOf(() => parseModelArtifact(manifest, weights))).toBe('no error');
    expect(reasonOf(() => parseModelArtifact({ ...manifest, formatVersion: 2 }, weights))).toBe('format-version');
    expect(reasonOf(() => parseModelArtifact({ ...manifest, version: '' }, weights))).toBe('corrupt');
    expect(reasonOf(() => parseModelArtifact('[]', weights))).toBe('corrupt');
    expect(reasonOf(() => parseModelArtifact(manifest, { 'actor.weights.bin': weights['actor.weights.bin'] }))).toBe('missing-file');
    expect(reasonOf(() => parseModelArtifact(manifest, { ...weights, 'actor.weights.bin': flipped }))).toBe('checksum-mismatch');
    expect(reasonOf(() => parseModelArtifact({ ...manifest, actor: nanActor.network, prediction: undefined }, nanActor.bytes))).toBe('corrupt');
    expect(reasonOf(() => parseModelArtifact(manifest, weights, { expectedFeatureSchema: { hash: 'other' } }))).toBe('feature-schema-mismatch');
    expect(reasonOf(() => parseModelArtifact(manifest, weights, { expectedFeatureSchema: { hash: 'abc123', size: 5 } }))).toBe('feature-schema-mismatch');
    // A file whose checksum matches but which is too short for the slices the manifest names.
    const short = weights['actor.weights.bin'].slice(0, 40);
    const shortManifest = { ...manifest, actor: { ...manifest.actor, sha256: sha256Hex(short) } };
    expect(reasonOf(() => parseModelArtifact(shortManifest, { ...weights, 'actor.weights.bin': short }))).toBe('corrupt');
  });

  it('names the offending manifest field when layers do not chain', () => {
    const { manifest, weights } = makeArtifact();
    const layers = manifest.actor.layers.map((layer, index) => (index === 1 ? { ...layer, inputSize: 7, kernel: { ...layer.kernel, length: 42 } } : layer));
    try {
      parseModelArtifact({ ...manifest, actor: { ...manifest.actor, layers } }, weights);
      expect.unreachable();
    } catch (error) {
      expect(ModelArtifactError.isInstance(error) && error.location).toBe('manifest.actor.layers.1.inputSize');
    }
  });

  it('reports a missing directory, a missing weights file and bad JSON when loading', async () => {
    const { manifest, weights } = makeArtifact();
    const directory = await mkdtemp(join(tmpdir(), 'policy-artifact-'));
    directories.push(directory);
    await expect(loadModelArtifact(join(directory, 'absent'))).rejects.toMatchObject({ reason: 'missing-file' });
    await writeModelArtifact(directory, { manifest, weights });
    const manifestText = await readFile(join(directory, 'manifest.json'), 'utf8');
    await unlink(join(directory, 'prediction.weights.bin'));
    await expect(loadModelArtifact(directory)).rejects.toMatchObject({ reason: 'missing-file' });
    await writeFile(join(directory, 'manifest.json'), manifestText.slice(0, 50));
    await expect(loadModelArtifact(directory)).rejects.toMatchObject({ reason: 'corrupt' });
  });

  it('verifies before writing and refuses file names outside the directory', async () => {
    const { manifest, weights } = makeArtifact();
    const directory = await mkdtemp(join(tmpdir(), 'policy-artifact-'));
    directories.push(directory);
    await expect(writeModelArtifact(directory, { manifest: { ...manifest, formatVersion: 3 as 1 }, weights })).rejects.toMatchObject({ reason: 'format-version' });
    await expect(writeModelArtifact(directory, { manifest, weights: { ...weights, '../escape.bin': new Uint8Array(4) } })).rejects.toThrow(RangeError);
  });
});
