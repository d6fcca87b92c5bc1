import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink, truncate, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace, defaultFeatureSchema, defaultModelCatalog } from '@orchestra/learning-features';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelArtifactError, type ModelArtifactErrorReason } from '../errors/model-artifact-error';
import { loadModelArtifact } from './load-model-artifact';
import type { ModelManifestInput } from './model-manifest';
import { createRandomDenseLayers } from './random-dense-network';
import { packDenseNetwork, writeModelArtifact } from './write-model-artifact';

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'policy-hostile-'));
});
afterEach(() => rm(directory, { recursive: true, force: true }));

/** A model consistent with this installation: real feature names and hash, the default action space. */
function realManifest(): { manifest: ModelManifestInput; weights: Record<string, Uint8Array> } {
  const space = new ActionSpace(defaultModelCatalog);
  const actor = packDenseNetwork(createRandomDenseLayers([defaultFeatureSchema.size, 8, space.totalLogits], 3), 'actor.weights.bin');
  const manifest: ModelManifestInput = {
    formatVersion: 1,
    version: 'hostile-1',
    createdAt: '2026-11-25T18:00:00.000Z',
    featureSchema: { version: defaultFeatureSchema.version, hash: defaultFeatureSchema.hash, names: [...defaultFeatureSchema.names] },
    actionSpace: space.toJSON(),
    actor: actor.network,
  };
  return { manifest, weights: { 'actor.weights.bin': actor.bytes } };
}

async function reasonOfLoad(options: { strict?: boolean } = {}): Promise<ModelArtifactErrorReason | 'no error'> {
  try {
    await loadModelArtifact(directory, options);
    return 'no error';
  } catch (error) {
    if (ModelArtifactError.isInstance(error)) return error.reason;
    throw error;
  }
}

describe('loading a hostile model directory', () => {
  it('loads a consistent model strictly', async () => {
    await writeModelArtifact(directory, realManifest());
    expect(await reasonOfLoad({ strict: true })).toBe('no error');
  });

  it('refuses weights that are a symlink, even to a valid copy of themselves', async () => {
    await writeModelArtifact(directory, realManifest());
    const outside = join(directory, '..', `${directory.split('/').pop()}-outside.bin`);
    await writeFile(outside, await readFile(join(directory, 'actor.weights.bin')));
    try {
      await unlink(join(directory, 'actor.weights.bin'));
      await symlink(outside, join(directory, 'actor.weights.bin'));
      expect(await reasonOfLoad()).toBe('corrupt');
    } finally {
      await rm(outside, { force: true });
    }
  });

  it('refuses weights linked to /dev/zero and a FIFO at once, without reading or hanging', async () => {
    await writeModelArtifact(directory, realManifest());
    await unlink(join(directory, 'actor.weights.bin'));
    await symlink('/dev/zero', join(directory, 'actor.weights.bin'));
    const started = Date.now();
    expect(await reasonOfLoad()).toBe('corrupt');
    await unlink(join(directory, 'actor.weights.bin'));
    execFileSync('mkfifo', [join(directory, 'actor.weights.bin')]);
    expect(await reasonOfLoad()).toBe('corrupt');
    await unlink(join(directory, 'actor.weights.bin'));
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('checks the size of a weights file against the manifest before reading it', async () => {
    await writeModelArtifact(directory, realManifest());
    const path = join(directory, 'actor.weights.bin');
    const bytes = await readFile(path);
    await writeFile(path, Buffer.concat([bytes, Buffer.alloc(4)]));
    expect(await reasonOfLoad()).toBe('corrupt');
    await truncate(path, bytes.length - 4);
    expect(await reasonOfLoad()).toBe('corrupt');
  });

  it('refuses (strict) feature names that do not match their hash, and a malformed action space', async () => {
    const renamed = realManifest();
    (renamed.manifest.featureSchema.names as string[])[0] = 'something_else';
    await writeModelArtifact(directory, renamed);
    expect(await reasonOfLoad()).toBe('no error');
    expect(await reasonOfLoad({ strict: true })).toBe('feature-schema-mismatch');

    const malformed = realManifest();
    malformed.manifest.actionSpace = { heads: [{ name: 'approach', size: 6 }] };
    await writeModelArtifact(directory, malformed);
    expect(await reasonOfLoad({ strict: true })).toBe('action-space-mismatch');
  });
});
