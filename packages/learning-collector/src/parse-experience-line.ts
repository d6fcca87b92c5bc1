import { SchemaVersionError, safeParseVersioned, versionedRecords, type Experience } from '@orchestra/learning-types';
import type { QuarantineReason } from './quarantine';

/** Result of parsing one buffer line: the experience, or why the line is quarantined. */
export type LineParseResult =
  | { valid: true; experience: Experience }
  | { valid: false; reason: QuarantineReason; detail: string };

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/** Finds an own key named `__proto__`, `constructor` or `prototype` anywhere in a parsed JSON value. */
export function findForbiddenKey(value: unknown, path = ''): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const found = findForbiddenKey(value[index], `${path}[${index}]`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    const keyPath = path === '' ? key : `${path}.${key}`;
    if (forbiddenKeys.has(key)) return keyPath;
    const found = findForbiddenKey((value as Record<string, unknown>)[key], keyPath);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * Parses one line of the buffer: JSON, then a prototype-pollution check, then `parseExperience` (migration + zod).
 * Never throws. Lines carrying `__proto__`/`constructor`/`prototype` keys are refused even though `JSON.parse`
 * itself does not pollute, because a later `Object.assign`/spread by some consumer would.
 */
export function parseExperienceLine(line: string): LineParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { valid: false, reason: 'invalid-json', detail: (error as Error).message };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { valid: false, reason: 'not-an-object', detail: `a line must hold a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}` };
  }
  // The deep scan only runs when the text could hold such a key (plain or \u-escaped), keeping the common path fast.
  if (line.includes('proto') || line.includes('constructor') || line.includes('\\u')) {
    const key = findForbiddenKey(value);
    if (key !== undefined) return { valid: false, reason: 'forbidden-key', detail: `forbidden key at ${key}` };
  }
  const result = safeParseVersioned(versionedRecords.experience, value);
  if (result.success) return { valid: true, experience: result.value };
  return {
    valid: false,
    reason: SchemaVersionError.isInstance(result.error) ? 'schema-version' : 'schema',
    detail: result.error.message,
  };
}
