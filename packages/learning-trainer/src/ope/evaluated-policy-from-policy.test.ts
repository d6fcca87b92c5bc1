import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace, defaultFeatureSchema } from '@orchestra/learning-features';
import { ModelArtifactError, RulesPolicy } from '@orchestra/learning-policy';
import { complexities, experienceSchema, riskLevels, taskTypes, validate, type Experience } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { writeTrainedModelArtifact } from '../artifact/write-trained-model-artifact';
import { InsufficientOverlapError } from './errors/insufficient-overlap-error';
import { evaluate, offPolicyRecordsFromExperiences } from './evaluate';
import { evaluateModelArtifact } from './evaluate-model-artifact';
import { evaluatedPolicyFromPolicy } from './evaluated-policy-from-policy';
import { SeededRandom } from '../networks/seeded-random';

/** Logs written by exploring rules: each experience keeps the propensity the rules reported for their choice. */
function rulesLogs(rules: RulesPolicy, size: number, seed: number): Experience[] {
  const random = new SeededRandom(seed);
  return Array.from({ length: size }, (_, index) => {
    const context = {
      taskType: taskTypes[random.integer(taskTypes.length)]!,
      domains: ['backend' as const],
      complexity: complexities[random.integer(complexities.length)]!,
      risk: riskLevels[random.integer(riskLevels.length)]!,
      estimatedTimeMinutes: 10 + random.integer(100),
    };
    const system = { concurrentTasks: random.integer(4), load: random.next() };
    const decision = rules.decide({ context, system });
    const reward = (decision.action.approach === 'parallel' ? 0.6 : 0.4) + (random.next() - 0.5) * 0.2;
    return validate(
      experienceSchema,
      {
        schemaVersion: 1,
        id: `experience-${index}`,
        timestamp: new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString(),
        state: { featureSchemaHash: 'test', features: [0], context, system },
        action: decision.action,
        propensity: decision.propensity,
        policy: { source: 'rules', version: decision.policyVersion },
        mode: 'shadow',
        reward: { total: reward, components: { outcome: reward } },
        outcome: { success: true, durationMs: 1000, estimatedDurationMs: 1000, resourceEfficiency: 0.5, errorCount: 0, totalCostUsd: 0.1 },
      },
      'Experience',
    );
  });
}

describe('evaluatedPolicyFromPolicy', () => {
  const exploring = new RulesPolicy({ config: { epsilon: 0.3, seed: 5 } });
  const logs = rulesLogs(exploring, 400, 9);

  it('gives the logging rules a weight of exactly 1 on their own logs (logged propensity = probabilityOf)', () => {
    const records = offPolicyRecordsFromExperiences(logs, evaluatedPolicyFromPolicy('rules', exploring));
    for (const record of records) expect(record.targetProbability).toBeCloseTo(record.propensity, 12);
  });

  it('evaluates the greedy rules from the exploring rules’ logs with importance weights averaging about 1', () => {
    const greedy = new RulesPolicy({ config: { epsilon: 0 } });
    const result = evaluate(evaluatedPolicyFromPolicy('greedy-rules', greedy), evaluatedPolicyFromPolicy('exploring-rules', exploring), logs, {
      seed: 3,
      replicates: 300,
    });
    expect(result.target.meanWeight).toBeGreaterThan(0.8);
    expect(result.target.meanWeight).toBeLessThan(1.2);
    expect(result.baseline.meanWeight).toBeCloseTo(1, 12);
    expect(result.target.effectiveSampleSize).toBeGreaterThan(100);
  });
});

describe('evaluateModelArtifact', () => {
  const exploring = new RulesPolicy({ config: { epsilon: 0.3, seed: 5 } });
  const logs = rulesLogs(exploring, 300, 10);

  it('loads the artifact as LearnedPolicy and compares it with the rules on the logs', async () => {
    const space = new ActionSpace();
    const size = defaultFeatureSchema.size;
    // A context-free actor: zero weights, so every head is uniform over its allowed choices.
    const zeroLayer = (inputSize: number, outputSize: number, activation: 'relu' | 'linear') => ({
      inputSize,
      outputSize,
      kernel: new Float32Array(inputSize * outputSize),
      bias: new Float32Array(outputSize),
      activation,
    });
    const directory = await mkdtemp(join(tmpdir(), 'evaluate-artifact-'));
    try {
      await writeTrainedModelArtifact(directory, {
        version: 'uniform-actor',
        featureSchema: defaultFeatureSchema,
        actionSpace: space,
        actor: [zeroLayer(size, 8, 'relu'), zeroLayer(8, space.totalLogits, 'linear')],
      });
      const result = await evaluateModelArtifact(directory, logs, {
        rules: exploring,
        seed: 4,
        replicates: 200,
        minimumEffectiveSampleSize: 0,
        minimumEffectiveSampleFraction: 0,
        minimumSupportedMass: 0,
      });
      expect(result.target.policy).toBe('uniform-actor');
      expect(result.baseline.policy).toBe('rules');
      expect(result.baseline.meanWeight).toBeCloseTo(1, 12);
      expect(Number.isFinite(result.target.value)).toBe(true);
      // A uniform policy over a large factorised space rarely repeats the rules' action: small weights, small ESS.
      expect(result.target.effectiveSampleSize).toBeLessThan(result.baseline.effectiveSampleSize);
      // With the default overlap checks the gate refuses it: the rules' exploration changes one head at a time, so
      // most of the uniform policy's probability lies on action combinations that were never logged.
      await expect(evaluateModelArtifact(directory, logs, { rules: exploring, seed: 4, replicates: 200 })).rejects.toSatisfy(
        (error: unknown) => InsufficientOverlapError.isInstance(error) && error.reason === 'unsupported-mass' && error.meanWeight < 0.1,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('reports a missing artifact as ModelArtifactError', async () => {
    await expect(evaluateModelArtifact(join(tmpdir(), 'no-such-artifact-directory'), logs)).rejects.toSatisfy((error: unknown) => ModelArtifactError.isInstance(error));
  });
});
