import { experienceSchema } from '@orchestra/learning-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isStoredExperience } from './compiled-validator';
import { makeExperience } from './test-support/experience-factory';

/** An experience as it is stored (a JSON round trip of a valid record). */
function stored(index: number, withSession = index % 2 === 0): Record<string, unknown> {
  return JSON.parse(JSON.stringify(makeExperience(31, index, { withSession, featureCount: 8 }))) as Record<string, unknown>;
}

/** Every path (object keys, array indices) of a JSON value. */
function pathsOf(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (typeof value !== 'object' || value === null) return out;
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path);
    pathsOf(child, path, out);
  }
  return out;
}

function setAt(root: Record<string, unknown>, path: readonly (string | number)[], replacement: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (replacement === DELETE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
}

const DELETE = Symbol('delete');

describe('isStoredExperience (compiled check)', () => {
  it('accepts stored experiences, with and without a session, exactly as zod returns them', () => {
    for (let index = 0; index < 50; index += 1) {
      const experience = stored(index);
      expect(isStoredExperience(experience)).toBe(true);
      expect(experienceSchema.parse(experience)).toEqual(experience);
    }
  });

  it('refuses what zod refuses or would change: refinements, non-finite numbers, unknown keys, missing defaults', () => {
    const noExecutor = stored(1);
    (noExecutor.action as { agents: string[] }).agents = ['architect'];
    const repeatedDomain = stored(2);
    const context = (repeatedDomain.state as { context: { domains: string[] } }).context;
    context.domains = [context.domains[0]!, context.domains[0]!];
    const notFinite = stored(3);
    (notFinite.state as { features: number[] }).features[0] = Number.POSITIVE_INFINITY;
    const notANumber = stored(4);
    notANumber.propensity = Number.NaN;
    const unknownKey = { ...stored(5), surprise: true };
    const badTimestamp = { ...stored(6), timestamp: '2026-02-30T00:00:00Z' };
    for (const value of [noExecutor, repeatedDomain, notFinite, notANumber, unknownKey, badTimestamp, null, [], 'x', 5]) {
      expect(isStoredExperience(value)).toBe(false);
    }
    // Zod refuses all of these except the unknown key, which it strips (so the stored form would differ).
    expect(experienceSchema.safeParse(unknownKey).success).toBe(true);
    expect(experienceSchema.safeParse(noExecutor).success).toBe(false);
  });

  it('never accepts a value zod refuses or would return changed (random mutations, seeded)', () => {
    const replacement = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(DELETE, Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1.5, '', 'executor', [], {}, null, true, '2026-01-01T00:00:00Z'),
    );
    const mutation = fc.record({ index: fc.integer({ min: 0, max: 40 }), pick: fc.nat(), replacement, second: fc.option(fc.tuple(fc.nat(), replacement)) });
    let accepted = 0;
    fc.assert(
      fc.property(mutation, ({ index, pick, replacement: value, second }) => {
        const experience = stored(index);
        const paths = pathsOf(experience);
        setAt(experience, paths[pick % paths.length]!, value);
        if (second !== null) {
          const again = pathsOf(experience);
          if (again.length > 0) setAt(experience, again[second[0] % again.length]!, second[1]);
        }
        if (!isStoredExperience(experience)) return;
        accepted += 1;
        const parsed = experienceSchema.safeParse(experience);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(experience);
      }),
      { seed: 4242, numRuns: 3_000 },
    );
    // Some mutations keep the record valid (e.g. another valid number): the property is not vacuous.
    expect(accepted).toBeGreaterThan(50);
  });
});
