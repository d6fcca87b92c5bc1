import { promises as fs } from 'node:fs';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { JsonlExperienceStore } from './jsonl-experience-store';
import { OutcomeEventLog } from './outcome-event-log';
import { makeExperience } from './test-support/experience-factory';

const dataDirectory = useTemporaryDirectories('orchestra-outcome-events-');

async function readAll(store: JsonlExperienceStore, view?: 'joined' | 'original') {
  const list = [];
  for await (const experience of store.read(view === undefined ? {} : { view })) list.push(experience);
  return list;
}

const event = (id: string, sessionId: string, patch: Record<string, unknown>, minute = 0) => ({
  schemaVersion: 1 as const,
  id,
  sessionId,
  timestamp: new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString(),
  patch,
});

describe('OutcomeEventLog', () => {
  it('stores an event id once: a retried amendment is skipped', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: dataDirectory() });
    const log = store.outcomeEvents();
    const first = await log.append([event('e1', 's1', { testsPassed: false })]);
    expect(first.appended.map((entry) => entry.id)).toEqual(['e1']);
    const second = await log.append([event('e1', 's1', { testsPassed: false }), event('e2', 's1', { userEdits: 5 }, 1), event('e2', 's1', { userEdits: 5 }, 1)]);
    expect(second.appended.map((entry) => entry.id)).toEqual(['e2']);
    expect(second.duplicates).toEqual(['e1', 'e2']);
    const index = await log.read();
    expect(index.events).toBe(2);
    expect(index.bySession.get('s1')!.map((entry) => entry.id)).toEqual(['e1', 'e2']);
    expect((await fs.readFile(log.path, 'utf8')).trim().split('\n')).toHaveLength(2);
    await store.close();
  });

  it('orders a session\'s events by timestamp, then id, whatever the append order', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: dataDirectory() });
    await store.outcomeEvents().append([event('b', 's', { success: true }, 5), event('a', 's', { success: false }, 5), event('c', 's', { success: true }, 1)]);
    const index = await store.outcomeEvents().read();
    expect(index.bySession.get('s')!.map((entry) => entry.id)).toEqual(['c', 'a', 'b']);
    await store.close();
  });

  it('refuses an invalid event whole, naming the field, and writes nothing', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: dataDirectory() });
    const log = store.outcomeEvents();
    await expect(log.append([event('ok', 's', { userEdits: 1 }), event('bad', 's', { userEdits: -1 })])).rejects.toThrow(/userEdits/);
    await expect(log.append([event('empty', 's', {})])).rejects.toThrow(/at least one field/);
    await expect(log.append([event('unknown', 's', { reward: 5 })])).rejects.toThrow(/OutcomeEvent/);
    expect((await log.read()).events).toBe(0);
    await store.close();
  });

  it('quarantines bad lines and a torn tail, keeps the rest, and closes the tail before the next append', async () => {
    const store = await JsonlExperienceStore.open({ dataDir: dataDirectory() });
    const log = store.outcomeEvents();
    await log.append([event('e1', 's1', { success: false })]);
    await fs.appendFile(log.path, 'not json\n{"schemaVersion":1,"id":"x"}\n{"schemaVersion":1,"id":"e9","sessionId":"s9","timestamp":"2026-03-01T00:00:00.000Z","patch":{"success":tr');
    const before = await log.read();
    expect(before.events).toBe(1);
    expect(before.quarantined).toBe(2);
    await log.append([event('e2', 's2', { userEdits: 2 })]);
    const after = await log.read();
    expect([...after.bySession.keys()].sort()).toEqual(['s1', 's2']);
    const quarantine = (await fs.readFile(store.quarantinePath, 'utf8')).trim().split('\n').map((line) => JSON.parse(line) as { reason: string; segment: string });
    expect(quarantine.filter((entry) => entry.segment === 'outcome_events.jsonl').map((entry) => entry.reason).sort()).toEqual(['invalid-json', 'schema', 'torn-tail']);
    await store.close();
  });

  it('keeps an orphan event (no such session yet) and joins it when the session arrives', async () => {
    const dataDir = dataDirectory();
    const store = await JsonlExperienceStore.open({ dataDir });
    const experience = makeExperience(3, 1);
    await store.outcomeEvents().append([event('late', experience.sessionId!, { testsPassed: !experience.outcome.testsPassed })]);
    expect((await store.stats()).stats.totalExperiences).toBe(0);
    await store.append(experience);
    const [joined] = await readAll(store);
    expect(joined!.outcome.testsPassed).toBe(!experience.outcome.testsPassed);
    expect(joined!.reward.amendments!.map((amendment) => amendment.eventId)).toEqual(['late']);
    await store.close();
  });

  it('a read-only store reads events and cannot append them', async () => {
    const dataDir = dataDirectory();
    const writer = await JsonlExperienceStore.open({ dataDir });
    await writer.outcomeEvents().append([event('e1', 's1', { success: true })]);
    await writer.close();
    const reader = await JsonlExperienceStore.open({ dataDir, readOnly: true });
    expect((await reader.outcomeEvents().read()).events).toBe(1);
    await expect(reader.outcomeEvents().append([event('e2', 's1', { success: false })])).rejects.toThrow(/read-only/);
    expect(new OutcomeEventLog(reader.directory).path).toBe(reader.outcomeEvents().path);
  });
});
