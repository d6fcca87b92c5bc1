import { join } from 'node:path';
import { LearningStateStore } from '@orchestra/learning';
import { useTemporaryDirectory } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';

const cwd = useTemporaryDirectory('orchestra-status-');

describe('orchestra learning', () => {
  it('shows the drift events of the state file, and lists them in --json', async () => {
    await new LearningStateStore(join(cwd(), 'data')).update((state) => {
      state.drift.events.push({ at: '2026-12-01T10:00:00.000Z', sessionsRecorded: 1_260, subject: 'gpt-5.2-codex', metric: 'success', direction: 'down', degraded: true, baseline: 0.82, changed: 0.41, response: 'exploration' });
      state.drift.events.push({ at: '2026-12-01T10:05:00.000Z', sessionsRecorded: 1_400, subject: 'learned-arm', metric: 'learnedVsRules', direction: 'down', degraded: true, baseline: 12, changed: -30, response: 'demoted-to-shadow' });
    });
    const text = await runInProcess(cwd(), 'learning');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('drift         2 changes detected; latest:');
    expect(text.stdout).toMatch(/gpt-5\.2-codex success 82\.0 % → 41\.0 % worse; exploration/);
    expect(text.stdout).toMatch(/learned-arm learnedVsRules 12 → -30 worse; demoted-to-shadow/);
    const json = JSON.parse((await runInProcess(cwd(), 'learning', '--json')).stdout);
    expect(json.drift.events.map((event: { response: string }) => event.response)).toEqual(['exploration', 'demoted-to-shadow']);
    expect(json.drift.explorationBoost).toEqual([]);
  });

  it("shows the exploration candidate's re-looks and the error rate they may spend", async () => {
    await new LearningStateStore(join(cwd(), 'data')).update((state) => {
      state.candidate = { version: 'cand-7', directory: join(cwd(), 'nowhere'), source: join(cwd(), 'nowhere'), since: '2026-12-01T10:00:00.000Z', estimate: null, looks: 2, lookBounds: [], plannedLogs: null, alpha: 0.0304, challenges: null };
    });
    const text = await runInProcess(cwd(), 'learning');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/exploring {5}candidate cand-7 since 2026-12-01T10:00:00\.000Z \(inactive: candidateShare is 0; 2 re-looks so far, one-sided error budget 1\.52 %\)/);
    const json = JSON.parse((await runInProcess(cwd(), 'learning', '--json')).stdout);
    expect(json.candidate).toMatchObject({ version: 'cand-7', looks: 2, alpha: 0.0304 });
    // Spending by information: how much of the budget its looks spent, over how many planned logs.
    await new LearningStateStore(join(cwd(), 'data')).update((state) => {
      state.candidate!.plannedLogs = 1200;
      state.candidate!.lookBounds = [
        { information: 0.01, bound: 2.4, spend: 0.004, logs: 200 },
        { information: 0.02, bound: 2.3, spend: 0.005, logs: 400 },
      ];
    });
    expect((await runInProcess(cwd(), 'learning')).stdout).toMatch(/2 re-looks so far, one-sided error budget 1\.52 %, 0\.90 % spent by information over 1200 planned logs\)/);
  });
});
