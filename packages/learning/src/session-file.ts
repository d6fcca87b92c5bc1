import { readFile } from 'node:fs/promises';
import {
  actionSchema,
  parseSessionState,
  safeValidate,
  type Action,
  type EnhancedSessionState,
} from '@orchestra/learning-types';
import { z } from 'zod';
import { SessionIngestError } from './errors';

/** One finished session from another orchestrator: the session, and optionally the task and the action it took. */
export interface IngestedSession {
  session: EnhancedSessionState;
  task?: { description: string; files: string[] };
  action?: Action;
  /** Probability with which the orchestrator chose `action` (1 when it chose deterministically). */
  propensity?: number;
}

const extrasSchema = z.object({
  task: z.object({ description: z.string(), files: z.array(z.string()).default([]) }).optional(),
  action: actionSchema.optional(),
  propensity: z.number().gt(0).max(1).optional(),
});

/** Validates one record: an `EnhancedSessionState` with optional `task`, `action` and `propensity` fields. */
export function parseIngestedSession(record: unknown, file = '<input>', recordNumber = 1): IngestedSession {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new SessionIngestError({ file, record: recordNumber, message: 'must be a JSON object (an EnhancedSessionState)' });
  }
  const { task, action, propensity, ...rest } = record as Record<string, unknown>;
  let session: EnhancedSessionState;
  try {
    session = parseSessionState(rest);
  } catch (error) {
    throw new SessionIngestError({ file, record: recordNumber, message: (error as Error).message, cause: error });
  }
  const extras = safeValidate(extrasSchema, { task, action, propensity }, 'session extras');
  if (!extras.success) throw new SessionIngestError({ file, record: recordNumber, message: extras.error.message, cause: extras.error });
  const result: IngestedSession = { session };
  if (extras.value.task !== undefined) result.task = extras.value.task;
  if (extras.value.action !== undefined) result.action = extras.value.action;
  if (extras.value.propensity !== undefined) result.propensity = extras.value.propensity;
  return result;
}

/**
 * Parses finished sessions from text: a JSON object, a JSON array of objects, or JSONL (one object per line; blank
 * lines ignored). Throws `SessionIngestError` naming the record on the first invalid one.
 */
export function parseSessionText(text: string, file = '<input>'): IngestedSession[] {
  const trimmed = text.trim();
  if (trimmed === '') throw new SessionIngestError({ file, record: 0, message: 'the file is empty' });
  let whole: unknown;
  let isWholeJson = true;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    isWholeJson = false;
  }
  if (isWholeJson) {
    if (Array.isArray(whole)) return whole.map((record, index) => parseIngestedSession(record, file, index + 1));
    return [parseIngestedSession(whole, file, 1)];
  }
  const sessions: IngestedSession[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new SessionIngestError({ file, record: index + 1, message: 'not valid JSON (expected JSON, a JSON array or JSONL)', cause: error });
    }
    sessions.push(parseIngestedSession(record, file, index + 1));
  }
  return sessions;
}

/** Reads a JSON / JSONL file of finished sessions (see `parseSessionText`; strict UTF-8). For large files use `streamSessionFile`. */
export async function readSessionFile(path: string): Promise<IngestedSession[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: 'not valid UTF-8; refused rather than replaced', cause: error });
  }
  return parseSessionText(text, path);
}
