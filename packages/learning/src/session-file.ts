import { readFile } from 'node:fs/promises';
import {
  actionSchema,
  parseExperience,
  parseJsonLines,
  parseSessionState,
  safeValidate,
  type Action,
  type EnhancedSessionState,
  type Experience,
} from '@orchestra/learning-types';
import { compiledParse, parseOwnedSession } from '@orchestra/learning-collector';
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

type Extras = z.output<typeof extrasSchema>;

/** The extras of a record nothing else holds: compiled (defaults filled in place), the action's refinements by zod. */
const parseOwnedExtras = compiledParse<Extras>(extrasSchema, [(extras) => extras.action === undefined || actionSchema.safeParse(extras.action).success]);

/**
 * Validates one record: an `EnhancedSessionState` (the design's shape; version 1 names are migrated) with optional
 * `task` (`{ description, files }`, or the design's task string), `action` and `propensity` fields.
 */
export function parseIngestedSession(record: unknown, file = '<input>', recordNumber = 1): IngestedSession {
  return parseIngested(record, file, recordNumber, false);
}

/**
 * `parseIngestedSession` of a record nothing else holds (freshly parsed JSON, as a streamed file's): a session of the
 * current version is checked by the compiled parse (`parseOwnedSession`: zod's defaults filled in place, the value
 * kept) instead of zod; anything else (an older version, an invalid record) goes through zod as before.
 */
export function parseOwnedIngestedSession(record: unknown, file: string, recordNumber: number): IngestedSession {
  return parseIngested(record, file, recordNumber, true);
}

function parseIngested(record: unknown, file: string, recordNumber: number, owned: boolean): IngestedSession {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new SessionIngestError({ file, record: recordNumber, message: 'must be a JSON object (an EnhancedSessionState)' });
  }
  const { task: taskField, action, propensity, ...rest } = record as Record<string, unknown>;
  // The design's session state names its task as a string: it is the task's description, and stays in the session.
  const task = typeof taskField === 'string' ? { description: taskField, files: [] } : taskField;
  let session: EnhancedSessionState;
  try {
    const sessionValue = typeof taskField === 'string' ? { ...rest, task: taskField } : rest;
    session = (owned ? parseOwnedSession(sessionValue) : undefined) ?? parseSessionState(sessionValue);
  } catch (error) {
    throw new SessionIngestError({ file, record: recordNumber, message: (error as Error).message, cause: error });
  }
  const extrasValue = { task, action, propensity };
  const ownedExtras = owned ? parseOwnedExtras(extrasValue) : undefined;
  const extras = ownedExtras !== undefined ? { success: true as const, value: ownedExtras } : safeValidate(extrasSchema, extrasValue, 'session extras');
  if (!extras.success) throw new SessionIngestError({ file, record: recordNumber, message: extras.error.message, cause: extras.error });
  const result: IngestedSession = { session };
  if (extras.value.task !== undefined) result.task = extras.value.task;
  if (extras.value.action !== undefined) result.action = extras.value.action;
  if (extras.value.propensity !== undefined) result.propensity = extras.value.propensity;
  return result;
}

/** Whether a record is an exported `Experience` (what `learning-export` writes) rather than a session. */
function isExperienceRecord(record: unknown): boolean {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return false;
  const fields = record as Record<string, unknown>;
  return 'state' in fields && 'action' in fields && 'reward' in fields && 'propensity' in fields && !('workflow' in fields);
}

/** What an ingest file holds: finished sessions, and experiences exported by `learning-export` (re-imported as they are). */
export interface IngestFileContents {
  sessions: IngestedSession[];
  experiences: Experience[];
}

/**
 * Parses an ingest file's text: sessions (see `parseIngestedSession`) and exported experiences (`learning-export`
 * JSON or JSONL), in any mix. Throws `SessionIngestError` naming the first invalid record.
 */
export function parseIngestText(text: string, file = '<input>'): IngestFileContents {
  const contents: IngestFileContents = { sessions: [], experiences: [] };
  for (const { record, number } of splitRecords(text, file)) {
    if (isExperienceRecord(record)) {
      try {
        contents.experiences.push(parseExperience(record));
      } catch (error) {
        throw new SessionIngestError({ file, record: number, message: (error as Error).message, cause: error });
      }
    } else {
      contents.sessions.push(parseIngestedSession(record, file, number));
    }
  }
  return contents;
}

/** Reads an ingest file: sessions and exported experiences (see `parseIngestText`). */
export async function readIngestFile(path: string): Promise<IngestFileContents> {
  return parseIngestText(await readText(path), path);
}

function splitRecords(text: string, file: string): { record: unknown; number: number }[] {
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
    if (Array.isArray(whole)) return whole.map((record, index) => ({ record, number: index + 1 }));
    return [{ record: whole, number: 1 }];
  }
  const invalid = (record: number, cause: unknown) => new SessionIngestError({ file, record, message: 'not valid JSON (expected JSON, a JSON array or JSONL)', cause });
  return Array.from(parseJsonLines(text, invalid), ({ line, value }) => ({ record: value, number: line }));
}

/** Reads a file as strict UTF-8: invalid bytes are refused (never silently replaced with U+FFFD). */
async function readText(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: `cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (error) {
    throw new SessionIngestError({ file: path, record: 0, message: 'not valid UTF-8; refused rather than replaced', cause: error });
  }
}

/**
 * Parses finished sessions from text: a JSON object, a JSON array of objects, or JSONL (one object per line; blank
 * lines ignored). Throws `SessionIngestError` naming the record on the first invalid one.
 */
export function parseSessionText(text: string, file = '<input>'): IngestedSession[] {
  return splitRecords(text, file).map(({ record, number }) => parseIngestedSession(record, file, number));
}

/** Reads a JSON / JSONL file of finished sessions (see `parseSessionText`; strict UTF-8). For large files use `streamSessionFile`. */
export async function readSessionFile(path: string): Promise<IngestedSession[]> {
  return parseSessionText(await readText(path), path);
}
