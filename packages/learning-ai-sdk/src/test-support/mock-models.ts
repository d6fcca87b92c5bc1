import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APICallError } from 'ai';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { createLearning, type CreateLearningOptions, type LearningManager } from '@orchestra/learning';
import type { LanguageModelV4GenerateResult, LanguageModelV4StreamPart, LanguageModelV4Usage } from '../sdk-types';

/** Usage as a provider reports it. */
export function usage(input: number, output: number, extra: { cacheRead?: number; reasoning?: number } = {}): LanguageModelV4Usage {
  return {
    inputTokens: { total: input, noCache: input - (extra.cacheRead ?? 0), cacheRead: extra.cacheRead, cacheWrite: undefined },
    outputTokens: { total: output, text: output - (extra.reasoning ?? 0), reasoning: extra.reasoning },
  };
}

/** A `doGenerate` result with one text part. */
export function textResult(text: string, input: number, output: number): LanguageModelV4GenerateResult {
  return { content: [{ type: 'text', text }], finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(input, output), warnings: [] };
}

/** A mock model answering `text` with the given usage on every call (generate and stream). */
export function answering(modelId: string, text: string, input: number, output: number): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    provider: 'mock',
    modelId,
    doGenerate: async () => textResult(text, input, output),
    doStream: async () => ({ stream: convertArrayToReadableStream(streamParts(text, input, output)) }),
  });
}

/** The parts of a streamed text answer: text in two deltas, then `finish` with usage. */
export function streamParts(text: string, input: number, output: number): LanguageModelV4StreamPart[] {
  const half = Math.ceil(text.length / 2);
  return [
    { type: 'stream-start', warnings: [] },
    { type: 'text-start', id: 't1' },
    { type: 'text-delta', id: 't1', delta: text.slice(0, half) },
    { type: 'text-delta', id: 't1', delta: text.slice(half) },
    { type: 'text-end', id: 't1' },
    { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(input, output) },
  ];
}

/** A mock model that throws `error` on every call. */
export function failing(modelId: string, error: unknown): MockLanguageModelV4 {
  return new MockLanguageModelV4({
    provider: 'mock',
    modelId,
    doGenerate: async () => {
      throw error;
    },
    doStream: async () => {
      throw error;
    },
  });
}

/** The provider errors of the design's codes, as AI SDK providers raise them. */
export const providerErrors = {
  rateLimit: () => new APICallError({ message: 'Too Many Requests', url: 'https://api.example/v1/chat', requestBodyValues: {}, statusCode: 429, isRetryable: true }),
  contextLength: () =>
    new APICallError({
      message: "This model's maximum context length is 8192 tokens. However, your messages resulted in 9001 tokens.",
      url: 'https://api.example/v1/chat',
      requestBodyValues: {},
      statusCode: 400,
      responseBody: '{"error":{"code":"context_length_exceeded"}}',
      isRetryable: false,
    }),
  serverError: () => new APICallError({ message: 'Internal Server Error', url: 'https://api.example/v1/chat', requestBodyValues: {}, statusCode: 500, isRetryable: true }),
};

/** A manager over a fresh temporary data dir (no hot reload); `cleanup` closes it and removes the dir. */
export async function temporaryLearning(options: CreateLearningOptions = {}): Promise<{ learning: LearningManager; dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'orchestra-ai-sdk-'));
  const learning = await createLearning({ dataDir, env: {}, cwd: dataDir, mode: 'shadow', ...options, config: { reloadIntervalMs: 0, ...options.config } });
  return {
    learning,
    dataDir,
    cleanup: async () => {
      await learning.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
