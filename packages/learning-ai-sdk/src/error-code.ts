import type { ModelErrorCode } from '@orchestra/learning-types';

const contextPattern =
  /context[ _-]?(length|window)|maximum context|context_length_exceeded|too many tokens|prompt is too long|input is too long|maximum (prompt|input) length|reduce the length of the messages|exceeds? the (model's )?(maximum|max) (number of )?tokens/i;
const rateLimitPattern = /rate[ _-]?limit|too many requests|\b429\b|quota exceeded|resource[ _-]exhausted/i;
const timeoutPattern = /timed? ?out|timeout|deadline exceeded|aborted/i;
const timeoutCodes = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR']);

interface ErrorFields {
  name?: unknown;
  message?: unknown;
  statusCode?: unknown;
  status?: unknown;
  code?: unknown;
  responseBody?: unknown;
  cause?: unknown;
  lastError?: unknown;
}

/**
 * The design's error code of a failed model call, read from the provider's error as the AI SDK surfaces it
 * (`APICallError` with `statusCode` and `responseBody`, abort and timeout errors, network errors):
 * HTTP 429 or a rate-limit message → `RATE_LIMIT_429`; a context-length message (or HTTP 413) → `CONTEXT_EXCEEDED`;
 * an abort, a timeout (or HTTP 408 / 504) → `TIMEOUT`; anything else → `API_ERROR`. Follows `cause` / `lastError`
 * (the SDK's `RetryError`) up to three levels.
 */
export function errorCodeOf(error: unknown): ModelErrorCode {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const code = directCode(current as ErrorFields);
    if (code !== null) return code;
    const fields = current as ErrorFields;
    current = fields.lastError ?? fields.cause;
  }
  return 'API_ERROR';
}

function directCode(error: ErrorFields): ModelErrorCode | null {
  const status = typeof error.statusCode === 'number' ? error.statusCode : typeof error.status === 'number' ? error.status : undefined;
  const text = `${typeof error.message === 'string' ? error.message : ''} ${typeof error.responseBody === 'string' ? error.responseBody.slice(0, 2000) : ''}`;
  if (status === 429) return 'RATE_LIMIT_429';
  if (status === 413 || contextPattern.test(text)) return 'CONTEXT_EXCEEDED';
  if (status === undefined && rateLimitPattern.test(text)) return 'RATE_LIMIT_429';
  if (error.name === 'AbortError' || error.name === 'TimeoutError' || status === 408 || status === 504) return 'TIMEOUT';
  if (typeof error.code === 'string' && timeoutCodes.has(error.code)) return 'TIMEOUT';
  if (status === undefined && timeoutPattern.test(text)) return 'TIMEOUT';
  if (status !== undefined) return 'API_ERROR';
  return null;
}

/** First line of an error's message, for the session's `errorMessage` (bounded). */
export function errorMessageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : typeof error === 'string' ? error : String((error as { message?: unknown } | null)?.message ?? error);
  const line = message.split('\n')[0] ?? '';
  return line.length > 500 ? `${line.slice(0, 497)}...` : line;
}
