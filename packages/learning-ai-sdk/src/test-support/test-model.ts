import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { writeTestModelArtifact } from '@orchestra/learning-policy/testing';
import type { LearningManager } from '@orchestra/learning';

/**
 * Writes a small valid learned-policy artifact (random actor weights on the manager's catalog) and deploys it past
 * the OPE gate (`force`): what a test needs to see the learned policy decide in `production`.
 */
export async function deployTestModel(learning: LearningManager, dataDir: string, version = 'ai-sdk-test-1'): Promise<void> {
  const directory = await mkdtemp(join(dataDir, 'candidate-'));
  await writeTestModelArtifact(directory, { version, seed: 7, actionSpace: learning.actionSpace });
  await learning.deploy(directory, { force: true });
}
