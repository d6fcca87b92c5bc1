import { mkdtemp, readdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ModelArtifactError } from '@orchestra/learning-policy';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DefaultLearningRuntime } from './default-runtime';
import { createLearning } from './learning-manager';
import { OrchestratorIntegration } from './orchestrator-integration';
import { writeTestModel } from './test-support/write-test-model';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'learning-hostile-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

const open = (runtime?: DefaultLearningRuntime) =>
  createLearning({ cwd: root, env: {}, mode: 'production', config: { reloadIntervalMs: 0, latencyBudgetMs: 1000 }, ...(runtime === undefined ? {} : { runtime }) });

/** Every path under `directory` with its permission bits, e.g. `models/x/manifest.json 600`. */
async function modes(directory: string, prefix = ''): Promise<string[]> {
  const lines: string[] = [];
  for (const entry of await readdir(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    lines.push(`${prefix}${entry.name} ${((await stat(path)).mode & 0o777).toString(8)}`);
    if (entry.isDirectory()) lines.push(...(await modes(path, `${prefix}${entry.name}/`)));
  }
  return lines;
}

describe('deploying and serving hostile model directories', () => {
  it('refuses at deploy weights symlinked outside, and a manifest whose feature names do not match their hash', async () => {
    const learning = await open();
    try {
      await writeTestModel(join(root, 'linked'), { version: 'linked-1' });
      const outside = join(root, 'outside.bin');
      await writeFile(outside, await readFile(join(root, 'linked', 'actor.weights.bin')));
      await unlink(join(root, 'linked', 'actor.weights.bin'));
      await symlink(outside, join(root, 'linked', 'actor.weights.bin'));
      await expect(learning.deploy(join(root, 'linked'), { force: true })).rejects.toSatisfy((error) => ModelArtifactError.isInstance(error) && error.reason === 'corrupt');

      await writeTestModel(join(root, 'renamed'), { version: 'renamed-1' });
      const manifestPath = join(root, 'renamed', 'manifest.json');
      const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { featureSchema: { names: string[] } };
      manifest.featureSchema.names[0] = 'not_the_trained_feature';
      await writeFile(manifestPath, JSON.stringify(manifest));
      await expect(learning.deploy(join(root, 'renamed'), { force: true })).rejects.toSatisfy(
        (error) => ModelArtifactError.isInstance(error) && error.reason === 'feature-schema-mismatch',
      );
      expect(learning.deployed).toBeNull();
    } finally {
      await learning.close();
    }
  });

  it('verifies the deployed copy on load: a tampered copy falls back with corrupt-artifact, shown in the status', async () => {
    const learning = await open();
    await writeTestModel(join(root, 'model'), { version: 'tampered-1' });
    const deployed = await learning.deploy(join(root, 'model'), { force: true });
    await learning.close();
    const weights = join(deployed.directory, 'actor.weights.bin');
    const bytes = await readFile(weights);
    bytes[0] = (bytes[0]! + 1) % 256;
    await writeFile(weights, bytes);

    const runtime = new DefaultLearningRuntime({ seed: 1, latencyBudgetMs: 1000 });
    const reopened = await open(runtime);
    try {
      const decision = reopened.decide({ description: 'add a dark mode toggle' });
      expect(decision.source).toBe('rules');
      expect(runtime.router.statistics().fallbacks['corrupt-artifact']).toBe(1);
      expect(runtime.router.statistics().fallbacks['no-model']).toBe(0);
      const status = await reopened.status();
      expect(status.modelError).toMatchObject({ reason: 'checksum-mismatch' });
    } finally {
      await reopened.close();
    }
  });

  it('keeps everything under the data dir private: directories 0700, files 0600', async () => {
    const learning = await createLearning({ cwd: root, env: {}, mode: 'shadow', config: { reloadIntervalMs: 0 } });
    try {
      const decision = learning.decide({ description: 'fix the login bug' });
      const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId });
      await learning.record(tracker.finish(), decision);
      await writeTestModel(join(root, 'model'), { version: 'private-1' });
      await learning.deploy(join(root, 'model'), { force: true });
    } finally {
      await learning.close();
    }
    const dataDir = join(root, 'data');
    expect(((await stat(dataDir)).mode & 0o777).toString(8)).toBe('700');
    const listed = await modes(dataDir);
    expect(listed.some((line) => line.startsWith('models/'))).toBe(true);
    expect(listed.filter((line) => !line.endsWith(' 700') && !line.endsWith(' 600'))).toEqual([]);
  });
});
