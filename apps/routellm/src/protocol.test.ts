import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runExperiment } from './experiment';

describe('RouteLLM routing (fast version: 3 MMLU subjects, one λ)', () => {
  it('learns from logged bandit feedback a router that beats the random router on held-out prompts', async () => {
    const result = await runExperiment({
      benchmark: 'mmlu',
      dataDirectory: join(import.meta.dirname, '..', 'data'),
      // Subjects where GPT-4's edge is largest (+0.38), none (0.00) and negative (−0.29): the subject carries the signal.
      subjects: ['moral_scenarios', 'high_school_mathematics', 'marketing'],
      lambdas: [0.1],
      logging: { kind: 'uniform' },
      seed: 3,
      epochs: 6,
      textDimensions: 64,
      testFraction: 0.5,
    });
    expect(result.trainSize + result.testSize).toBeGreaterThan(700);
    const random = result.routers.find((router) => router.name === 'random')!;
    const learned = result.lambdas[0]!;
    expect(random.apgr).toBeCloseTo(0.5, 6);
    expect(learned.apgr).toBeGreaterThan(0.6);
    const ope = learned.ope.learnedVsAlwaysWeak;
    expect("error" in ope ? ope.error : ope.sampleSize).toBeGreaterThan(0.15 * result.trainSize);
  });
});
