import { join } from 'node:path';
import { useTemporaryDirectory } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';
import { simulateShadowSessions } from '../test-support/simulate';

const cwd = useTemporaryDirectory('orchestra-amend-', (directory) => simulateShadowSessions(directory, join(directory, 'data'), 30, 11));

const run = (...argv: string[]) => runInProcess(cwd(), ...argv);

describe('orchestra learning-amend', () => {
  it('appends an outcome event, shows the reward it moved, and is idempotent per event id', async () => {
    const before = JSON.parse((await run('learning-stats', '--json')).stdout);
    const first = await run('learning-amend', 'sim-11-3', '--tests-passed', 'false', '--user-edits', '5', '--event-id', 'ci-1', '--json');
    expect(first.code).toBe(0);
    const amended = JSON.parse(first.stdout);
    expect(amended).toMatchObject({ duplicate: false, sessionStored: true, event: { id: 'ci-1', sessionId: 'sim-11-3', patch: { testsPassed: false, userEdits: 5 } } });
    expect(amended.reward.amendments[0].eventId).toBe('ci-1');
    expect(amended.reward.total).toBeCloseTo(amended.reward.original.total + amended.reward.amendments[0].rewardDelta, 9);
    const again = JSON.parse((await run('learning-amend', 'sim-11-3', '--tests-passed', 'false', '--user-edits', '5', '--event-id', 'ci-1', '--json')).stdout);
    expect(again.duplicate).toBe(true);
    expect(again.reward.total).toBe(amended.reward.total);
    const after = JSON.parse((await run('learning-stats', '--json')).stdout);
    expect(after.totalExperiences).toBe(before.totalExperiences);
    expect(after.meanReward * 30).toBeCloseTo(before.meanReward * 30 + amended.reward.total - amended.reward.original.total, 6);
    const text = await run('learning-amend', 'sim-11-4', '--success', 'false');
    expect(text.stdout).toMatch(/^outcome event stored: .+ for session sim-11-4\nreward .+ → .+\n  .+: success true → false; reward -/);
  });

  it('keeps an event of an unknown session and refuses an empty or bad amendment with one line', async () => {
    const orphan = await run('learning-amend', 'not-yet', '--success', 'true');
    expect(orphan.stdout).toContain('not stored yet');
    const empty = await run('learning-amend', 'sim-11-3');
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim().split('\n')).toHaveLength(1);
    const bad = await run('learning-amend', 'sim-11-3', '--tests-passed', 'maybe');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/true or false/);
  });
});
