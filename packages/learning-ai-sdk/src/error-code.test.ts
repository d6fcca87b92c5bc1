import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { errorCodeOf, errorMessageOf } from './error-code';
import { ModelCallTimeoutError } from './errors';

const apiError = (statusCode: number | undefined, message: string, responseBody?: string) =>
  new APICallError({ message, url: 'https://api.example/v1', requestBodyValues: {}, ...(statusCode === undefined ? {} : { statusCode }), ...(responseBody === undefined ? {} : { responseBody }) });

describe('errorCodeOf', () => {
  it.each([
    [apiError(429, 'Too Many Requests'), 'RATE_LIMIT_429'],
    [apiError(400, 'Bad Request', '{"error":{"code":"context_length_exceeded","message":"This model\'s maximum context length is 128000 tokens"}}'), 'CONTEXT_EXCEEDED'],
    [apiError(400, 'prompt is too long: 210000 tokens > 200000 maximum'), 'CONTEXT_EXCEEDED'],
    [apiError(413, 'Payload Too Large'), 'CONTEXT_EXCEEDED'],
    [apiError(408, 'Request Timeout'), 'TIMEOUT'],
    [apiError(504, 'Gateway Timeout'), 'TIMEOUT'],
    [apiError(500, 'Internal Server Error'), 'API_ERROR'],
    [apiError(401, 'Incorrect API key provided'), 'API_ERROR'],
    [Object.assign(new Error('The operation was aborted'), { name: 'AbortError' }), 'TIMEOUT'],
    [new ModelCallTimeoutError({ modelId: 'm', timeoutMs: 5 }), 'TIMEOUT'],
    [Object.assign(new Error('connect ETIMEDOUT 1.2.3.4:443'), { code: 'ETIMEDOUT' }), 'TIMEOUT'],
    [new Error('Rate limit reached for requests'), 'RATE_LIMIT_429'],
    [new Error('fetch failed'), 'API_ERROR'],
    ['a string', 'API_ERROR'],
    [null, 'API_ERROR'],
  ])('%s → %s', (error, code) => {
    expect(errorCodeOf(error)).toBe(code);
  });

  it('follows the SDK RetryError (lastError) and cause chains', () => {
    expect(errorCodeOf({ name: 'AI_RetryError', message: 'Failed after 3 attempts', lastError: apiError(429, 'Too Many Requests') })).toBe('RATE_LIMIT_429');
    expect(errorCodeOf(new Error('request failed', { cause: apiError(400, 'maximum context length exceeded') }))).toBe('CONTEXT_EXCEEDED');
  });

  it('keeps the first line of a message, bounded', () => {
    expect(errorMessageOf(new Error('first\nsecond'))).toBe('first');
    expect(errorMessageOf('x'.repeat(600))).toHaveLength(500);
  });
});
