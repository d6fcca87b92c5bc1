import { describe, expect, it } from 'vitest';
import seed from './__fixtures__/design-example-session.json';
import { UnknownModelPriceError } from './errors/unknown-model-price-error';
import { findModelPrice, priceSession, tokenCost } from './price-table';

describe('price table', () => {
  it('prices input, cached input and output tokens separately', () => {
    const cost = tokenCost('glm-4.7', { inputTokens: 1000, cachedTokens: 500, outputTokens: 1000 }, {
      table: { glm: { inputPer1k: 1, outputPer1k: 2, cachedInputPer1k: 0.1 } },
    });
    expect(cost).toBeCloseTo(0.5 + 0.05 + 2, 12);
  });

  it('splits a bare total by the input share', () => {
    expect(tokenCost('x-model', { totalTokens: 1000 }, { table: { x: { inputPer1k: 1, outputPer1k: 3 } } })).toBeCloseTo(1.5, 12);
  });

  it('takes the longest matching key', () => {
    const table = { 'gpt-5.2': { inputPer1k: 1, outputPer1k: 1 }, 'gpt-5.2-codex': { inputPer1k: 2, outputPer1k: 2 } };
    expect(findModelPrice('openai/gpt-5.2-codex', table).inputPer1k).toBe(2);
  });

  it('throws a typed error for an unpriced model and for negative tokens', () => {
    expect(() => tokenCost('mystery', { totalTokens: 1 })).toThrow(UnknownModelPriceError);
    expect(() => tokenCost('glm-4.7', { inputTokens: -3 })).toThrowError(/inputTokens/);
  });

  it('fills only the costs an orchestrator did not report and recomputes the total', () => {
    const session = structuredClone(seed) as any;
    delete session.workflow[1].attempts[0].estimatedCost;
    const priced = priceSession(session);
    const filled = priced.workflow[1]!.attempts[0]!;
    expect(filled.costSource).toBe('price_table');
    expect(filled.estimatedCost).toBeCloseTo(tokenCost('glm-4.7', { totalTokens: 1500 }), 12);
    expect(priced.workflow[0]!.attempts[0]!.estimatedCost).toBe(0.04);
    expect(priced.globalMetrics.totalCostEstimate).toBeCloseTo(0.04 + filled.estimatedCost!, 12);
  });
});
