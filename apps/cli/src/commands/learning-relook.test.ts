import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLearning } from '@orchestra/learning';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';
import { simulateShadowSessions } from '../test-support/simulate';

const temporary = useTemporaryDirectories('orchestra-relook-');
let cwd: string;
beforeEach(() => {
  cwd = temporary();
});

const run = (...argv: string[]) => runInProcess(cwd, ...argv);

describe('orchestra learning-relook', () => {
  it('says there is nothing to re-look at without an exploration candidate', async () => {
    await simulateShadowSessions(cwd, join(cwd, 'data'), 20, 9);
    const text = await run('learning-relook');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/no exploration candidate \(candidateShare is 0\): nothing to re-look at/);
    const json = await run('learning-relook', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ regate: null, deployed: null, candidate: { status: 'none', model: null } });
  }, 60_000);

  it('re-looks at the candidate on the logs it explored on, spending by information over relookLogs, without training', async () => {
    const dataDir = join(cwd, 'data');
    await writeFile(join(cwd, 'orchestra.config.json'), JSON.stringify({ candidateShare: 0.5, relookLogs: 1200 }));
    await simulateShadowSessions(cwd, dataDir, 300, 9);
    const learning = await createLearning({ cwd, env: {}, dataDir, config: { reloadIntervalMs: 0 } });
    try {
      const trained = await learning.train({ version: 'relook-cli', output: join(cwd, 'candidates', 'relook-cli'), epochs: 3, trainerConfig: { seed: 1 } });
      expect(await learning.explore(trained.output, null)).toMatchObject({ version: 'relook-cli', plannedLogs: 1200 });
    } finally {
      await learning.close();
    }
    await simulateShadowSessions(cwd, dataDir, 150, 10);
    const result = await run('learning-relook', '--json');
    expect(result.code).toBe(0);
    const step = JSON.parse(result.stdout) as { regate: { look: number; freshLogs: number; candidateActed: number; spending: string; plannedLogs: number; spend: number }; candidate: { status: string } };
    expect(step.regate).toMatchObject({ look: 1, spending: 'information', plannedLogs: 1200 });
    // The candidate acted on about half of the sessions since it started exploring.
    expect(step.regate.freshLogs).toBeGreaterThanOrEqual(149);
    expect(step.regate.candidateActed).toBeGreaterThan(40);
    expect(step.regate.spend).toBeCloseTo(0.05 * Math.log(1 + (Math.E - 1) * (step.regate.freshLogs / 1200)), 9);
    expect(['kept', 'retired', 'withdrawn']).toContain(step.candidate.status);
    // No new logs since: no second look, and the text says so.
    if (step.candidate.status === 'kept') expect((await run('learning-relook')).stdout).toMatch(/no new logs to look at yet/);
  }, 120_000);
});
