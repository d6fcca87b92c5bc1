import { describe, expect, it } from 'vitest';
import { NaiveBayesClassifier } from '../inference/naive-bayes';
import { HELD_OUT_REPOSITORY, TUNING_REPOSITORY, loadLabelledCommits } from './commit-dataset';
import { evaluateTaskType, majorityBaseline } from './evaluate';
import { trainTaskTypeModel } from './train-classifiers';

// A fast slice of `pnpm bench`: every 10th subject, so regressions in the rules or the classifier show up here.
const rows = loadLabelledCommits();
const tuning = rows.filter((row) => row.repository === TUNING_REPOSITORY);
const heldOutSample = rows.filter((row) => row.repository === HELD_OUT_REPOSITORY).filter((_, index) => index % 10 === 0);

describe('task-type accuracy smoke test (real commit subjects)', () => {
  it('loads both repositories with mapped labels', () => {
    expect(tuning.length).toBeGreaterThan(6000);
    expect(heldOutSample.length).toBeGreaterThan(480);
    expect(rows.filter((row) => row.primaryDomain !== undefined).length).toBeGreaterThan(6000);
  });

  it('rules beat the majority class on the held-out repository', () => {
    const rules = evaluateTaskType(heldOutSample, { method: 'rules', domainClassifier: null });
    const majority = majorityBaseline(tuning, heldOutSample);
    expect(rules.accuracy).toBeGreaterThan(0.33);
    expect(rules.accuracy).toBeGreaterThan(majority.accuracy + 0.1);
  });

  it('the classifier learns a repository from its own history (80/20 split of vuejs/core)', () => {
    const fit = tuning.filter((_, index) => index % 5 !== 0);
    const validation = tuning.filter((_, index) => index % 5 === 0).filter((_, index) => index % 2 === 0);
    const classifier = new NaiveBayesClassifier(trainTaskTypeModel(fit, 'fit'));
    const learned = evaluateTaskType(validation, { method: 'classifier', taskTypeClassifier: classifier, domainClassifier: null });
    const rules = evaluateTaskType(validation, { method: 'rules', domainClassifier: null });
    expect(learned.accuracy).toBeGreaterThan(0.6);
    expect(learned.accuracy).toBeGreaterThan(rules.accuracy);
  });
});
