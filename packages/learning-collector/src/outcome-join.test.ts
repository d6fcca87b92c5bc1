import { experienceReward, priceSession, resolveRewardConfig, sessionReward } from '@orchestra/learning-reward';
import type { Experience } from '@orchestra/learning-types';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { computeExperienceStats } from './experience-stats';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { emptyOutcomeEventIndex, type OutcomeEventIndex } from './outcome-event-log';
import { joinExperience } from './outcome-join';
import { makeExperience } from './test-support/experience-factory';

const dataDirectory = useTemporaryDirectories('orchestra-outcome-join-');

const defaults = resolveRewardConfig();

/** A factory experience scored as the collector scores it: by the task-level reward, or by the session reward. */
function scored(seed: number, index: number, kind: 'outcome' | 'session'): Experience {
  const base = makeExperience(seed, index);
  return { ...base, reward: kind === 'outcome' ? experienceReward(base.outcome) : sessionReward(base.session) };
}

function indexOf(events: { id: string; sessionId: string; minute: number; patch: Record<string, unknown> }[]): OutcomeEventIndex {
  const bySession = new Map<string, never[]>();
  for (const event of events) {
    const list = (bySession.get(event.sessionId) ?? []) as unknown[];
    list.push({ schemaVersion: 1, id: event.id, sessionId: event.sessionId, timestamp: new Date(Date.UTC(2026, 2, 1, 0, event.minute)).toISOString(), patch: event.patch });
    bySession.set(event.sessionId, list as never[]);
  }
  return { bySession, events: events.length, quarantined: 0 };
}

async function readAll(store: JsonlExperienceStore, view?: 'joined' | 'original'): Promise<Experience[]> {
  const list: Experience[] = [];
  for await (const experience of store.read(view === undefined ? {} : { view })) list.push(experience);
  return list;
}

describe('joinExperience', () => {
  it('re-scores a task-level reward from the amended outcome and says which event changed what', () => {
    // A session that succeeded with passing tests and no edits, so that each later event changes something.
    const base = makeExperience(1, 4);
    const succeeded = { ...base, outcome: { ...base.outcome, success: true, testsPassed: true, userEdits: 0 } };
    const experience: Experience = { ...succeeded, reward: experienceReward(succeeded.outcome) };
    const events = indexOf([
      { id: 'ci', sessionId: experience.sessionId!, minute: 60, patch: { testsPassed: false, success: false } },
      { id: 'user', sessionId: experience.sessionId!, minute: 60 * 24, patch: { userEdits: 5 } },
    ]);
    const joined = joinExperience(experience, { events, version: null, reward: defaults });
    const expectedOutcome = { ...experience.outcome, testsPassed: false, success: false, userEdits: 5 };
    expect(joined.outcome).toEqual(expectedOutcome);
    expect(joined.reward.total).toBe(experienceReward(expectedOutcome).total);
    expect(joined.reward.original).toEqual({ total: experience.reward.total, costUsd: experience.outcome.totalCostUsd, configVersion: experience.reward.configVersion });
    const [ci, user] = joined.reward.amendments!;
    expect(ci!.eventId).toBe('ci');
    expect(ci!.changed.success).toEqual({ from: experience.outcome.success, to: false });
    expect(user!.changed).toEqual({ userEdits: { from: 0, to: 5 } });
    expect(user!.rewardDelta).toBeCloseTo(10 / 6 - 10, 10);
    expect(experience.reward.total + ci!.rewardDelta + user!.rewardDelta).toBeCloseTo(joined.reward.total, 9);
    // The stored record is untouched.
    expect(experience.reward.amendments).toBeUndefined();
  });

  it('amends a session-level reward by what the facts are worth, as one component the total still sums', () => {
    const experience = scored(2, 7, 'session');
    const events = indexOf([{ id: 'late', sessionId: experience.sessionId!, minute: 1, patch: { safetyViolations: 1 } }]);
    const joined = joinExperience(experience, { events, version: null, reward: defaults });
    expect(joined.reward.kind).toBe('session');
    expect(joined.reward.components.outcomeAmendments).toBe(-60);
    expect(joined.reward.total).toBeCloseTo(experience.reward.total - 60, 10);
    const sum = Object.values(joined.reward.components).reduce((total, value) => total + value, 0);
    expect(sum).toBeCloseTo(joined.reward.total, 10);
  });

  it('is idempotent: an event repeating known facts changes nothing and is not listed', () => {
    const experience = scored(3, 2, 'outcome');
    const same = indexOf([{ id: 'noop', sessionId: experience.sessionId!, minute: 1, patch: { success: experience.outcome.success } }]);
    expect(joinExperience(experience, { events: same, version: null, reward: defaults })).toBe(experience);
    const twice = indexOf([
      { id: 'a', sessionId: experience.sessionId!, minute: 1, patch: { userEdits: 3 } },
      { id: 'b', sessionId: experience.sessionId!, minute: 2, patch: { userEdits: 3 } },
    ]);
    const joined = joinExperience(experience, { events: twice, version: null, reward: defaults });
    expect(joined.reward.amendments!.map((amendment) => amendment.eventId)).toEqual(['a']);
  });

  it('re-prices the session calls from their tokens and re-scores the reward under a reward version', () => {
    const experience = scored(4, 9, 'session');
    const prices = { 'glm-4.7': { inputPer1k: 1, outputPer1k: 1 }, kimi: { inputPer1k: 1, outputPer1k: 1 }, gpt: { inputPer1k: 1, outputPer1k: 1 }, opus: { inputPer1k: 1, outputPer1k: 1 } };
    const config = resolveRewardConfig({ cost: { expensiveSessionPenalty: -40 } });
    const version = { version: { id: 'r00000001', createdAt: '2026-03-01T00:00:00.000Z', reward: { cost: { expensiveSessionPenalty: -40 } }, prices }, config };
    const joined = joinExperience(experience, { events: emptyOutcomeEventIndex, version, reward: defaults });
    const priced = priceSession(experience.session, { table: prices, overwrite: 'all' });
    expect(joined.outcome.totalCostUsd).toBe(priced.globalMetrics.totalCostEstimate);
    expect(joined.outcome.totalCostUsd).toBeCloseTo((experience.outcome.totalTokens * 1) / 1000, 10);
    expect(joined.reward).toMatchObject({ ...sessionReward(priced, config), rewardVersion: 'r00000001' });
    expect(joined.reward.components.sessionCost).toBe(-40);
    expect(joined.reward.original!.costUsd).toBe(experience.outcome.totalCostUsd);
  });
});

describe('JsonlExperienceStore joined reads', () => {
  it('joins events into read, stats and the original view keeps the stored figures', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir });
    const experiences = Array.from({ length: 20 }, (_, index) => scored(5, index, index % 2 === 0 ? 'outcome' : 'session'));
    await store.append(experiences);
    const failed = experiences.filter((experience) => experience.outcome.success).slice(0, 3);
    await store.outcomeEvents().append(failed.map((experience, index) => ({ schemaVersion: 1, id: `fail-${index}`, sessionId: experience.sessionId!, timestamp: '2026-03-02T00:00:00.000Z', patch: { success: false } })));
    const stream = store.read();
    const joined: Experience[] = [];
    for await (const experience of stream) joined.push(experience);
    expect(stream.summary.joined).toBe(3);
    const original = await readAll(store, 'original');
    expect(original).toEqual(experiences);
    const report = await store.stats();
    expect(report.stats).toEqual(await computeExperienceStats(store.read()));
    const before = await computeExperienceStats(store.read({ view: 'original' }));
    expect(report.stats.successRate! * 20).toBeCloseTo(before.successRate! * 20 - 3, 9);
    expect(report.stats.meanReward!).toBeLessThan(before.meanReward!);
    await store.close();
  });

  it('applies the current reward version to every record, and the original figures come back when it is reset', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir });
    const experiences = Array.from({ length: 10 }, (_, index) => scored(6, index, 'outcome'));
    await store.append(experiences);
    const version = await store.rewardVersions().setCurrent({ reward: { experience: { success: 200 } }, note: 'test' });
    expect(version!.id).toMatch(/^r[0-9a-f]{8}$/);
    const rescored = await readAll(store);
    for (const [index, experience] of rescored.entries()) {
      expect(experience.reward.rewardVersion).toBe(version!.id);
      expect(experience.reward.total).toBe(experienceReward(experiences[index]!.outcome, { experience: { success: 200 } }).total);
    }
    // The same configuration again is the same version; null returns to the stored figures.
    expect((await store.rewardVersions().setCurrent({ reward: { experience: { success: 200 } } }))!.id).toBe(version!.id);
    await store.rewardVersions().setCurrent(null);
    expect(await readAll(store)).toEqual(experiences);
    expect((await store.rewardVersions().read()).versions).toHaveLength(1);
    await store.close();
  });
});
