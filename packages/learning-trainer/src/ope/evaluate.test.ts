import { experienceSchema, validate, ValidationError, type Approach, type Experience } from '@orchestra/learning-types';
import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { InsufficientOverlapError } from './errors/insufficient-overlap-error';
import { evaluate, offPolicyRecordsFromExperiences, type EvaluatedPolicy } from './evaluate';
import { SeededRandom } from '../networks/seeded-random';

const approaches: Approach[] = ['direct', 'sequential', 'parallel', 'coordinated'];
const meanReward: Record<Approach, number> = { direct: 0.3, sequential: 0.5, parallel: 0.8, coordinated: 0.3 };

function experience(index: number, approach: Approach, reward: number, propensity: number): Experience {
  return validate(
    experienceSchema,
    {
      schemaVersion: 1,
      id: `experience-${index}`,
      timestamp: new Date(Date.UTC(2026, 10, 1) + index * 60_000).toISOString(),
      state: {
        featureSchemaHash: 'test-schema',
        features: [0.5, 1],
        context: { taskType: 'feature', domains: ['backend'], complexity: 'medium', risk: 'low', estimatedTimeMinutes: 30 },
        system: { concurrentTasks: 1, load: 0.4 },
      },
      action: {
        agents: ['executor'],
        approach,
        parallelism: 1,
        timeoutMultiplier: 1,
        retryStrategy: 'retry_with_backoff',
        safetyLevel: 'balanced',
        models: { executor: 'glm-4.7' },
      },
      propensity,
      policy: { source: 'rules', version: 'rules-1' },
      mode: 'shadow',
      reward: { total: reward, components: { outcome: reward } },
      outcome: { success: reward > 0.5, durationMs: 60_000, estimatedDurationMs: 60_000, resourceEfficiency: 0.5, errorCount: 0, totalCostUsd: 0.2 },
    },
    'Experience',
  );
}

/** Logs of ε-greedy rules: `sequential` with probability 1 − 3ε, each other approach with ε. */
function exploringRuleLogs(size: number, seed: number, exploration: Record<Approach, number>): Experience[] {
  const random = new SeededRandom(seed);
  const logs: Experience[] = [];
  for (let index = 0; index < size; index += 1) {
    let draw = random.next();
    let approach: Approach = 'sequential';
    for (const candidate of approaches) {
      if (draw < exploration[candidate]) {
        approach = candidate;
        break;
      }
      draw -= exploration[candidate];
    }
    const reward = meanReward[approach] + (random.next() - 0.5) * 0.4;
    logs.push(experience(index, approach, reward, exploration[approach]));
  }
  return logs;
}

const exploration: Record<Approach, number> = { direct: 0.1, sequential: 0.7, parallel: 0.1, coordinated: 0.1 };

/** A stochastic policy over approaches; the other action fields are the same in every log record. */
function approachPolicy(name: string, probabilities: Record<Approach, number>, rewardModel?: Record<Approach, number>): EvaluatedPolicy {
  return {
    name,
    probability: (logged) => probabilities[logged.action.approach],
    ...(rewardModel === undefined
      ? {}
      : { expectedReward: () => approaches.reduce((sum, approach) => sum + probabilities[approach] * rewardModel[approach], 0) }),
  };
}

const learnedProbabilities: Record<Approach, number> = { direct: 0.1 / 3, sequential: 0.1 / 3, parallel: 0.9, coordinated: 0.1 / 3 };
const ruleProbabilities: Record<Approach, number> = { direct: 0, sequential: 1, parallel: 0, coordinated: 0 };

describe('evaluate', () => {
  const logs = exploringRuleLogs(2000, 3, exploration);

  it('says the learned policy beats the rules when its lower bound is above them on the same logs', () => {
    const result = evaluate(approachPolicy('learned', learnedProbabilities), approachPolicy('rules', ruleProbabilities), logs, { seed: 1, replicates: 500 });
    expect(result.target.policy).toBe('learned');
    expect(result.baseline.policy).toBe('rules');
    expect(result.target.value).toBeGreaterThan(0.7);
    expect(result.target.value).toBeLessThan(0.82);
    expect(result.baseline.value).toBeCloseTo(0.5, 1);
    expect(result.difference.lower).toBeGreaterThan(0);
    expect(result.targetBeatsBaseline).toBe(true);
    expect(result.sampleSize).toBe(2000);
  });

  it('does not let a worse learned policy pass the gate', () => {
    const worse = approachPolicy('learned-direct', { direct: 0.9, sequential: 0.1 / 3, parallel: 0.1 / 3, coordinated: 0.1 / 3 });
    const result = evaluate(worse, approachPolicy('rules', ruleProbabilities), logs, { seed: 1, replicates: 500 });
    expect(result.difference.upper).toBeLessThan(0);
    expect(result.targetBeatsBaseline).toBe(false);
  });

  it('runs doubly robust with a reward model and agrees with self-normalised IPS', () => {
    const fitted: Record<Approach, number> = { direct: 0, sequential: 0, parallel: 0, coordinated: 0 };
    for (const approach of approaches) {
      const rewards = logs.filter((logged) => logged.action.approach === approach).map((logged) => logged.reward.total);
      fitted[approach] = rewards.reduce((sum, reward) => sum + reward, 0) / rewards.length;
    }
    const options = { seed: 2, replicates: 500, rewardModel: (logged: Experience) => fitted[logged.action.approach] };
    const doublyRobust = evaluate(
      approachPolicy('learned', learnedProbabilities, fitted),
      approachPolicy('rules', ruleProbabilities, fitted),
      logs,
      { ...options, estimator: 'doubly-robust' },
    );
    const selfNormalised = evaluate(approachPolicy('learned', learnedProbabilities), approachPolicy('rules', ruleProbabilities), logs, options);
    expect(doublyRobust.estimator).toBe('doubly-robust');
    expect(doublyRobust.targetBeatsBaseline).toBe(true);
    expect(Math.abs(doublyRobust.difference.value - selfNormalised.difference.value)).toBeLessThan(0.03);
    expect(doublyRobust.difference.standardError).toBeLessThan(selfNormalised.difference.standardError);
  });

  it('refuses a policy that goes where the rules never explored', () => {
    const rarelyExplored = exploringRuleLogs(2000, 4, { direct: 0.1995, sequential: 0.7, parallel: 0.1, coordinated: 0.0005 });
    const alwaysCoordinated = approachPolicy('learned-coordinated', { direct: 0, sequential: 0, parallel: 0, coordinated: 1 });
    const caught = caughtError(() => evaluate(alwaysCoordinated, approachPolicy('rules', ruleProbabilities), rarelyExplored));
    expect(InsufficientOverlapError.isInstance(caught)).toBe(true);
    expect((caught as InsufficientOverlapError).policy).toBe('learned-coordinated');
    expect((caught as InsufficientOverlapError).reason).toBe('effective-sample-size');
  });

  it('refuses a learned policy evaluated on logs of deterministic rules: most of its mass was never logged', () => {
    const deterministic = exploringRuleLogs(500, 6, { direct: 0, sequential: 1, parallel: 0, coordinated: 0 });
    const caught = caughtError(() => evaluate(approachPolicy('learned', learnedProbabilities), approachPolicy('rules', ruleProbabilities), deterministic));
    expect(InsufficientOverlapError.isInstance(caught)).toBe(true);
    const error = caught as InsufficientOverlapError;
    expect(error.reason).toBe('unsupported-mass');
    expect(error.meanWeight).toBeCloseTo(0.1 / 3, 10);
    expect(error.message).toMatch(/3% of its probability/);
  });

  it('rejects a policy that returns something other than a probability', () => {
    const broken: EvaluatedPolicy = { name: 'broken', probability: () => 1.5 };
    expect(() => offPolicyRecordsFromExperiences(logs, broken)).toThrow(ValidationError);
    expect(() => evaluate(broken, approachPolicy('rules', ruleProbabilities), logs)).toThrow(/\[0, 1\]/);
  });
});
