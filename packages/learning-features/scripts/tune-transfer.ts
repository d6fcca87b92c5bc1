/**
 * Grid over the transfer classifier's settings, scored leave-one-repository-out (classifier arg-max, balanced
 * accuracy over the six core types, every 2nd held-out row). Prints one row per setting: mean and worst fold.
 * Run: `node --import tsx scripts/tune-transfer.ts` (deterministic). The chosen row is `taskTypeTrainingSettings`.
 */
import { taskTypes } from '@orchestra/learning-types';
import { loadLabelledCommits } from '../src/evaluation/commit-dataset';
import { CORE_TASK_TYPES } from '../src/evaluation/leave-one-repository-out';
import { taskTypeTrainingSettings, trainTaskTypeModel, type TransferTrainingSettings } from '../src/evaluation/train-classifiers';
import { SoftmaxClassifier } from '../src/inference/softmax-classifier';
import { taskTypeFeaturesOf } from '../src/inference/transfer-features';
import { taskTypeRuleScores } from '../src/inference/rule-engine';

const rows = loadLabelledCommits();
const repositories = [...new Set(rows.map((row) => row.repository))];
const grid: Array<Partial<TransferTrainingSettings>> = JSON.parse(process.argv[2] ?? '[{}]');
const ruleWeights: number[] = JSON.parse(process.argv[3] ?? '[0]');
const ruleScores = new Map(rows.map((row) => [row, taskTypeRuleScores(row.subject)]));
const features = new Map(rows.map((row) => [row, taskTypeFeaturesOf(row.subject)]));
for (const settings of grid) {
  const models = new Map(repositories.map((repository) => [repository, new SoftmaxClassifier(trainTaskTypeModel(rows.filter((row) => row.repository !== repository), 'tuning', settings))]));
  for (const ruleWeight of ruleWeights) {
  const balanced = repositories.map((repository) => {
    const model = models.get(repository)!;
    const tally = new Map(CORE_TASK_TYPES.map((type) => [type, { count: 0, correct: 0 }]));
    rows.filter((row) => row.repository === repository).forEach((row) => {
      const entry = tally.get(row.taskType);
      if (entry === undefined) return;
      entry.count += 1;
      const probabilities = model.predict(features.get(row)!).probabilities;
      const scores = ruleScores.get(row)!;
      let best = '';
      let bestScore = -Infinity;
      for (const type of taskTypes) {
        const value = Math.log(Math.max(probabilities[type] ?? 0, 1e-6)) + ruleWeight * (scores.get(type) ?? 0);
        if (value > bestScore) { bestScore = value; best = type; }
      }
      if (best === row.taskType) entry.correct += 1;
    });
    const present = [...tally.values()].filter((entry) => entry.count > 0);
    return present.reduce((sum, entry) => sum + entry.correct / entry.count, 0) / present.length;
  });
  const mean = balanced.reduce((sum, value) => sum + value, 0) / balanced.length;
  console.log(`${JSON.stringify({ ...taskTypeTrainingSettings, ...settings })} w=${ruleWeight} mean ${(100 * mean).toFixed(1)} worst ${(100 * Math.min(...balanced)).toFixed(1)} | ${balanced.map((value) => (100 * value).toFixed(1)).join(' ')}`);
  }
}
