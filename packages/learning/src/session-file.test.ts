import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionIngestError } from './errors';
import { parseIngestText, parseIngestedSession, parseOwnedIngestedSession, parseSessionText, readSessionFile } from './session-file';
import { makeExperience } from './test-support/make-experience';

const session = {
  workflow: [{ id: 'a', agentRole: 'executor', status: 'completed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 10, latencyMs: 5, success: true, estimatedCost: 0.001 }] }],
  globalMetrics: { totalCostEstimate: 0.001, totalTokens: 10, totalAttempts: 1, avgLatencyMs: 5 },
  phase: 'completed',
};
const action = { agents: ['executor'], approach: 'direct', parallelism: 1, timeoutMultiplier: 1, retryStrategy: 'fail_fast', safetyLevel: 'balanced', models: { executor: 'glm-4.7' } };

describe('parseOwnedIngestedSession (compiled parse of a record nothing else holds)', () => {
  it('gives what parseIngestedSession gives, or the same error, on valid and invalid records', () => {
    const version1 = { workflow: [{ id: 'a', agent: 'executor', status: 'completed', modelUsage: [{ model: 'glm-4.7', tokensUsed: 10, latencyMs: 5, success: true }] }], globalMetrics: { totalCost: 0.001, totalTokens: 10, totalAttempts: 1, averageLatencyMs: 5 }, phase: 'completed' };
    const records: unknown[] = [
      session,
      { ...session, schemaVersion: 2, sessionId: 's-1', iteration: 3 },
      { ...session, task: 'Add authentication' },
      { ...session, task: { description: 'Fix login' } },
      { ...session, task: { description: 'Fix login', files: ['a.ts'] }, action, propensity: 0.25 },
      { ...session, action: { ...action, agents: ['architect'] } },
      { ...session, action: { ...action, agents: ['executor', 'architect'] } },
      { ...session, action: { ...action, skills: ['typescript'] } },
      { ...session, propensity: 0 },
      { ...session, propensity: 1.5 },
      { ...session, task: { files: [] } },
      { ...session, surprise: { nested: true } },
      { ...session, phase: 'dancing' },
      { ...session, schemaVersion: 3 },
      { ...session, globalMetrics: { ...session.globalMetrics, totalTokens: -1 } },
      version1,
      { ...version1, schemaVersion: 1 },
      [],
      'text',
    ];
    const outcome = (parse: () => unknown) => {
      try {
        return { value: parse() };
      } catch (error) {
        return { error: (error as Error).message };
      }
    };
    let accepted = 0;
    for (const record of records) {
      const expected = outcome(() => parseIngestedSession(JSON.parse(JSON.stringify(record)), 'f', 1));
      expect(outcome(() => parseOwnedIngestedSession(JSON.parse(JSON.stringify(record)), 'f', 1))).toEqual(expected);
      if ('value' in expected) accepted += 1;
    }
    expect(accepted).toBeGreaterThan(5);
    expect(accepted).toBeLessThan(records.length);
  });
});

describe('parseSessionText', () => {
  it('reads one JSON record, a JSON array, and JSONL with optional task, action and propensity', () => {
    expect(parseSessionText(JSON.stringify(session))).toHaveLength(1);
    const many = parseSessionText(JSON.stringify([session, { ...session, task: { description: 'Fix login' }, action, propensity: 0.5 }]));
    expect(many[1]).toMatchObject({ task: { description: 'Fix login', files: [] }, propensity: 0.5, action: { approach: 'direct' } });
    const lines = parseSessionText(`${JSON.stringify(session)}\n\n${JSON.stringify(session)}\n`);
    expect(lines).toHaveLength(2);
  });

  it("reads the design's task string as the task description and keeps it in the session", () => {
    const [ingested] = parseSessionText(JSON.stringify({ ...session, task: 'Add authentication', iteration: 2 }));
    expect(ingested!.task).toEqual({ description: 'Add authentication', files: [] });
    expect(ingested!.session).toMatchObject({ task: 'Add authentication', iteration: 2 });
  });

  it('tells exported experiences from sessions in one file', () => {
    const experience = makeExperience(1);
    const contents = parseIngestText(`${JSON.stringify(experience)}\n${JSON.stringify(session)}\n`);
    expect(contents.sessions).toHaveLength(1);
    expect(contents.experiences).toEqual([experience]);
    expect(() => parseIngestText(JSON.stringify([{ ...experience, propensity: 0 }]), 'export.json')).toThrow(/export\.json \(record 1\).*propensity/);
  });

  it('names the record of the first invalid one', () => {
    const bad = { ...session, phase: 'dancing' };
    try {
      parseSessionText(`${JSON.stringify(session)}\n${JSON.stringify(bad)}`, 'runs.jsonl');
      expect.unreachable();
    } catch (error) {
      expect(SessionIngestError.isInstance(error)).toBe(true);
      expect((error as SessionIngestError).record).toBe(2);
      expect((error as Error).message).toMatch(/runs\.jsonl \(record 2\).*phase/);
    }
    expect(() => parseSessionText(JSON.stringify({ ...session, propensity: 2 }))).toThrow(/propensity/);
    expect(() => parseSessionText('')).toThrow(/empty/);
    expect(() => parseSessionText('{"a":\n')).toThrow(/not valid JSON/);
  });

  it('reports a missing file as an ingest error', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sessions-'));
    await expect(readSessionFile(join(directory, 'none.json'))).rejects.toThrow(/cannot read it \(ENOENT\)/);
    await writeFile(join(directory, 'one.json'), JSON.stringify(session));
    expect(await readSessionFile(join(directory, 'one.json'))).toHaveLength(1);
  });
});
