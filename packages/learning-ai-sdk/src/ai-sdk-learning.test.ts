import { generateObject, generateText, stepCountIs, streamText, tool } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import type { AgentRole } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { answering, failing, providerErrors, streamParts, textResult, usage } from './test-support/mock-models';
import { answerOf, callsOf, drop, price, providers, setUp, tokensOf } from './test-support/learning-fixture';

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
