import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace } from '@orchestra/learning-features';
import { ModelArtifactError } from '@orchestra/learning-policy';
import { writeTestModelArtifact } from '@orchestra/learning-policy/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { loadGatePolicies } from './evaluate-model-artifact';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

async function artifacts(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'gate-policies-'));
  directories.push(root);
  await writeTestModelArtifact(join(root, 'candidate'), { version: 'candidate-1', seed: 1 });
  await writeTestModelArtifact(join(root, 'deployed'), { version: 'deployed-1', seed: 2 });
  const threeModels = new ActionSpace({
    models: [
      { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
      { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid', inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
      { id: 'o3', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
    ],
  });
  await writeTestModelArtifact(join(root, 'other-catalog'), { version: 'other-1', actionSpace: threeModels });
  return root;
}

describe('loadGatePolicies', () => {
  it('compares with the rules by default, and with a deployed model given its directory (a challenger)', async () => {
    const root = await artifacts();
    expect((await loadGatePolicies(join(root, 'candidate'))).baseline.name).toBe('rules');
    const { candidate, baseline } = await loadGatePolicies(join(root, 'candidate'), { baselineDirectory: join(root, 'deployed'), learnedPolicy: { selection: 'argmax' } });
    expect([candidate.name, baseline.name]).toEqual(['candidate-1', 'deployed-1']);
  });

  it('refuses a deployed model of another action space with a typed error', async () => {
    const root = await artifacts();
    await expect(loadGatePolicies(join(root, 'candidate'), { baselineDirectory: join(root, 'other-catalog') })).rejects.toSatisfy(
      (error) => ModelArtifactError.isInstance(error) && error.reason === 'action-space-mismatch' && /another action space/.test(error.message),
    );
  });
});
