import { defaultModelCatalog } from '@orchestra/learning-features';
import { ValidationError, type Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { LearnedPolicy } from '../learned/learned-policy';
import { PolicyRouter } from '../router/policy-router';
import { RulesPolicy } from '../rules/rules-policy';
import { createTestArtifact } from '../test-support/create-test-artifact';
import { makeInput } from '../test-support/inputs';
import { costWeightOf, priceLadder } from './cost-weight';

const price = new Map(defaultModelCatalog.models.map((model) => [model.id, model.inputPricePer1kTokens + model.outputPricePer1kTokens]));
/** Price per 1k tokens of the action's models, summed over its team. */
const priceOf = (action: Action) => action.agents.reduce((sum, agent) => sum + price.get(action.models[agent]!)!, 0);
const weights = [0, 0.5, 1, 2, 4] as const;

const off = -30;
/** Fixed logits: sequential, architect + auditor with the executor; architect kimi, executor gpt-5.2-codex, auditor kimi. */
const fixedLogits = [
  ...[off, 1, off, off], // approach: sequential
  ...[1, off, off, off], // parallelism 1
  ...[off, off, 1, off, off, off, off], // timeout ×1
  ...[off, 1, off], // retry with backoff
  ...[off, 1, off], // safety balanced
  ...[off, off, off, 1, off, off, off, off], // team: architect + auditor
  ...[0, 1, 0, 0], // architect model: kimi-k2.5
  ...[0, 0, 1, 0], // executor model: gpt-5.2-codex
  ...[0, 1, 0, 0], // auditor model: kimi-k2.5
  ...[0, 0, 0, 0], // consultant model
];

describe('costWeightOf', () => {
  it('defaults to 1 and refuses a negative or non-finite weight with a one-line ValidationError', () => {
    expect(costWeightOf({})).toBe(1);
    expect(costWeightOf({ costWeight: 0 })).toBe(0);
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      let error: unknown;
      try {
        costWeightOf({ costWeight: bad });
      } catch (caught) {
        error = caught;
      }
      expect(ValidationError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe('Invalid PolicyInput: costWeight: must be a finite number ≥ 0 (0 = cost ignored, 1 = the default trade-off, 2 = cost counts double)');
    }
  });

  it('moves round(log2 w) rungs along the price ladder, to the top at 0', () => {
    const ladder = priceLadder(defaultModelCatalog);
    expect(ladder.order.map((index) => defaultModelCatalog.models[index]!.id)).toEqual(['glm-4.7', 'kimi-k2.5', 'gpt-5.2-codex', 'claude-opus']);
    expect(weights.map((weight) => ladder.stepsFor(weight))).toEqual([Number.NEGATIVE_INFINITY, -1, 0, 1, 2]);
    expect(ladder.stepsFor(1.3)).toBe(0);
    const gpt = 2;
    expect(ladder.move(gpt, 1)).toBe(1);
    expect(ladder.move(gpt, 5)).toBe(0);
    expect(ladder.move(gpt, -1)).toBe(3);
    expect(ladder.move(0, Number.NEGATIVE_INFINITY)).toBe(3);
  });
});

describe('RulesPolicy with a cost weight', () => {
  const inputs = [
    makeInput({ context: { complexity: 'simple', risk: 'low' } }),
    makeInput(),
    makeInput({ context: { complexity: 'complex', risk: 'high' } }),
  ];

  it('chooses cheaper models as the weight grows, and the default weight changes nothing', () => {
    const rules = new RulesPolicy();
    for (const input of inputs) {
      const costs = weights.map((costWeight) => priceOf(rules.decide({ ...input, costWeight }).action));
      for (let index = 1; index < costs.length; index += 1) expect(costs[index]).toBeLessThanOrEqual(costs[index - 1]!);
      expect(costs[0]).toBeGreaterThan(costs[2]!);
      const plain = rules.decide(input);
      expect(rules.decide({ ...input, costWeight: 1 }).action).toEqual(plain.action);
      expect(plain.costWeight).toBeUndefined();
    }
    const complex = rules.decide({ ...inputs[2]!, costWeight: 4 });
    expect(complex.action.models).toMatchObject({ architect: 'kimi-k2.5', executor: 'glm-4.7' });
    expect(complex.costWeight).toBe(4);
    expect(complex.explanation.some((line) => line.startsWith('cost weight 4 → models 2 rung(s) down the price ladder'))).toBe(true);
    expect(rules.decide({ ...inputs[0]!, costWeight: 0 }).action.models.executor).toBe('claude-opus');
  });

  it('logs exact propensities under the weight (ε-exploration)', () => {
    const rules = new RulesPolicy({ config: { epsilon: 0.3, seed: 7 } });
    for (let index = 0; index < 200; index += 1) {
      const input = { ...inputs[index % 3]!, costWeight: weights[index % weights.length]! };
      const decision = rules.decide(input);
      expect(decision.propensity).toBeCloseTo(rules.probabilityOf(decision.action, input), 12);
    }
  });
});

describe('LearnedPolicy with a cost weight', () => {
  const artifact = createTestArtifact({ logits: fixedLogits, pricedPrediction: true });
  const input = makeInput();

  it('re-scores the model choices with its outcome predictions: cheaper as the weight grows, unchanged at 1', () => {
    const policy = new LearnedPolicy(artifact, { selection: 'argmax', denseRuntime: 'typescript' });
    const plain = policy.decide(input);
    expect(plain.action.models).toMatchObject({ architect: 'kimi-k2.5', executor: 'gpt-5.2-codex', auditor: 'kimi-k2.5' });
    const decisions = weights.map((costWeight) => policy.decide({ ...input, costWeight }));
    expect(decisions[2]!.action).toEqual(plain.action);
    const costs = decisions.map((decision) => decision.predicted!.costUsd);
    for (let index = 1; index < costs.length; index += 1) expect(costs[index]).toBeLessThanOrEqual(costs[index - 1]! + 1e-9);
    expect(decisions[0]!.action.models.executor).toBe('claude-opus');
    // The executor's saving (gpt → glm) outweighs its predicted loss at w = 4; kimi → glm saves too little for the
    // success it loses, so the architect and the auditor stay.
    expect(decisions[4]!.action.models).toMatchObject({ architect: 'kimi-k2.5', executor: 'glm-4.7', auditor: 'kimi-k2.5' });
    expect(priceOf(decisions[4]!.action)).toBeLessThan(priceOf(plain.action));
    expect(decisions[4]!.costWeight).toBe(4);
    expect(decisions[4]!.explanation.some((line) => line.startsWith('cost weight 4: model_executor gpt-5.2-codex → glm-4.7'))).toBe(true);
  });

  it('keeps propensities exact under the weight, for ε-argmax and for sampling', () => {
    const argmax = new LearnedPolicy(artifact, { selection: 'argmax', epsilon: 0.3, seed: 3, denseRuntime: 'typescript' });
    const sample = new LearnedPolicy(artifact, { selection: 'sample', seed: 3, denseRuntime: 'typescript' });
    for (const policy of [argmax, sample]) {
      for (let index = 0; index < 100; index += 1) {
        const weighted = { ...input, costWeight: weights[index % weights.length]! };
        const decision = policy.decide(weighted);
        expect(decision.propensity).toBeCloseTo(policy.probabilityOf(decision.action, weighted), 10);
      }
    }
  });

  it('samples cheaper executors more often at a higher weight', () => {
    const share = (costWeight: number) => {
      const policy = new LearnedPolicy(artifact, { selection: 'sample', seed: 11, denseRuntime: 'typescript' });
      let cheap = 0;
      for (let index = 0; index < 400; index += 1) if (policy.decide({ ...input, costWeight }).action.models.executor === 'glm-4.7') cheap += 1;
      return cheap / 400;
    };
    expect(share(4)).toBeGreaterThan(share(1) + 0.2);
  });

  it('says so, and keeps the actor choice, when the model has no outcome predictions', () => {
    const policy = new LearnedPolicy(createTestArtifact({ logits: fixedLogits }), { selection: 'argmax', denseRuntime: 'typescript' });
    const decision = policy.decide({ ...input, costWeight: 4 });
    expect(decision.action).toEqual(policy.decide(input).action);
    expect(decision.explanation.some((line) => line.includes('cost weight 4 not applied'))).toBe(true);
  });

  it('routes the weight through the router with exact mixture propensities in ab_test', () => {
    const router = new PolicyRouter({ latencyBudgetMs: 1000, mode: 'ab_test', abTest: { fraction: 0.5 }, exploration: { ab_test: 0.2 }, learnedOptions: { selection: 'argmax', epsilon: 0.2, denseRuntime: 'typescript' } });
    router.setModel(artifact);
    const rules = router.rules;
    const learned = new LearnedPolicy(artifact, { selection: 'argmax', epsilon: 0.2, denseRuntime: 'typescript', guard: router.guard });
    for (let index = 0; index < 40; index += 1) {
      const weighted = { ...input, sessionId: `s-${index}`, costWeight: 4 };
      const route = router.route(weighted);
      expect(route.decision.costWeight).toBe(4);
      const expected = 0.5 * learned.probabilityOf(route.decision.action, weighted) + 0.5 * rules.probabilityOf(route.decision.action, weighted, 0.2);
      expect(route.decision.propensity).toBeCloseTo(expected, 10);
    }
  });
});
