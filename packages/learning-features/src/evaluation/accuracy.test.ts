import { describe, expect, it } from 'vitest';
import { NaiveBayesClassifier } from '../inference/naive-bayes';
import { HELD_OUT_REPOSITORY, TUNING_REPOSITORY, loadLabelledCommits, recencyWeights, splitByCommitOrder } from './commit-dataset';
import { evaluateTaskType, majorityBaseline } from './evaluate';
import { trainTaskTypeModel } from './train-classifiers';

// A fast slice of `pnpm bench`: the same protocol (train on the older 80 % of each repository, test on the newest
// 20 %), on every 3rd held-out subject, so regressions in the rules, the classifier or the combination show up here.
const rows = loadLabelledCommits();
const { older: development, newest: heldOut } = splitByCommitOrder(rows);
const heldOutSample = heldOut.filter((_, index) => index % 3 === 0);
const classifier = new NaiveBayesClassifier(trainTaskTypeModel(development, 'older 80 %'));

describe('task-type accuracy smoke test (real commit subjects)', () => {
  it('loads both repositories with mapped labels and splits each by commit order', () => {
    expect(rows.filter((row) => row.repository === TUNING_REPOSITORY).length).toBeGreaterThan(6000);
    expect(rows.filter((row) => row.repository === HELD_OUT_REPOSITORY).length).toBeGreaterThan(4900);
    expect(rows.filter((row) => row.primaryDomain !== undefined).length).toBeGreaterThan(6000);
    for (const repository of [TUNING_REPOSITORY, HELD_OUT_REPOSITORY]) {
      const own = rows.filter((row) => row.repository === repository);
      const newest = heldOut.filter((row) => row.repository === repository);
      expect(newest.length).toBe(Math.floor(own.length * 0.2));
      // Held out = the newest rows (commits.tsv is newest first): every held-out row is younger than every training row.
      const oldestHeldOut = Math.max(...newest.map((row) => row.age));
      expect(Math.min(...development.filter((row) => row.repository === repository).map((row) => row.age))).toBeGreaterThan(oldestHeldOut);
    }
    expect(new Set([...development, ...heldOut].map((row) => `${row.repository}/${row.commit}`)).size).toBe(rows.length);
  });

  it('weights recent training commits more (1 for the newest of each repository, 0.5 one half-life older)', () => {
    const weights = recencyWeights(development, 0.5);
    for (const repository of [TUNING_REPOSITORY, HELD_OUT_REPOSITORY]) {
      const own = development.map((row, index) => ({ row, weight: weights[index]! })).filter((item) => item.row.repository === repository);
      expect(own[0]!.weight).toBe(1);
      expect(own.at(-1)!.weight).toBeCloseTo(2 ** (-(own.at(-1)!.row.age - own[0]!.row.age) / 0.5), 10);
    }
  });

  it('on the held-out part, the default (combined) beats the rules, the majority class and 60 %', () => {
    const combined = evaluateTaskType(heldOutSample, { method: 'combined', taskTypeClassifier: classifier, domainClassifier: null });
    const rules = evaluateTaskType(heldOutSample, { method: 'rules', domainClassifier: null });
    const majority = majorityBaseline(development, heldOutSample);
    expect(rules.accuracy).toBeGreaterThan(majority.accuracy + 0.1);
    expect(combined.accuracy).toBeGreaterThan(0.6);
    expect(combined.accuracy).toBeGreaterThan(rules.accuracy + 0.1);
  });
});
