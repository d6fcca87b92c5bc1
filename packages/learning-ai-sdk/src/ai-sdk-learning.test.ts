import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import type { LearningManager } from '@orchestra/learning';
import type { CatalogModel } from '@orchestra/learning-features';
import type { AgentRole, EnhancedSessionState } from '@orchestra/learning-types';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AiSdkLearningConfigError, UnknownSessionError, createAiSdkLearning, type AiSdkLearningOptions, type LanguageModelV4, type LearningFacade } from './index';
import { answering, failing, providerErrors, streamParts, temporaryLearning, textResult, usage } from './test-support/mock-models';

/** A real app's catalog: three OpenAI/Anthropic models with their list prices (USD per 1k tokens). */
const catalog: CatalogModel[] = [
  { id: 'gpt-4o-mini', provider: 'openai', tier: 'cheap', inputPricePer1kTokens: 0.00015, outputPricePer1kTokens: 0.0006 },
  { id: 'claude-sonnet', provider: 'anthropic', tier: 'mid', inputPricePer1kTokens: 0.003, outputPricePer1kTokens: 0.015 },
  { id: 'o3', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.04 },
];
const price = (id: string, input: number, output: number) => {
  const model = catalog.find((candidate) => candidate.id === id)!;
  return (input * model.inputPricePer1kTokens + output * model.outputPricePer1kTokens) / 1000;
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setUp(options: { mode?: 'disabled' | 'shadow' | 'production'; retry?: 'fail_fast' | 'retry_with_backoff' | 'fallback' } = {}) {
  const temporary = await temporaryLearning({ models: catalog, mode: options.mode ?? 'shadow', config: { exploration: 0, latencyBudgetMs: 1_000 } });
  cleanups.push(temporary.cleanup);
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

const providers = () => ({
  'gpt-4o-mini': answering('gpt-4o-mini', 'cheap answer', 120, 30),
  'claude-sonnet': answering('claude-sonnet', 'mid answer', 200, 50),
  o3: answering('o3', 'expensive answer', 300, 80),
});

const callsOf = (model: unknown) => (model as MockLanguageModelV4).doGenerateCalls.length + (model as MockLanguageModelV4).doStreamCalls.length;
const answerOf: Record<string, string> = { 'gpt-4o-mini': 'cheap answer', 'claude-sonnet': 'mid answer', o3: 'expensive answer' };
const tokensOf: Record<string, [number, number]> = { 'gpt-4o-mini': [120, 30], 'claude-sonnet': [200, 50], o3: [300, 80] };

function drop(options: Partial<AiSdkLearningOptions> & Pick<AiSdkLearningOptions, 'learning'>, logs: string[] = []) {
  return createAiSdkLearning({ providers: providers(), defaultModel: 'gpt-4o-mini', baseTimeoutMs: null, backoffMs: 0, log: (message) => logs.push(message), ...options });
}

describe('session scope with generateText', () => {
  it('calls the model decided for each role and records the session with tokens, catalog cost and latency', async () => {
    const { facade, recorded, learning } = await setUp();
    const map = providers();
    const ai = drop({ learning: facade, providers: map });
    const task = { description: 'refactor the payment service to use the new billing API and add tests', files: ['src/billing/payment.ts', 'src/billing/api.ts'] };
    const texts = await ai.session(task, async (session) => {
      const answers: Partial<Record<AgentRole, string>> = {};
      for (const role of session.agents) answers[role] = (await generateText({ model: session.model(role), prompt: `${role}: ${task.description}` })).text;
      return answers;
    });
    expect(recorded).toHaveLength(1);
    const session = recorded[0]!;
    const steps = session.workflow;
    const buffer = await learning.readBuffer();
    expect(buffer).toHaveLength(1);
    const decision = buffer[0]!.action;
    expect(steps.map((step) => step.agentRole)).toEqual(decision.agents);
    let cost = 0;
    for (const [index, role] of decision.agents.entries()) {
      const modelId = decision.models[role]!;
      expect(texts[role]).toBe(answerOf[modelId]);
      const [input, output] = tokensOf[modelId]!;
      cost += price(modelId, input, output);
      expect(steps[index]).toMatchObject({ status: 'completed', attempts: [{ modelId, inputTokens: input, outputTokens: output, tokensUsed: input + output, success: true, finishReason: 'stop', costSource: 'price_table' }] });
      expect(steps[index]!.attempts[0]!.estimatedCost).toBeCloseTo(price(modelId, input, output), 12);
      expect(steps[index]!.attempts[0]!.latencyMs).toBeGreaterThanOrEqual(0);
      expect(steps[index]!.attempts[0]!.latencyMs).toBeLessThan(1_000);
    }
    for (const id of Object.keys(map)) expect(callsOf(map[id as keyof typeof map])).toBe(decision.agents.filter((role) => decision.models[role] === id).length);
    expect(session.phase).toBe('completed');
    expect(session.globalMetrics.totalCostEstimate).toBeCloseTo(cost, 12);
    expect(session.globalMetrics).toMatchObject({ totalAttempts: decision.agents.length, failedAttempts: 0, fallbackRotations: 0 });
    expect(buffer[0]!.outcome.totalCostUsd).toBeCloseTo(cost, 12);
  });

  it('measures latency around the provider call', async () => {
    const { facade, recorded } = await setUp();
    const slow = new MockLanguageModelV4({
      modelId: 'slow',
      doGenerate: async () => {
        await new Promise((resolve) => setTimeout(resolve, 60));
        return textResult('late', 10, 5);
      },
    });
    const map = { 'gpt-4o-mini': slow, 'claude-sonnet': slow, o3: slow };
    const ai = drop({ learning: facade, providers: map });
    await ai.session({ description: 'fix a typo in the README' }, (session) => generateText({ model: session.model('executor'), prompt: 'x' }));
    const latency = recorded[0]!.workflow[0]!.attempts[0]!.latencyMs;
    expect(latency).toBeGreaterThanOrEqual(55);
    expect(latency).toBeLessThan(1_000);
  });

  it('records a thrown callback as a failed session and rethrows; succeeded() and fail() mark failures', async () => {
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade });
    await expect(
      ai.session({ description: 'add a flag' }, async (session) => {
        await generateText({ model: session.model('executor'), prompt: 'x' });
        throw new RangeError('tests failed');
      }),
    ).rejects.toThrow('tests failed');
    expect(await ai.session({ description: 'add a flag' }, () => 'rejected', { succeeded: (result) => result === 'accepted' })).toBe('rejected');
    await ai.session({ description: 'add a flag' }, (session) => session.fail());
    expect(await ai.session({ description: 'add a flag' }, () => 'accepted', { succeeded: (result) => result === 'accepted' })).toBe('accepted');
    expect(recorded.map((session) => session.phase)).toEqual(['failed', 'failed', 'failed', 'completed']);
    expect(recorded[0]!.workflow[0]!.status).toBe('completed');
  });

  it('records tool-call loops (one step per model call) and generateObject', async () => {
    const { facade, recorded } = await setUp();
    // One mock behind every model id: JSON for generateObject, a tool call first and text once the tool answered.
    const agent = new MockLanguageModelV4({
      modelId: 'agent',
      doGenerate: async (options) => {
        if (options.responseFormat?.type === 'json') return textResult(JSON.stringify({ title: 'Plan', steps: ['one', 'two'] }), 80, 25);
        if (!options.prompt.some((message) => message.role === 'tool')) {
          return {
            content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'readFile', input: JSON.stringify({ path: 'src/a.ts' }) }],
            finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
            usage: usage(100, 20),
            warnings: [],
          };
        }
        return textResult('the file exports a', 150, 10);
      },
    });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': agent, 'claude-sonnet': agent, o3: agent } });
    const read: string[] = [];
    const result = await ai.session({ description: 'explain src/a.ts' }, async (session) => {
      const withTools = await generateText({
        model: session.model('executor'),
        prompt: 'what does src/a.ts export?',
        tools: { readFile: tool({ description: 'read a file', inputSchema: z.object({ path: z.string() }), execute: async ({ path }) => (read.push(path), `export const a = 1;`) }) },
        stopWhen: stepCountIs(3),
      });
      const plan = await generateObject({ model: session.model('architect'), schema: z.object({ title: z.string(), steps: z.array(z.string()) }), prompt: 'plan it' });
      return { text: withTools.text, steps: withTools.steps.length, plan: plan.object };
    });
    expect(result).toEqual({ text: 'the file exports a', steps: 2, plan: { title: 'Plan', steps: ['one', 'two'] } });
    expect(read).toEqual(['src/a.ts']);
    const steps = recorded[0]!.workflow;
    expect(steps.map((step) => [step.agentRole, step.attempts[0]!.finishReason, step.attempts[0]!.tokensUsed])).toEqual([
      ['executor', 'tool-calls', 120],
      ['executor', 'stop', 160],
      ['architect', 'stop', 105],
    ]);
    expect(recorded[0]!.globalMetrics.totalTokens).toBe(385);
  });
});

describe('errors, retries and fallback', () => {
  it.each([
    ['rate limit (429)', providerErrors.rateLimit, 'RATE_LIMIT_429'],
    ['context length', providerErrors.contextLength, 'CONTEXT_EXCEEDED'],
    ['server error', providerErrors.serverError, 'API_ERROR'],
    ['abort', () => Object.assign(new Error('This operation was aborted'), { name: 'AbortError' }), 'TIMEOUT'],
  ])('maps a %s to the design error code and fails fast when decided so', async (_name, makeError, code) => {
    const { facade, recorded } = await setUp({ retry: 'fail_fast' });
    const broken = failing('broken', makeError());
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': broken, 'claude-sonnet': broken, o3: broken } });
    await expect(ai.session({ description: 'add a flag' }, (session) => generateText({ model: session.model('executor'), prompt: 'x', maxRetries: 0 }))).rejects.toThrow();
    expect(broken.doGenerateCalls).toHaveLength(1);
    expect(recorded[0]!.workflow[0]).toMatchObject({ status: 'failed', attempts: [{ success: false, errorCode: code }] });
    expect(recorded[0]!.phase).toBe('failed');
  });

  it('rotates to the next model of the ladder under fallback, counts each rotation, and records every attempt', async () => {
    const { facade, recorded } = await setUp({ retry: 'fallback' });
    const map = { 'gpt-4o-mini': failing('gpt-4o-mini', providerErrors.rateLimit()), 'claude-sonnet': failing('claude-sonnet', providerErrors.serverError()), o3: answering('o3', 'expensive answer', 300, 80) };
    const ai = drop({ learning: facade, providers: map, ladder: ['gpt-4o-mini', 'claude-sonnet', 'o3'] });
    const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      expect(session.modelIdFor('executor')).toBe('gpt-4o-mini');
      return (await generateText({ model: session.model('executor'), prompt: 'x', maxRetries: 0 })).text;
    });
    expect(text).toBe('expensive answer');
    const step = recorded[0]!.workflow[0]!;
    expect(step.attempts.map((attempt) => [attempt.modelId, attempt.success, attempt.errorCode])).toEqual([
      ['gpt-4o-mini', false, 'RATE_LIMIT_429'],
      ['claude-sonnet', false, 'API_ERROR'],
      ['o3', true, undefined],
    ]);
    expect(step.status).toBe('completed');
    expect(recorded[0]!.globalMetrics).toMatchObject({ fallbackRotations: 2, totalAttempts: 3, failedAttempts: 2, modelUsageCounts: { 'gpt-4o-mini': 1, 'claude-sonnet': 1, o3: 1 } });
    expect(recorded[0]!.globalMetrics.totalCostEstimate).toBeCloseTo(price('o3', 300, 80), 12);
  });

  it('stops rotating after maxRotations and rethrows the last error', async () => {
    const { facade, recorded } = await setUp({ retry: 'fallback' });
    const map = { 'gpt-4o-mini': failing('a', providerErrors.serverError()), 'claude-sonnet': failing('b', providerErrors.serverError()), o3: failing('c', providerErrors.contextLength()) };
    const ai = drop({ learning: facade, providers: map, ladder: ['gpt-4o-mini', 'claude-sonnet', 'o3'], maxRotations: 1 });
    await expect(ai.session({ description: 'fix a typo in the README' }, (session) => generateText({ model: session.model('executor'), prompt: 'x', maxRetries: 0 }))).rejects.toThrow('Internal Server Error');
    expect(recorded[0]!.workflow[0]!.attempts.map((attempt) => attempt.modelId)).toEqual(['gpt-4o-mini', 'claude-sonnet']);
    expect(recorded[0]!.globalMetrics.fallbackRotations).toBe(1);
  });

  it('retries the same model with backoff, but not after a context-length error', async () => {
    const { facade, recorded } = await setUp({ retry: 'retry_with_backoff' });
    let calls = 0;
    const flaky = new MockLanguageModelV4({
      modelId: 'flaky',
      doGenerate: async () => {
        calls += 1;
        if (calls <= 2) throw providerErrors.rateLimit();
        return textResult('third time', 10, 5);
      },
    });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': flaky, 'claude-sonnet': flaky, o3: flaky }, backoffMs: 5 });
    const started = performance.now();
    await ai.session({ description: 'fix a typo in the README' }, (session) => generateText({ model: session.model('executor'), prompt: 'x', maxRetries: 0 }));
    expect(performance.now() - started).toBeGreaterThanOrEqual(14); // waits 5 + 10 ms
    expect(recorded[0]!.workflow[0]!.attempts.map((attempt) => attempt.errorCode ?? 'ok')).toEqual(['RATE_LIMIT_429', 'RATE_LIMIT_429', 'ok']);
    const tooLong = failing('long', providerErrors.contextLength());
    const long = drop({ learning: facade, providers: { 'gpt-4o-mini': tooLong, 'claude-sonnet': tooLong, o3: tooLong } });
    await expect(long.session({ description: 'fix a typo in the README' }, (session) => generateText({ model: session.model('architect'), prompt: 'x', maxRetries: 0 }))).rejects.toThrow(/maximum context length/);
    expect(tooLong.doGenerateCalls).toHaveLength(1);
    expect(recorded[1]!.workflow[0]!.attempts.map((attempt) => attempt.errorCode)).toEqual(['CONTEXT_EXCEEDED']);
    expect(recorded[0]!.globalMetrics.fallbackRotations).toBe(0);
  });

  it('enforces the decided timeout (base × timeoutMultiplier) even when the provider ignores the abort, as TIMEOUT', async () => {
    const { facade, recorded } = await setUp({ retry: 'fallback' });
    const hanging = new MockLanguageModelV4({ modelId: 'hangs', doGenerate: () => new Promise(() => undefined) });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': hanging, 'claude-sonnet': answering('claude-sonnet', 'mid answer', 200, 50), o3: hanging }, ladder: ['gpt-4o-mini', 'claude-sonnet', 'o3'], baseTimeoutMs: 40 });
    let timeoutMs = 0;
    const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      timeoutMs = 40 * session.decision!.action.timeoutMultiplier;
      return (await generateText({ model: session.model('executor'), prompt: 'x', maxRetries: 0 })).text;
    });
    expect(text).toBe('mid answer');
    const [timedOut, answered] = recorded[0]!.workflow[0]!.attempts;
    expect(timedOut).toMatchObject({ modelId: 'gpt-4o-mini', success: false, errorCode: 'TIMEOUT', errorMessage: `model gpt-4o-mini did not answer within ${Math.round(timeoutMs)} ms` });
    expect(timedOut!.latencyMs).toBeGreaterThanOrEqual(timeoutMs - 2);
    expect(timedOut!.latencyMs).toBeLessThan(timeoutMs + 200);
    expect(answered).toMatchObject({ modelId: 'claude-sonnet', success: true });
  });

  it("stops at once when the caller's own signal aborts", async () => {
    const { facade, recorded } = await setUp({ retry: 'fallback' });
    const controller = new AbortController();
    const hanging = new MockLanguageModelV4({
      modelId: 'hangs',
      doGenerate: (options) =>
        new Promise((_, reject) => options.abortSignal?.addEventListener('abort', () => reject(Object.assign(new Error('aborted by the user'), { name: 'AbortError' })))),
    });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': hanging, 'claude-sonnet': hanging, o3: hanging }, baseTimeoutMs: 10_000 });
    setTimeout(() => controller.abort(), 20);
    await expect(ai.session({ description: 'fix a typo in the README' }, (session) => generateText({ model: session.model('executor'), prompt: 'x', maxRetries: 0, abortSignal: controller.signal }))).rejects.toThrow();
    expect(recorded[0]!.workflow[0]!.attempts).toHaveLength(1);
    expect(recorded[0]!.workflow[0]!.attempts[0]).toMatchObject({ success: false, errorCode: 'TIMEOUT' });
    expect(recorded[0]!.globalMetrics.fallbackRotations).toBe(0);
  });
});

describe('streaming', () => {
  it('records usage and finish reason when the stream finishes, with the latency to the end of the stream', async () => {
    const { facade, recorded } = await setUp();
    const slowStream = new MockLanguageModelV4({
      modelId: 'streams',
      doStream: async () => {
        const parts = streamParts('streamed answer', 400, 90);
        return {
          stream: new ReadableStream({
            async pull(controller) {
              const part = parts.shift();
              if (part === undefined) return controller.close();
              if (part.type === 'finish') await new Promise((resolve) => setTimeout(resolve, 30));
              controller.enqueue(part);
            },
          }),
        };
      },
    });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': slowStream, 'claude-sonnet': slowStream, o3: slowStream } });
    let recordedMidStream = -1;
    const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      const result = streamText({ model: session.model('executor'), prompt: 'x' });
      let streamed = '';
      for await (const delta of result.textStream) {
        streamed += delta;
        recordedMidStream = recorded.length;
      }
      expect(await result.usage).toMatchObject({ inputTokens: 400, outputTokens: 90 });
      return streamed;
    });
    expect(text).toBe('streamed answer');
    expect(recordedMidStream).toBe(0);
    const attempt = recorded[0]!.workflow[0]!.attempts[0]!;
    expect(attempt).toMatchObject({ success: true, inputTokens: 400, outputTokens: 90, finishReason: 'stop' });
    expect(attempt.latencyMs).toBeGreaterThanOrEqual(25);
    expect(attempt.estimatedCost).toBeCloseTo(price(attempt.modelId, 400, 90), 12);
  });

  it('records an error part of the stream as a failed attempt with its code', async () => {
    const { facade, recorded } = await setUp();
    const broken = new MockLanguageModelV4({
      modelId: 'broken-stream',
      doStream: async () => ({ stream: convertArrayToReadableStream([{ type: 'stream-start', warnings: [] }, { type: 'error', error: providerErrors.rateLimit() }]) }),
    });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': broken, 'claude-sonnet': broken, o3: broken } });
    await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      const result = streamText({ model: session.model('executor'), prompt: 'x', onError: () => undefined });
      await result.consumeStream();
    });
    expect(recorded[0]!.workflow[0]).toMatchObject({ status: 'failed', attempts: [{ success: false, errorCode: 'RATE_LIMIT_429' }] });
  });

  it('records a stream the consumer abandons as an aborted attempt (TIMEOUT)', async () => {
    const { facade, recorded } = await setUp();
    const endless = new MockLanguageModelV4({
      modelId: 'endless',
      doStream: async () => {
        let index = 0;
        return {
          stream: new ReadableStream({
            pull(controller) {
              index += 1;
              controller.enqueue(index === 1 ? { type: 'text-start', id: 't' } : { type: 'text-delta', id: 't', delta: `chunk ${index} ` });
            },
          }),
        };
      },
    });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': endless, 'claude-sonnet': endless, o3: endless } });
    await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      const controller = new AbortController();
      const result = streamText({ model: session.model('executor'), prompt: 'x', abortSignal: controller.signal, onError: () => undefined });
      let chunks = 0;
      for await (const _delta of result.textStream) {
        chunks += 1;
        if (chunks === 3) controller.abort();
      }
      expect(chunks).toBeGreaterThanOrEqual(3);
    });
    expect(recorded[0]!.workflow[0]).toMatchObject({ status: 'failed', attempts: [{ success: false, errorCode: 'TIMEOUT' }] });
  });

  it('rotates when opening the stream fails under fallback', async () => {
    const { facade, recorded } = await setUp({ retry: 'fallback' });
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': failing('a', providerErrors.rateLimit()), 'claude-sonnet': answering('claude-sonnet', 'mid answer', 200, 50), o3: answering('o3', 'x', 1, 1) }, ladder: ['gpt-4o-mini', 'claude-sonnet', 'o3'] });
    const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => streamText({ model: session.model('executor'), prompt: 'x', maxRetries: 0 }).text);
    expect(text).toBe('mid answer');
    expect(recorded[0]!.workflow[0]!.attempts.map((attempt) => [attempt.modelId, attempt.errorCode ?? 'ok'])).toEqual([['gpt-4o-mini', 'RATE_LIMIT_429'], ['claude-sonnet', 'ok']]);
    expect(recorded[0]!.globalMetrics.fallbackRotations).toBe(1);
  });
});

describe('many sessions at once', () => {
  it('keeps 100 concurrent sessions apart, each recorded once with its own attempts', async () => {
    const { facade, recorded, learning } = await setUp();
    const ai = drop({ learning: facade });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, index) =>
        ai.session({ description: `task ${index}: add a field to the user profile form` }, async (session) => {
          const first = await generateText({ model: session.model('executor'), prompt: `task ${index}` });
          await new Promise((resolve) => setTimeout(resolve, index % 7));
          const second = await generateText({ model: session.model('auditor'), prompt: `review ${index}` });
          return { id: session.id, texts: [first.text, second.text] };
        }),
      ),
    );
    expect(new Set(results.map((result) => result.id)).size).toBe(100);
    expect(recorded).toHaveLength(100);
    for (const session of recorded) {
      expect(session.workflow.map((step) => step.agentRole)).toEqual(['executor', 'auditor']);
      expect(session.globalMetrics.totalAttempts).toBe(2);
    }
    const buffer = await learning.readBuffer();
    expect(new Set(buffer.map((experience) => experience.sessionId))).toEqual(new Set(results.map((result) => result.id)));
  });
});

describe('one session', () => {
  it('keeps parallel calls of one session in separate steps', async () => {
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade });
    await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      const executor = session.model('executor');
      await Promise.all([1, 2, 3].map((index) => generateText({ model: executor, prompt: `part ${index}` })));
    });
    const steps = recorded[0]!.workflow;
    expect(steps.map((step) => step.id)).toEqual(['step-1', 'step-2', 'step-3']);
    expect(steps.every((step) => step.status === 'completed' && step.attempts.length === 1)).toBe(true);
    expect(recorded[0]!.globalMetrics.totalAttempts).toBe(3);
  });

  it('does not record calls made after the session ended (logged), and refuses unknown roles', async () => {
    const logs: string[] = [];
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade }, logs);
    let escaped: LanguageModelV4 | undefined;
    await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      expect(() => session.model('boss' as AgentRole)).toThrow(/^session\.model\(role\): unknown role "boss"/);
      escaped = session.model('executor');
      await generateText({ model: escaped, prompt: 'inside' });
    });
    const late = await generateText({ model: escaped!, prompt: 'after the end' });
    expect(late.text).toMatch(/answer/);
    expect(recorded[0]!.workflow).toHaveLength(1);
    expect(logs).toEqual([expect.stringMatching(/: a executor call after the session ended is not recorded$/)]);
  });
});

describe('modes', () => {
  it('disabled records nothing; shadow records', async () => {
    for (const mode of ['disabled', 'shadow'] as const) {
      const { facade, learning } = await setUp({ mode });
      const ai = drop({ learning: facade });
      const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => (await generateText({ model: session.model('executor'), prompt: 'x' })).text);
      expect(text).toMatch(/answer/);
      expect(await learning.readBuffer().catch(() => [])).toHaveLength(mode === 'disabled' ? 0 : 1);
    }
  });

  it('production: the deployed learned policy decides the models', async () => {
    const { learning, dataDir } = await setUp({ mode: 'shadow' });
    const { deployTestModel } = await import('./test-support/test-model');
    await deployTestModel(learning as LearningManager, dataDir);
    await learning.setMode('production', { force: true });
    const map = providers();
    const decisions: Array<{ source: string; policyVersion: string; models: Record<string, string | undefined> }> = [];
    const ai = drop({ learning, providers: map, onRecorded: (result) => decisions.push({ source: result.experience!.policy.source, policyVersion: result.experience!.policy.version, models: result.experience!.action.models }) });
    const used = await ai.session({ description: 'add a dark mode toggle to the settings page', files: ['src/settings/theme.tsx'] }, async (session) => {
      expect(session.decision).toMatchObject({ mode: 'production', source: 'learned', policyVersion: 'ai-sdk-test-1' });
      const executor = session.modelIdFor('executor');
      await generateText({ model: session.model('executor'), prompt: 'x' });
      return executor;
    });
    expect(decisions).toEqual([{ source: 'learned', policyVersion: 'ai-sdk-test-1', models: expect.objectContaining({ executor: used }) }]);
    expect(callsOf(map[used as keyof typeof map])).toBe(1);
  });
});

describe('ab_test', () => {
  it('serves the learned arm at fraction 1 and adds every recorded session to the A/B arms', async () => {
    const { learning, dataDir } = await setUp({ mode: 'shadow' });
    const { deployTestModel } = await import('./test-support/test-model');
    await deployTestModel(learning as LearningManager, dataDir);
    await learning.setMode('ab_test', { fraction: 1, force: true });
    const ai = drop({ learning });
    for (let index = 0; index < 3; index += 1) {
      await ai.session({ description: `task ${index}: add a dark mode toggle to the settings page` }, async (session) => {
        expect(session.decision).toMatchObject({ mode: 'ab_test', arm: 'learned' });
        await generateText({ model: session.model('executor'), prompt: 'x' });
      });
    }
    const status = await learning.status();
    expect(status.abTest.total.learned.sessions).toBe(3);
    expect(status.abTest.total.rules.sessions).toBe(0);
  });
});

describe('never breaks the user call', () => {
  it('runs on the default model and logs why when deciding fails', async () => {
    const logs: string[] = [];
    const { learning } = await setUp();
    const map = providers();
    const facade: LearningFacade = {
      catalog: learning.catalog,
      decide: () => {
        throw new Error('runtime exploded');
      },
      record: () => Promise.reject(new Error('must not be called')),
    };
    const ai = drop({ learning: facade, providers: map, defaultModel: 'claude-sonnet' }, logs);
    const text = await ai.session({ description: 'x' }, async (session) => {
      expect(session.decision).toBeNull();
      return (await generateText({ model: session.model('executor'), prompt: 'x' })).text;
    });
    expect(text).toBe('mid answer');
    expect(logs).toEqual([expect.stringMatching(/^deciding failed \(runtime exploded\): every role calls the default model claude-sonnet/)]);
  });

  it('returns the result and logs when recording fails (the store throws)', async () => {
    const logs: string[] = [];
    const { learning } = await setUp();
    const facade: LearningFacade = { catalog: learning.catalog, decide: (task) => learning.decide(task), record: () => Promise.reject(new Error('disk full')) };
    const ai = drop({ learning: facade }, logs);
    const text = await ai.session({ description: 'fix a typo in the README' }, async (session) => (await generateText({ model: session.model('executor'), prompt: 'x' })).text);
    expect(text).toMatch(/answer/);
    expect(logs).toEqual([expect.stringMatching(/recording failed \(disk full\); the call's result is unaffected/)]);
  });

  it('survives a throwing logger and a throwing onRecorded', async () => {
    const { facade, recorded } = await setUp();
    const ai = createAiSdkLearning({
      learning: facade,
      providers: { 'gpt-4o-mini': answering('gpt-4o-mini', 'only answer', 10, 10) },
      defaultModel: 'gpt-4o-mini',
      log: () => {
        throw new Error('logger down');
      },
      onRecorded: () => {
        throw new Error('callback down');
      },
    });
    const text = await ai.session({ description: 'refactor the payment service to use the new billing API and add tests' }, async (session) => {
      const answers = [];
      for (const role of ['architect', 'executor', 'auditor', 'consultant'] as const) answers.push((await generateText({ model: session.model(role), prompt: 'x' })).text);
      return answers.join(' ');
    });
    expect(text).toBe('only answer only answer only answer only answer');
    expect(recorded).toHaveLength(1);
  });

  it('falls back to the default model when the decided model has no provider, and logs it once per model', async () => {
    const logs: string[] = [];
    const { facade, recorded } = await setUp();
    const only = answering('gpt-4o-mini', 'only answer', 10, 10);
    const ai = drop({ learning: facade, providers: { 'gpt-4o-mini': only } }, logs);
    const task = { description: 'refactor the payment service to use the new billing API and add tests', files: ['src/billing/payment.ts', 'src/billing/api.ts'] };
    const missing = new Set<string>();
    for (let repeat = 0; repeat < 2; repeat += 1) {
      await ai.session(task, async (session) => {
        for (const role of session.agents) {
          expect(session.modelIdFor(role)).toBe('gpt-4o-mini');
          await generateText({ model: session.model(role), prompt: 'x' });
          await generateText({ model: session.model(role), prompt: 'again' });
          if (session.decision!.action.models[role] !== 'gpt-4o-mini') missing.add(session.decision!.action.models[role]!);
        }
      });
    }
    expect(missing.size).toBeGreaterThan(0); // this task decides mid/expensive models for some role
    expect(logs).toEqual([...missing].map((id) => `the decided model ${id} is not in providers; calling the default model gpt-4o-mini instead (logged once per model)`));
    expect(only.doGenerateCalls).toHaveLength(recorded[0]!.workflow.length + recorded[1]!.workflow.length);
    expect(recorded.flatMap((session) => session.workflow).every((step) => step.attempts[0]!.modelId === 'gpt-4o-mini')).toBe(true);
  });

  it('calls the default model for a role the decision left out, logged once per role', async () => {
    const logs: string[] = [];
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade }, logs);
    for (let repeat = 0; repeat < 2; repeat += 1) {
      await ai.session({ description: 'fix a typo in the README' }, async (session) => {
        const left = (['architect', 'executor', 'auditor', 'consultant'] as const).find((role) => session.decision!.action.models[role] === undefined)!;
        expect(left).toBeDefined();
        expect(session.modelIdFor(left)).toBe('gpt-4o-mini');
        await generateText({ model: session.model(left), prompt: 'x' });
      });
    }
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^a decision chose no model for \w+ \(it is not among the decided agents\); calling the default model gpt-4o-mini \(logged once per role\)$/);
    expect(recorded.map((session) => session.workflow[0]!.attempts[0]!.modelId)).toEqual(['gpt-4o-mini', 'gpt-4o-mini']);
  });
});

describe('delayed outcomes', () => {
  it('keeps a deferred session until amend(sessionId, outcome) and records it with that outcome', async () => {
    const { facade, learning } = await setUp();
    const ai = drop({ learning: facade });
    const id = await ai.session({ description: 'fix a typo in the README' }, async (session) => {
      await generateText({ model: session.model('executor'), prompt: 'x' });
      return session.id;
    }, { deferOutcome: true });
    expect(ai.pendingOutcomes).toBe(1);
    expect(await learning.readBuffer().catch(() => [])).toHaveLength(0);
    const outcome = { success: true, durationMs: 1_000, estimatedDurationMs: 2_000, resourceEfficiency: 0.9, errorCount: 0, totalCostUsd: 0.001, testsPassed: true, userEdits: 2 };
    const result = await ai.amend(id, outcome);
    expect(result?.experience?.outcome).toMatchObject({ testsPassed: true, userEdits: 2 });
    expect(ai.pendingOutcomes).toBe(0);
    await expect(ai.amend(id, outcome)).rejects.toThrow(UnknownSessionError);
    await expect(ai.amend(id, { ...outcome, resourceEfficiency: 3 })).rejects.toThrow(/resourceEfficiency/);
    const buffer = await learning.readBuffer();
    expect(buffer.map((experience) => experience.sessionId)).toEqual([id]);
  });

  it('records waiting sessions without an outcome on flush() and after outcomeTimeoutMs', async () => {
    const { facade, recorded } = await setUp();
    const ai = drop({ learning: facade, outcomeTimeoutMs: 30 });
    await ai.session({ description: 'fix a typo' }, () => 'a', { deferOutcome: true });
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(recorded).toHaveLength(1);
    const other = drop({ learning: facade });
    await other.session({ description: 'fix a typo' }, () => 'b', { deferOutcome: true });
    expect(recorded).toHaveLength(1);
    await other.flush();
    expect(recorded).toHaveLength(2);
    expect(other.pendingOutcomes).toBe(0);
  });
});

describe('options are validated at creation', () => {
  it('names the bad option', async () => {
    const { facade } = await setUp();
    const model = answering('m', 'x', 1, 1);
    const bad: Array<[Partial<AiSdkLearningOptions>, RegExp]> = [
      [{ providers: {} }, /^providers: expected a non-empty map/],
      [{ providers: { m: { specificationVersion: 'v2' } as never }, defaultModel: 'm' }, /^providers\["m"\]: expected an AI SDK language model of specification v4, got specification v2/],
      [{ providers: { m: model }, defaultModel: 'nope' }, /^defaultModel: "nope" is not a key of providers \(m\)/],
      [{ providers: { m: model }, defaultModel: 'm', ladder: ['m', 'x'] }, /^ladder: "x" is not a key of providers/],
      [{ providers: { m: model }, defaultModel: 'm', ladder: ['m', 'm'] }, /^ladder: a model appears twice/],
      [{ providers: { m: model }, defaultModel: 'm', maxRetries: 1.5 }, /^maxRetries: expected a non-negative integer, got 1.5/],
      [{ providers: { m: model }, defaultModel: 'm', baseTimeoutMs: 0 }, /^baseTimeoutMs: expected a positive number/],
    ];
    for (const [options, message] of bad) {
      expect(() => createAiSdkLearning({ learning: facade, providers: {}, defaultModel: 'm', ...options })).toThrow(message);
      expect(() => createAiSdkLearning({ learning: facade, providers: {}, defaultModel: 'm', ...options })).toThrow(AiSdkLearningConfigError);
    }
    expect(() => createAiSdkLearning({ learning: {} as LearningFacade, providers: { m: model }, defaultModel: 'm' })).toThrow(/^learning: expected the manager returned by createLearning\(\)/);
  });

  it('orders the default ladder by catalog tier, then catalog order, unknown models last', async () => {
    const { facade } = await setUp();
    const model = (id: string) => answering(id, 'x', 1, 1);
    const ai = createAiSdkLearning({ learning: facade, providers: { local: model('local'), o3: model('o3'), 'claude-sonnet': model('claude-sonnet'), 'gpt-4o-mini': model('gpt-4o-mini') }, defaultModel: 'local' });
    expect(ai.ladder).toEqual(['gpt-4o-mini', 'claude-sonnet', 'o3', 'local']);
  });
});
