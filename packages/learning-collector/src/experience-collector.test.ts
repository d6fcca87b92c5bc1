import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultFeatureSchema, encodeState } from '@orchestra/learning-features';
import { experienceReward, sessionReward } from '@orchestra/learning-reward';
import { ValidationError, experienceSchema, parseSessionState, type DecisionInput, type EnhancedSessionStateInput } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { ExperienceCollector } from './experience-collector';
import { MemoryExperienceStore } from './memory-experience-store';
import { outcomeFromSession } from './outcome-from-session';
import { collect } from './test-support/temporary-directory';

const here = path.dirname(fileURLToPath(import.meta.url));
const seedSession = JSON.parse(readFileSync(path.join(here, '__fixtures__', 'design-example-session.json'), 'utf8')) as EnhancedSessionStateInput;

const decision: DecisionInput = {
  action: {
    agents: ['architect', 'executor'],
    approach: 'sequential',
    parallelism: 1,
    timeoutMultiplier: 1,
    retryStrategy: 'fallback',
    safetyLevel: 'balanced',
    models: { architect: 'kimi-k2.5', executor: 'glm-4.7' },
  },
  propensity: 0.8,
  source: 'rules',
  policyVersion: 'rules-1',
};
const context = { taskType: 'feature' as const, domains: ['api' as const, 'security' as const], complexity: 'medium' as const, risk: 'medium' as const, estimatedTimeMinutes: 20 };
const system = { concurrentTasks: 1, load: 0.3 };
const fixedClock = () => new Date('2026-03-01T12:00:00.000Z');

describe('ExperienceCollector', () => {
  it('skips a session whose id is already stored, also after a restart, and says so', async () => {
    const store = new MemoryExperienceStore();
    const first = new ExperienceCollector({ store, mode: 'shadow', now: fixedClock });
    expect((await first.recordSession(seedSession, decision, { context, system })).status).toBe('recorded');
    expect(await first.recordSession(seedSession, decision, { context, system })).toEqual({ status: 'skipped', reason: 'duplicate-session', sessionId: 'design-example' });
    const afterCrash = new ExperienceCollector({ store, mode: 'shadow', now: fixedClock });
    expect(await afterCrash.record(seedSession, decision, { context, system })).toBeNull();
    expect(await afterCrash.recordSession({ ...seedSession, sessionId: 'another' }, decision, { context, system })).toMatchObject({ status: 'recorded' });
    expect((await collect(store.read())).map((experience) => experience.sessionId)).toEqual(['design-example', 'another']);
    expect(await new ExperienceCollector({ store, mode: 'disabled' }).recordSession(seedSession, decision, { context, system })).toEqual({ status: 'skipped', reason: 'disabled' });
  });

  it('builds the same validated record from an already validated session (validated once), and still refuses a bad one', () => {
    const collector = new ExperienceCollector({ store: new MemoryExperienceStore(), mode: 'shadow', now: fixedClock });
    const session = parseSessionState(seedSession);
    const details = { context, system, id: 'fixed-id', task: { description: 'Add authentication', files: ['src/auth.ts'] } };
    const slow = collector.build(seedSession, decision, details);
    const fast = collector.build(session, decision, { ...details, validatedSession: true });
    expect(fast).toEqual(slow);
    expect(experienceSchema.parse(fast)).toEqual(fast);
    // The compiled check refuses a record zod refuses: the error still names the field.
    expect(() => collector.build(session, decision, { ...details, validatedSession: true, timestamp: 'yesterday' })).toThrow(ValidationError);
    expect(() => collector.build(session, decision, { ...details, validatedSession: true, timestamp: 'yesterday' })).toThrow(/timestamp/);
  });

  it('skips the duplicate check (no read of the store) for a session id the caller generated for this run', async () => {
    const store = new MemoryExperienceStore();
    let reads = 0;
    const read = store.read.bind(store);
    store.read = (options) => {
      reads += 1;
      return read(options);
    };
    const collector = new ExperienceCollector({ store, mode: 'shadow', now: fixedClock });
    expect((await collector.recordSession({ ...seedSession, sessionId: 'fresh-1' }, decision, { context, system, newSession: true })).status).toBe('recorded');
    expect(reads).toBe(0);
    expect((await collector.recordSession({ ...seedSession, sessionId: 'fresh-1' }, decision, { context, system })).status).toBe('skipped');
    expect(reads).toBe(1);
  });

  it('appends re-imported experiences once: known and repeated session ids are skipped', async () => {
    const store = new MemoryExperienceStore();
    const collector = new ExperienceCollector({ store, mode: 'shadow', now: fixedClock });
    const experience = collector.build(seedSession, decision, { context, system });
    const other = collector.build({ ...seedSession, sessionId: 'other' }, decision, { context, system });
    expect(await collector.appendNew([experience, experience, other])).toEqual([experience, other]);
    expect(await new ExperienceCollector({ store, mode: 'shadow' }).appendNew([other, experience])).toEqual([]);
    expect(await collect(store.read())).toHaveLength(2);
  });

  it('builds and stores an experience: encoded features with the schema hash, session reward, derived outcome', async () => {
    const store = new MemoryExperienceStore();
    const collector = new ExperienceCollector({ store, mode: 'shadow', now: fixedClock });
    const experience = await collector.record(seedSession, decision, { context, system, task: { description: 'Add login API' } });
    expect(experience).not.toBeNull();
    const stored = await collect(store.read());
    expect(stored).toEqual([experience]);
    const expectedFeatures = Array.from(encodeState({ context: { ...context, skills: [] }, system: { ...system, agentAvailability: {} } }));
    expect(experience!.state.features).toHaveLength(defaultFeatureSchema.size);
    experience!.state.features.forEach((value, index) => expect(Math.fround(value)).toBe(expectedFeatures[index]));
    expect(experience!.state.featureSchemaHash).toBe(defaultFeatureSchema.hash);
    expect(experience!.reward).toEqual(sessionReward(seedSession));
    expect(experience).toMatchObject({
      timestamp: '2026-03-01T12:00:00.000Z',
      sessionId: 'design-example',
      mode: 'shadow',
      propensity: 0.8,
      policy: { source: 'rules', version: 'rules-1' },
      task: { description: 'Add login API', files: [] },
      outcome: { success: true, totalCostUsd: 0.055, totalTokens: 3500, errorCount: 0, estimatedDurationMs: 1_200_000 },
    });
    expect(experience!.outcome.models).toEqual([
      { model: 'kimi-k2.5', attempts: 1, successes: 1 },
      { model: 'glm-4.7', attempts: 1, successes: 1 },
    ]);
    expect(experience!.session?.workflow).toHaveLength(2);
  });

  it('uses experienceReward when the outcome is given, and takes the state from a facade-style decision', async () => {
    const store = new MemoryExperienceStore();
    const collector = new ExperienceCollector({ store, mode: 'production', keepSession: false });
    const outcome = { success: false, durationMs: 90_000, estimatedDurationMs: 60_000, resourceEfficiency: 0.4, errorCount: 2, totalCostUsd: 0.2 };
    const experience = await collector.record(seedSession, { ...decision, source: 'learned', context, system, sessionId: 'facade-1', mode: 'ab_test' }, { outcome });
    expect(experience!.reward).toEqual(experienceReward(outcome));
    expect(experience).toMatchObject({ sessionId: 'facade-1', mode: 'ab_test', policy: { source: 'learned' } });
    expect(experience!.session).toBeUndefined();
  });

  it('validates each record once: it builds a valid experience and tells the store not to parse it again', async () => {
    const store = new MemoryExperienceStore();
    const calls: unknown[] = [];
    const original = store.append.bind(store);
    store.append = (experiences, options) => {
      calls.push(options);
      return original(experiences, options);
    };
    const collector = new ExperienceCollector({ store, mode: 'shadow', now: fixedClock });
    const experience = await collector.record(seedSession, decision, { context, system });
    expect(calls).toEqual([{ validated: true }]);
    expect(experienceSchema.safeParse(experience).success).toBe(true);
    expect(await collect(store.read())).toEqual([experience]);
  });

  it('records nothing in disabled mode', async () => {
    const store = new MemoryExperienceStore();
    const collector = new ExperienceCollector({ store });
    expect(collector.mode).toBe('disabled');
    expect(await collector.record(seedSession, decision, { context, system })).toBeNull();
    collector.setMode('shadow');
    expect(await collector.record(seedSession, decision, { context, system, mode: 'disabled' })).toBeNull();
    expect(store.size).toBe(0);
    expect(await collector.record(seedSession, decision, { context, system })).not.toBeNull();
    expect(store.size).toBe(1);
  });

  it('rejects a missing state or an invalid decision with ValidationError naming the field', async () => {
    const collector = new ExperienceCollector({ store: new MemoryExperienceStore(), mode: 'shadow' });
    const missing = await collector.record(seedSession, decision, { system }).catch((error: unknown) => error);
    expect(ValidationError.isInstance(missing) && missing.field).toBe('context');
    const invalid = await collector.record(seedSession, { ...decision, propensity: 2 }, { context, system }).catch((error: unknown) => error);
    expect(ValidationError.isInstance(invalid) && invalid.field).toBe('propensity');
  });
});

describe('outcomeFromSession', () => {
  it('counts failed calls as errors, per-model attempts, the exact p95 latency and a budget-based efficiency', () => {
    const session: EnhancedSessionStateInput = {
      workflow: [
        {
          id: 'step-1',
          agentRole: 'executor',
          status: 'failed',
          attempts: [
            { modelId: 'glm-4.7', tokensUsed: 100, latencyMs: 1000, success: false, errorCode: 'TIMEOUT', estimatedCost: 0.01 },
            { modelId: 'kimi-k2.5', tokensUsed: 300, latencyMs: 3000, success: false, errorCode: 'API_ERROR', estimatedCost: 0.03 },
          ],
        },
      ],
      globalMetrics: { totalCostEstimate: 0.04, totalTokens: 400, totalAttempts: 2, avgLatencyMs: 2000, fallbackRotations: 1 },
      phase: 'failed',
    };
    const outcome = outcomeFromSession(session, { estimatedDurationMs: 5000, budget: { costUsd: 0.1 } });
    expect(outcome).toMatchObject({ success: false, errorCount: 2, durationMs: 4000, p95LatencyMs: 3000, fallbackRotations: 1, totalTokens: 400 });
    expect(outcome.resourceEfficiency).toBeCloseTo(0.6, 12);
    expect(outcome.models).toEqual([
      { model: 'glm-4.7', attempts: 1, successes: 0 },
      { model: 'kimi-k2.5', attempts: 1, successes: 0 },
    ]);
    expect(outcomeFromSession(session, { estimatedDurationMs: 5000 }).resourceEfficiency).toBe(0.5);
  });
});
