import { readFileSync } from 'node:fs';
import { actionSchema, agentRoles, decisionSchema, experienceSchema, parseSessionState, safeParseVersioned, systemStateSchema, taskContextSchema, versionedRecords } from '@orchestra/learning-types';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { actionRefinementsHold, compiledParse, experienceWithoutSessionSchema, isBuiltExperienceWithoutSession, isParsedSystemState, parsedDecisionFields, isParsedTaskContext, isStoredExperience, parseOwnedSession } from './compiled-validator';
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

/**
 * Replaces the value at the `pick`-th path of `root` (then, with `second`, at another path of the result) by a copy
 * of the replacement: a generated value may be placed twice, and must not end up inside itself.
 */
function mutate(root: Record<string, unknown>, pick: number, value: unknown, second: [number, unknown] | null): void {
  const copy = (replacement: unknown) => (typeof replacement === 'object' && replacement !== null ? structuredClone(replacement) : replacement);
  const paths = pathsOf(root);
  setAt(root, paths[pick % paths.length]!, copy(value));
  if (second === null) return;
  const again = pathsOf(root);
  if (again.length > 0) setAt(root, again[second[0] % again.length]!, copy(second[1]));
}

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

const designSession = readFileSync(new URL('./__fixtures__/design-example-session.json', import.meta.url), 'utf8');

/** A session as another orchestrator writes it (defaults left out), from the design's example or a stored record. */
function sessionInput(index: number): Record<string, unknown> {
  if (index % 2 === 0) return JSON.parse(designSession) as Record<string, unknown>;
  return JSON.parse(JSON.stringify(makeExperience(37, index, { withSession: true, featureCount: 4 }).session)) as Record<string, unknown>;
}

describe('parseOwnedSession (compiled parse, defaults filled in place)', () => {
  it('returns what parseSessionState returns for sessions without their defaults, and the value itself', () => {
    for (let index = 0; index < 20; index += 1) {
      const value = sessionInput(index);
      const expected = parseSessionState(JSON.parse(JSON.stringify(value)));
      const parsed = parseOwnedSession(value);
      expect(parsed).toBe(value);
      expect(parsed).toEqual(expected);
    }
  });

  it('leaves older versions (to migrate), newer versions and non-objects to zod', () => {
    const version1 = { workflow: [{ id: 's', agent: 'executor', status: 'completed', modelUsage: [] }], globalMetrics: { totalCost: 0, totalTokens: 0, totalAttempts: 0, averageLatencyMs: 0 }, phase: 'completed' };
    expect(parseOwnedSession(version1)).toBeUndefined();
    expect(parseOwnedSession({ ...sessionInput(0), schemaVersion: 1 })).toBeUndefined();
    expect(parseOwnedSession({ ...sessionInput(0), schemaVersion: 3 })).toBeUndefined();
    for (const value of [null, [], 'x', 5]) expect(parseOwnedSession(value)).toBeUndefined();
  });

  it('never accepts a session zod refuses, and then zod gives the same result as on the untouched input (random mutations, seeded)', () => {
    const replacement = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(DELETE, -1, 0, 1.5, '', 'executor', 'completed', [], {}, null, true, '2026-01-01T00:00:00Z', '2026-02-30T00:00:00Z', 1768471200000),
    );
    const mutation = fc.record({ index: fc.integer({ min: 0, max: 30 }), pick: fc.nat(), replacement, second: fc.option(fc.tuple(fc.nat(), replacement)) });
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(mutation, ({ index, pick, replacement: value, second }) => {
        const session = sessionInput(index);
        mutate(session, pick, value, second);
        const untouched = JSON.parse(JSON.stringify(session)) as unknown;
        const expected = safeParseVersioned(versionedRecords.session, untouched);
        const parsed = parseOwnedSession(session);
        if (parsed !== undefined) {
          accepted += 1;
          expect(expected.success).toBe(true);
          expect(parsed).toEqual(expected.success ? expected.value : undefined);
          return;
        }
        refused += 1;
        // The defaults written into a refused value are zod's own: parsing it gives what the untouched input gives.
        const after = safeParseVersioned(versionedRecords.session, session);
        expect(after.success).toBe(expected.success);
        if (after.success && expected.success) expect(after.value).toEqual(expected.value);
        else if (!after.success && !expected.success) expect(after.error.message).toBe(expected.error.message);
      }),
      { seed: 5151, numRuns: 2_000 },
    );
    expect(accepted).toBeGreaterThan(50);
    expect(refused).toBeGreaterThan(50);
  });
});

describe('isParsedTaskContext / isParsedSystemState', () => {
  it('accept parsed values and refuse what zod refuses or would change', () => {
    const experience = makeExperience(41, 3, { featureCount: 4 });
    const context = experience.state.context;
    expect(isParsedTaskContext(context)).toBe(true);
    expect(taskContextSchema.parse(context)).toEqual(context);
    expect(isParsedTaskContext({ ...context, domains: [context.domains[0], context.domains[0]] })).toBe(false);
    expect(isParsedTaskContext({ ...context, skills: undefined })).toBe(false);
    expect(isParsedTaskContext({ ...context, surprise: 1 })).toBe(false);
    const system = experience.state.system;
    expect(isParsedSystemState(system)).toBe(true);
    expect(systemStateSchema.parse(system)).toEqual(system);
    expect(isParsedSystemState({ ...system, load: 2 })).toBe(false);
    expect(isParsedSystemState({ concurrentTasks: 0, load: 0 })).toBe(false);
    expect(isParsedSystemState({ ...system, agentAvailability: { executor: 0.5 } })).toBe(true);
    expect(isParsedSystemState({ ...system, agentAvailability: { nobody: 0.5 } })).toBe(systemStateSchema.safeParse({ ...system, agentAvailability: { nobody: 0.5 } }).success);
  });
});

describe('actionRefinementsHold', () => {
  it("agrees with zod's refinements of actionSchema on random teams and model maps (seeded)", () => {
    const parseAction = compiledParse(actionSchema, [actionRefinementsHold]);
    const role = fc.constantFrom(...agentRoles, 'intern');
    // Teams near the boundary: a subset of the roles (often with the executor), sometimes a repeat or a stranger,
    // models for most of them (sometimes an empty id), sometimes one for an agent not in the team.
    const generated = fc
      .record({
        team: fc.shuffledSubarray([...agentRoles]),
        extra: fc.option(role, { nil: undefined }),
        missingModel: fc.nat({ max: 6 }),
        emptyModel: fc.nat({ max: 12 }),
        strayModel: fc.option(role, { nil: undefined }),
        skills: fc.option(fc.array(fc.constantFrom('typescript', '')), { nil: undefined }),
      })
      .map(({ team, extra, missingModel, emptyModel, strayModel, skills }) => {
        const agents: string[] = extra === undefined ? team : [...team, extra];
        const models: Record<string, string> = {};
        agents.forEach((agent, index) => {
          if (index !== missingModel) models[agent] = index === emptyModel ? '' : 'glm-4.7';
        });
        if (strayModel !== undefined) models[strayModel] = 'kimi-k2.5';
        return { agents, models, skills };
      });
    const verdicts = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(generated, ({ agents, models, skills }) => {
        const action: Record<string, unknown> = { agents, approach: 'direct', parallelism: 1, timeoutMultiplier: 1, retryStrategy: 'fail_fast', safetyLevel: 'balanced', models };
        if (skills !== undefined) action.skills = skills;
        const expected = actionSchema.safeParse(structuredClone(action));
        const parsed = parseAction(action);
        expect(parsed !== undefined).toBe(expected.success);
        if (parsed !== undefined) expect(parsed).toEqual(expected.data);
        verdicts[parsed === undefined ? 'refused' : 'accepted'] += 1;
      }),
      { seed: 6060, numRuns: 3_000 },
    );
    expect(verdicts.accepted).toBeGreaterThan(100);
    expect(verdicts.refused).toBeGreaterThan(100);
  });
});

describe('parsedDecisionFields (compiled check of a decision)', () => {
  /** A facade-style decision: the `Decision` fields and more (context, mode, session id …) that zod strips. */
  function decisionInput(index: number): Record<string, unknown> {
    const experience = makeExperience(43, index, { featureCount: 4 });
    const decision: Record<string, unknown> = {
      action: structuredClone(experience.action),
      propensity: experience.propensity,
      source: experience.policy.source,
      policyVersion: experience.policy.version,
      context: structuredClone(experience.state.context),
      mode: 'shadow',
      sessionId: `session-${index}`,
    };
    if (index % 3 === 0) decision.explanation = ['because'];
    if (index % 4 === 0) decision.costWeight = 0.5;
    if (index % 5 === 0) decision.predicted = { durationMs: 1000, costUsd: 0.1, successProbability: 0.9 };
    return decision;
  }

  it("returns zod's result for valid decisions (extra fields left out, explanation defaulted)", () => {
    for (let index = 0; index < 30; index += 1) {
      const input = decisionInput(index);
      const parsed = parsedDecisionFields(input);
      expect(parsed).toBeDefined();
      expect(parsed).toEqual(decisionSchema.parse(structuredClone(input)));
    }
  });

  it('never accepts a decision zod refuses or would return changed (random mutations, seeded)', () => {
    const replacement = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(DELETE, Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1, 1.5, '', 'executor', 'rules', [], {}, null, undefined, true),
    );
    const mutation = fc.record({ index: fc.integer({ min: 0, max: 30 }), pick: fc.nat(), replacement, second: fc.option(fc.tuple(fc.nat(), replacement)) });
    const verdicts = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(mutation, ({ index, pick, replacement: value, second }) => {
        const input = decisionInput(index);
        mutate(input, pick, value, second);
        const expected = decisionSchema.safeParse(structuredClone(input));
        const parsed = parsedDecisionFields(input);
        if (parsed === undefined) {
          verdicts.refused += 1;
          return;
        }
        verdicts.accepted += 1;
        expect(expected.success).toBe(true);
        expect(parsed).toEqual(expected.data);
      }),
      { seed: 7171, numRuns: 2_000 },
    );
    expect(verdicts.accepted).toBeGreaterThan(50);
    expect(verdicts.refused).toBeGreaterThan(50);
  });
});

describe('isBuiltExperienceWithoutSession (the record check of build, its validated parts left out)', () => {
  /** Paths `build` fills from parts it validated first: never mutated here (their checks have tests of their own). */
  const validatedParts = (path: readonly (string | number)[]) =>
    path[0] === 'action' || path[0] === 'outcome' || (path[0] === 'state' && (path[1] === 'context' || path[1] === 'system' || path[1] === 'history'));

  it('accepts built records without their session, exactly as zod returns them', () => {
    for (let index = 0; index < 30; index += 1) {
      const experience = stored(index, false);
      expect(isBuiltExperienceWithoutSession(experience)).toBe(true);
      expect(experienceWithoutSessionSchema.parse(experience)).toEqual(experience);
    }
    expect(isBuiltExperienceWithoutSession({ ...stored(1, false), session: stored(2, true).session })).toBe(false);
  });

  it('never accepts a record zod refuses or would change, mutated outside the validated parts (seeded)', () => {
    const replacement = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(DELETE, Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1.5, '', 'shadow', 'rules', [], {}, null, true, '2026-01-01T00:00:00Z', '2026-02-30T00:00:00Z'),
    );
    const mutation = fc.record({ index: fc.integer({ min: 0, max: 30 }), pick: fc.nat(), replacement });
    const verdicts = { accepted: 0, refused: 0 };
    fc.assert(
      fc.property(mutation, ({ index, pick, replacement: value }) => {
        const experience = stored(index, false);
        const paths = pathsOf(experience).filter((path) => !validatedParts(path));
        setAt(experience, paths[pick % paths.length]!, typeof value === 'object' && value !== null ? structuredClone(value) : value);
        const expected = experienceWithoutSessionSchema.safeParse(structuredClone(experience));
        if (!isBuiltExperienceWithoutSession(experience)) {
          verdicts.refused += 1;
          return;
        }
        verdicts.accepted += 1;
        expect(expected.success).toBe(true);
        expect(expected.data).toEqual(experience);
      }),
      { seed: 8282, numRuns: 2_000 },
    );
    expect(verdicts.accepted).toBeGreaterThan(50);
    expect(verdicts.refused).toBeGreaterThan(50);
  });
});
