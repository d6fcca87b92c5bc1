import { join } from 'node:path';
import { makeExperience } from '@orchestra/learning-collector/testing';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import type { Experience } from '@orchestra/learning-types';
import { afterEach, describe, expect, it } from 'vitest';
import { createLearning, type LearningManager } from './learning-manager';
import { LearningStateStore } from './learning-state';
import { candidateErrorShare, REGATE_ALPHA } from './regate';
import { writeTestModel } from './test-support/write-test-model';

const temporaryDirectory = useTemporaryDirectories('gate-budget-');
const managers: LearningManager[] = [];
afterEach(async () => {
  for (const manager of managers.splice(0)) await manager.close();
});

/** The run's error budget as the state file holds it. */
async function budgetOf(manager: LearningManager) {
  return (await new LearningStateStore((await manager.status()).dataDir).read()).gateBudget;
}

/** Shadow logs recorded after any candidate of the test started exploring (their timestamps are far ahead). */
const freshLogs: Experience[] = Array.from({ length: 150 }, (_, index) => ({ ...makeExperience(9, index), mode: 'shadow' as const, timestamp: new Date(Date.UTC(2099, 0, 1) + index * 60_000).toISOString() }));

/** A manager whose trainer is a double: its re-look passes when `passes()` says so, and records the alpha it was given. */
async function open(gateErrorBudget?: 'candidate' | 'run') {
  const root = temporaryDirectory();
  const alphas: number[] = [];
  let passes = false;
  const trainer = {
    regateCandidate: async (_directory: string, options: { logs: Experience[]; look: number; alpha: number }) => {
      alphas.push(options.alpha);
      return {
        estimator: 'doubly-robust',
        sampleSize: options.logs.length,
        confidence: 1 - options.alpha / 2 ** options.look,
        bound: 2.2,
        information: 0.02,
        boundMethod: 'bonferroni',
        target: { value: 150, lower: 140, upper: 160 },
        baseline: { value: 140, lower: 130, upper: 150 },
        difference: { value: 10, lower: passes ? 2 : -2, upper: 18 },
        targetBeatsBaseline: passes,
        supported: true,
        kind: 'regate',
        look: options.look,
        freshLogs: options.logs.length,
        candidateActed: 70,
        referenceLogs: 0,
      };
    },
  };
  const manager = await createLearning({
    cwd: root,
    env: {},
    importModule: async (specifier) => (specifier === '@orchestra/learning-trainer' ? trainer : import(specifier)),
    config: { reloadIntervalMs: 0, candidateShare: 0.5, ...(gateErrorBudget === undefined ? {} : { gateErrorBudget }) },
  });
  managers.push(manager);
  await manager.setMode('shadow');
  for (const version of ['c-1', 'c-2', 'c-3']) await writeTestModel(join(root, version), { version, ope: { targetBeatsBaseline: false } });
  return { root, manager, alphas, pass: () => (passes = true) };
}

describe('the deploy gate’s error budget over a run', () => {
  it('gives the k-th candidate 6/(π²k²) of it, which sums to the whole budget', () => {
    expect(candidateErrorShare(1)).toBeCloseTo(0.6079, 4);
    expect(candidateErrorShare(2)).toBeCloseTo(0.152, 4);
    let sum = 0;
    for (let index = 1; index <= 100_000; index++) sum += candidateErrorShare(index);
    expect(sum).toBeLessThan(1);
    expect(sum).toBeGreaterThan(0.99999);
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => candidateErrorShare(bad)).toThrow(RangeError);
  });

  it('spends each candidate’s share at its re-looks, and a candidate whose re-look passed hands its level on to the next', async () => {
    const { root, manager, alphas, pass } = await open('run');
    const first = await manager.explore(join(root, 'c-1'));
    expect(first!.alpha).toBeCloseTo(REGATE_ALPHA * candidateErrorShare(1), 12);
    const second = await manager.explore(join(root, 'c-2'));
    const secondAlpha = REGATE_ALPHA * candidateErrorShare(2);
    expect(second!.alpha).toBeCloseTo(secondAlpha, 12);
    // A re-look that does not pass spends the candidate's level without handing anything on.
    const refused = await manager.regate({ output: join(root, 'look-1'), experiences: freshLogs });
    expect(refused).toMatchObject({ passed: false, look: 1 });
    expect(refused!.alpha).toBeCloseTo(secondAlpha, 12);
    expect((await budgetOf(manager))).toEqual({ candidates: 2, carried: 0 });
    pass();
    const passed = await manager.regate({ output: join(root, 'look-2'), experiences: freshLogs });
    expect(passed).toMatchObject({ passed: true, look: 2 });
    expect(alphas).toEqual([secondAlpha, secondAlpha]);
    expect((await budgetOf(manager)).carried).toBeCloseTo(secondAlpha, 12);
    const third = await manager.explore(join(root, 'c-3'));
    expect(third!.alpha).toBeCloseTo(REGATE_ALPHA * candidateErrorShare(3) + secondAlpha, 12);
    expect((await budgetOf(manager))).toEqual({ candidates: 3, carried: 0 });
  });

  it('gives every candidate the whole rate with a budget per candidate (the default)', async () => {
    const { root, manager, alphas, pass } = await open();
    for (const version of ['c-1', 'c-2']) expect(await manager.explore(join(root, version))).toMatchObject({ alpha: null });
    pass();
    await manager.regate({ output: join(root, 'look-1'), experiences: freshLogs });
    expect(alphas).toEqual([REGATE_ALPHA]);
    expect((await budgetOf(manager))).toEqual({ candidates: 0, carried: 0 });
  });
});
