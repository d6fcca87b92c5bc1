import { join } from 'node:path';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { beforeEach, describe, expect, it } from 'vitest';
import type { RegateReport } from '@orchestra/learning';
import { runInProcess } from '../test-support/run-in-process';
import { simulateShadowSessions } from '../test-support/simulate';
import { describeRelook } from './learning-improve';

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

describe('describeRelook', () => {
  const relook = (look: number, value: number, medianUnbiased: number, passed: boolean): RegateReport =>
    ({
      version: 'v6', candidateDirectory: '/d/v6', look, alpha: 0.1, spend: 0.004, spending: 'information', plannedLogs: 1200, baseline: null,
      freshLogs: 500, candidateActed: 250, confidence: 0.99, bound: 2.4, information: 0.03,
      difference: { value, lower: value - 6, upper: value + 6 }, medianUnbiased, supported: true, passed, directory: null, comparison: {} as never,
    }) as RegateReport;
  const plain = (text: string) => text;

  it('names the median-unbiased estimate of a look that passed after earlier looks, and only then', () => {
    expect(describeRelook(relook(4, 12.12, 9.25, true), plain)).toMatch(/learned − rules 12\.12 \[6\.12, 18\.12\].* — passed \(median-unbiased given the earlier looks: 9\.25\)$/);
    expect(describeRelook(relook(1, 30.78, 30.78, true), plain)).toMatch(/ — passed$/);
    expect(describeRelook(relook(4, 3, 2.5, false), plain)).toMatch(/ — not passed$/);
  });
});
