import { EXPERIENCE_SCHEMA_VERSION, SchemaVersionError, safeParseVersioned, versionedRecords, type Experience } from '@orchestra/learning-types';
import { isStoredExperience } from './compiled-validator';
import type { QuarantineReason } from './quarantine';

/** Result of parsing one buffer line: the experience, or why the line is quarantined. */
export type LineParseResult =
  | { valid: true; experience: Experience }
  | { valid: false; reason: QuarantineReason; detail: string };

/**
 * Deepest nesting of objects/arrays a buffer line may have. A real experience nests about 8 levels deep; the limit
 * keeps every later recursive consumer (zod, `JSON.stringify`, spreads in user code) far from the stack's end.
 */
export const MAX_LINE_NESTING_DEPTH = 64;

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Deepest `{`/`[` nesting of a JSON text (brackets inside strings do not count), scanning at most until `limit` is
 * passed. Iterative: safe on any input, O(length) time, O(1) memory.
 */
export function jsonNestingDepth(text: string, limit = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (inString) {
      if (code === 92 /* \ */) index += 1;
      else if (code === 34 /* " */) inString = false;
      continue;
    }
    if (code === 34) inString = true;
    else if (code === 123 /* { */ || code === 91 /* [ */) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > limit) return deepest;
      }
    } else if (code === 125 /* } */ || code === 93 /* ] */) depth -= 1;
  }
  return deepest;
}

/**
 * Finds an own key named `__proto__`, `constructor` or `prototype` anywhere in a parsed JSON value, and returns its
 * path. Iterative (an explicit stack, never the call stack), so a value nested 100,000 levels deep cannot overflow.
 */
export function findForbiddenKey(root: unknown): string | undefined {
  const stack: { value: unknown; path: string }[] = [{ value: root, path: '' }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (Array.isArray(value)) {
      for (let index = value.length - 1; index >= 0; index -= 1) {
        const item: unknown = value[index];
        if (typeof item === 'object' && item !== null) stack.push({ value: item, path: `${path}[${index}]` });
      }
      continue;
    }
    const keys = Object.keys(value);
    for (const key of keys) if (forbiddenKeys.has(key)) return path === '' ? key : `${path}.${key}`;
    for (let index = keys.length - 1; index >= 0; index -= 1) {
      const key = keys[index]!;
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) stack.push({ value: child, path: path === '' ? key : `${path}.${key}` });
    }
  }
  return undefined;
}

/**
 * Parses one line of the buffer: JSON, a nesting-depth bound, a prototype-pollution check, then the compiled check
 * of the stored form (`isStoredExperience`) or, when it refuses, `parseExperience` (migration + zod). Never throws, whatever the line holds. Lines nested deeper than `MAX_LINE_NESTING_DEPTH` are
 * refused (`too-deep`); lines carrying `__proto__`/`constructor`/`prototype` keys are refused (`forbidden-key`) even
 * though `JSON.parse` itself does not pollute, because a later `Object.assign`/spread by some consumer would.
 */
export function parseExperienceLine(line: string): LineParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    return { valid: false, reason: 'invalid-json', detail: error instanceof Error ? error.message : String(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { valid: false, reason: 'not-an-object', detail: `a line must hold a JSON object, found ${Array.isArray(value) ? 'an array' : typeof value}` };
  }
  const depth = jsonNestingDepth(line, MAX_LINE_NESTING_DEPTH);
  if (depth > MAX_LINE_NESTING_DEPTH) {
    return { valid: false, reason: 'too-deep', detail: `nested more than ${MAX_LINE_NESTING_DEPTH} levels deep` };
  }
  // The key scan only runs when the text could hold such a key (plain or \u-escaped), keeping the common path fast.
  if (line.includes('proto') || line.includes('constructor') || line.includes('\\u')) {
    const key = findForbiddenKey(value);
    if (key !== undefined) return { valid: false, reason: 'forbidden-key', detail: `forbidden key at ${key}` };
  }
  // A line in the current stored form passes the compiled check (what zod would return is the value itself).
  if ((value as { schemaVersion?: unknown }).schemaVersion === EXPERIENCE_SCHEMA_VERSION && isStoredExperience(value)) return { valid: true, experience: value };
  try {
    const result = safeParseVersioned(versionedRecords.experience, value);
    if (result.success) return { valid: true, experience: result.value };
    return {
      valid: false,
      reason: SchemaVersionError.isInstance(result.error) ? 'schema-version' : 'schema',
      detail: result.error.message,
    };
  } catch (error) {
    // The schema check must never take a read down: whatever it throws, the line is what is wrong.
    return { valid: false, reason: 'schema', detail: error instanceof Error ? error.message : String(error) };
  }
}
