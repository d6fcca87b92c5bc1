/** The learning fixture of the AI SDK wrapper's tests: a real manager over a three-model catalog and mock providers. */
import type { MockLanguageModelV4 } from 'ai/test';
import type { CatalogModel } from '@orchestra/learning-features';
import type { EnhancedSessionState } from '@orchestra/learning-types';
import { onTestFinished } from 'vitest';
import { createAiSdkLearning, type AiSdkLearningOptions, type LearningFacade } from '../index';
import { answering, temporaryLearning } from './mock-models';

/** A real app's catalog: three OpenAI/Anthropic models with their list prices (USD per 1k tokens). */
export const catalog: CatalogModel[] = [
  { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
  { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid', inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
  { id: 'o3', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
];
export const price = (id: string, input: number, output: number) => {
  const model = catalog.find((candidate) => candidate.id === id)!;
  return (input * model.inputPricePer1kTokens + output * model.outputPricePer1kTokens) / 1000;
};

/** A temporary learning manager over `catalog` (removed when the test finishes), wrapped as the facade the wrapper takes. */
export async function setUp(options: { mode?: 'disabled' | 'shadow' | 'production'; retry?: 'fail_fast' | 'retry_with_backoff' | 'fallback' } = {}) {
  const temporary = await temporaryLearning({ models: catalog, mode: options.mode ?? 'shadow', config: { exploration: 0, latencyBudgetMs: 1_000 } });
  onTestFinished(temporary.cleanup);
  const recorded: EnhancedSessionState[] = [];
  const learning = temporary.learning;
  // The real manager; the decision's retry strategy can be pinned, and every recorded session is kept for the checks.
  const facade: LearningFacade = {
    catalog: learning.catalog,
    decide: (task) => {
      const decision = learning.decide(task);
      if (options.retry !== undefined) decision.action.retryStrategy = options.retry;
      return decision;
    },
    record: async (session, decision, extras) => {
      recorded.push(session);
      return learning.record(session, decision, extras);
    },
  };
  return { ...temporary, facade, recorded };
}

export const providers = () => ({
  'gpt-4o-mini': answering('gpt-4o-mini', 'cheap answer', 120, 30),
  'claude-sonnet': answering('claude-sonnet', 'mid answer', 200, 50),
  o3: answering('o3', 'expensive answer', 300, 80),
});

export const callsOf = (model: unknown) => (model as MockLanguageModelV4).doGenerateCalls.length + (model as MockLanguageModelV4).doStreamCalls.length;
export const answerOf: Record<string, string> = { 'gpt-4o-mini': 'cheap answer', 'claude-sonnet': 'mid answer', o3: 'expensive answer' };
export const tokensOf: Record<string, [number, number]> = { 'gpt-4o-mini': [120, 30], 'claude-sonnet': [200, 50], o3: [300, 80] };

/** The wrapper over the three providers, default model gpt-4o-mini, no timeout and no backoff; logs go to `logs`. */
export function drop(options: Partial<AiSdkLearningOptions> & Pick<AiSdkLearningOptions, 'learning'>, logs: string[] = []) {
  return createAiSdkLearning({ providers: providers(), defaultModel: 'gpt-4o-mini', baseTimeoutMs: null, backoffMs: 0, log: (message) => logs.push(message), ...options });
}
