import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultModelCatalog } from '@orchestra/learning-features';
import { ValidationError, type Action, type EnhancedSessionState } from '@orchestra/learning-types';
import { afterEach, describe, expect, it } from 'vitest';
import { LearningConfigError } from './errors';
import { writeTestModel } from './test-support/write-test-model';
import { createLearning, type LearningManager } from './learning-manager';

const price = new Map(defaultModelCatalog.models.map((model) => [model.id, model.inputPricePer1kTokens + model.outputPricePer1kTokens]));
const priceOf = (action: Action) => action.agents.reduce((sum, agent) => sum + price.get(action.models[agent]!)!, 0);

function finishedSession(sessionId: string): EnhancedSessionState {
  return {
    schemaVersion: 2,
    sessionId,
    workflow: [{ id: 'a', agentRole: 'executor', status: 'completed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 10, latencyMs: 5, success: true, estimatedCost: 0.01, costSource: 'provider', attempt: 1 }] }],
    globalMetrics: { totalCostEstimate: 0.01, totalTokens: 10, totalAttempts: 1, avgLatencyMs: 5, fallbackRotations: 0, modelUsageCounts: {} },
    phase: 'completed',
  };
}

const managers: LearningManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
});

async function open(config: Record<string, unknown> = {}, file?: Record<string, unknown>, reward?: Record<string, unknown>): Promise<LearningManager> {
  const root = await mkdtemp(join(tmpdir(), 'learning-cost-weight-'));
  if (file !== undefined) await writeFile(join(root, 'orchestra.config.json'), JSON.stringify(file));
  const manager = await createLearning({ cwd: root, env: {}, config: { reloadIntervalMs: 0, exploration: 0, ...config }, ...(reward === undefined ? {} : { reward }) });
  managers.push(manager);
  return manager;
}

const task = { description: 'Refactor the payment service across the API, the database layer and the auth module', files: ['src/api/pay.ts', 'src/db/ledger.ts', 'src/auth/session.ts'] };
const weights = [0, 0.5, 1, 2, 4];

function thrown(action: () => unknown): Error {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('decide(task, { costWeight })', () => {
  it('moves the rules along the price ladder: cheaper models as the weight grows, today’s decision by default', async () => {
    const learning = await open({ mode: 'shadow' });
    const plain = learning.decide(task);
    expect(plain.costWeight).toBe(1);
    expect(learning.decide(task, { costWeight: 1 }).action).toEqual(plain.action);
    const costs = weights.map((costWeight) => priceOf(learning.decide(task, { costWeight }).action));
    for (let index = 1; index < costs.length; index += 1) expect(costs[index]).toBeLessThanOrEqual(costs[index - 1]!);
    expect(costs[4]).toBeLessThan(costs[2]!);
    expect(costs[0]).toBeGreaterThan(costs[2]!);
  });

  it('takes its default from the configuration (file or option)', async () => {
    const fromOption = await open({ mode: 'shadow', costWeight: 4 });
    const fromFile = await open({ mode: 'shadow' }, { costWeight: 4 });
    const reference = await open({ mode: 'shadow' });
    const expected = reference.decide(task, { costWeight: 4 }).action;
    expect(fromOption.decide(task).action).toEqual(expected);
    expect(fromFile.decide(task).action).toEqual(expected);
    expect(fromFile.decide(task).costWeight).toBe(4);
    // A weight passed to decide wins over the configured default.
    expect(fromOption.decide(task, { costWeight: 1 }).action).toEqual(reference.decide(task).action);
  });

  it('refuses a negative or non-finite weight with one line naming the field', async () => {
    const learning = await open({ mode: 'shadow' });
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const error = thrown(() => learning.decide(task, { costWeight: bad }));
      expect(ValidationError.isInstance(error)).toBe(true);
      expect(error.message).toBe('Invalid decide options: costWeight: must be a finite number ≥ 0 (0 = cost ignored, 1 = the default trade-off, 2 = cost counts double)');
    }
    await expect(open({ costWeight: -0.5 })).rejects.toSatisfy((error: unknown) => LearningConfigError.isInstance(error) && (error as Error).message === 'Invalid configuration in options at costWeight: must be a finite number ≥ 0 (0 = cost ignored, 1 = the default trade-off, 2 = cost counts double)');
    await expect(open({}, { costWeight: 'cheap' })).rejects.toSatisfy((error: unknown) => LearningConfigError.isInstance(error) && /orchestra\.config\.json at costWeight: must be a finite number ≥ 0/.test((error as Error).message));
  });

  it('re-scores a deployed learned policy with its outcome predictions, on the orchestrator\'s reward scale', async () => {
    const model = await mkdtemp(join(tmpdir(), 'learning-cost-weight-model-'));
    await writeTestModel(model, { version: 'priced-1', pricedPrediction: true, seed: 4 });
    const serve = async (reward?: Record<string, unknown>) => {
      const learning = await open({ mode: 'production', latencyBudgetMs: 1_000 }, undefined, reward);
      await learning.deploy(model, { force: true });
      return learning;
    };
    // The facade's learned policy samples (its default selection): compare the mean predicted cost of 100 decisions.
    const meanPredictedCost = (learning: LearningManager, costWeight?: number) => {
      let sum = 0;
      for (let index = 0; index < 100; index += 1) {
        const decision = learning.decide(task, costWeight === undefined ? {} : { costWeight });
        expect(decision.source).toBe('learned');
        sum += decision.predicted!.costUsd;
      }
      return sum / 100;
    };
    const learning = await serve();
    const costs = weights.map((costWeight) => meanPredictedCost(learning, costWeight));
    for (let index = 1; index < costs.length; index += 1) expect(costs[index]).toBeLessThan(costs[index - 1]!);
    // A reward that prices a dollar higher (a linear cost term) makes the same weight buy cheaper decisions.
    const dearDollar = await serve({ cost: { perUsd: -2_000 } });
    const defaultAt = meanPredictedCost(learning, 1.2);
    const dearAt = meanPredictedCost(dearDollar, 1.2);
    expect(dearAt).toBeLessThan(defaultAt - 0.1);
  });

  it('records the weight on the experience, next to the propensity under it', async () => {
    const learning = await open({ mode: 'shadow', exploration: 0.3, seed: 5 });
    const decision = learning.decide({ ...task, sessionId: 'weighted' }, { costWeight: 2.5 });
    const byDefault = learning.decide({ ...task, sessionId: 'default' });
    expect(decision.costWeight).toBe(2.5);
    const first = await learning.record(finishedSession('weighted'), decision);
    const second = await learning.record(finishedSession('default'), byDefault);
    expect(first.experience!.policy.costWeight).toBe(2.5);
    expect(first.experience!.propensity).toBe(decision.propensity);
    expect(second.experience!.policy.costWeight).toBe(1);
    const stored = await learning.readBuffer();
    expect(stored.map((experience) => experience.policy.costWeight)).toEqual([2.5, 1]);
  });
});
