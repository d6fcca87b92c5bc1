import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SessionIngestError } from './errors';
import { parseSessionText, readSessionFile } from './session-file';

const session = {
  workflow: [{ id: 'a', agentRole: 'executor', status: 'completed', attempts: [{ modelId: 'glm-4.7', tokensUsed: 10, latencyMs: 5, success: true, estimatedCost: 0.001 }] }],
  globalMetrics: { totalCostEstimate: 0.001, totalTokens: 10, totalAttempts: 1, avgLatencyMs: 5 },
  phase: 'completed',
};
const action = { agents: ['executor'], approach: 'direct', parallelism: 1, timeoutMultiplier: 1, retryStrategy: 'fail_fast', safetyLevel: 'balanced', models: { executor: 'glm-4.7' } };

describe('parseSessionText', () => {
  it('reads one JSON record, a JSON array, and JSONL with optional task, action and propensity', () => {
    expect(parseSessionText(JSON.stringify(session))).toHaveLength(1);
    const many = parseSessionText(JSON.stringify([session, { ...session, task: { description: 'Fix login' }, action, propensity: 0.5 }]));
    expect(many[1]).toMatchObject({ task: { description: 'Fix login', files: [] }, propensity: 0.5, action: { approach: 'direct' } });
    const lines = parseSessionText(`${JSON.stringify(session)}\n\n${JSON.stringify(session)}\n`);
    expect(lines).toHaveLength(2);
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
