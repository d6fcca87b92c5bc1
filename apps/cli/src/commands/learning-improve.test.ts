import { join } from 'node:path';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';
import { simulateShadowSessions } from '../test-support/simulate';

const temporary = useTemporaryDirectories('orchestra-improve-');
let cwd: string;
beforeEach(() => {
  cwd = temporary();
});

const run = (...argv: string[]) => runInProcess(cwd, ...argv);

describe('orchestra learning-improve', () => {
  it('trains on the buffer, reports the gate, and deploys only what passed it', async () => {
    await simulateShadowSessions(cwd, join(cwd, 'data'), 120, 9);
    const result = await run('learning-improve', '--epochs', '3', '--model-version', 'improve-test', '--json');
    // Only warnings (120 experiences is below the recommended 200), no errors.
    expect(result.stderr.split('\n').filter((line) => line !== '' && !line.startsWith('warning: '))).toEqual([]);
    expect(result.code).toBe(0);
    const step = JSON.parse(result.stdout) as { gate: string; deployed: { version: string } | null; reason: string | null; mode: string; train: { version: string; experiences: number; ope: { estimator: string } | null } };
    expect(step.train.version).toBe('improve-test');
    expect(step.train.experiences).toBe(120);
    expect(step.train.ope?.estimator).toBe('doubly-robust');
    expect(['passed', 'refused', 'not-evaluated']).toContain(step.gate);
    if (step.gate === 'passed') {
      expect(step.deployed?.version).toBe('improve-test');
      expect(step.mode).toBe('ab_test');
    } else {
      expect(step.deployed).toBeNull();
      expect(step.reason).toMatch(/gate/);
      expect(step.mode).not.toBe('ab_test');
    }
  }, 120_000);
});
