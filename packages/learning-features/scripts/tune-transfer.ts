/**
 * Nested leave-one-repository-out tuning of the transfer classifier's settings (an honest estimate of the whole
 * procedure "pick the settings, then train"): for every outer held-out repository, each candidate setting is scored
 * by an inner leave-one-repository-out over the other four (train on three, score the fourth), the best inner mean
 * is chosen, and only that choice is scored on the outer repository. Score = balanced accuracy (mean recall over the
 * six core types) of the classifier's log-probabilities + ruleWeight × keyword-rule scores (no abstention).
 * Also prints every candidate's plain (non-nested) score on the outer folds, for comparison.
 * Run: `node --import tsx scripts/tune-transfer.ts '<settings grid JSON>' '<rule weights JSON>'` (deterministic;
 * 25 trainings per setting, ≈ 45 s each on a quiet core).
 */
import { taskTypes } from '@orchestra/learning-types';
import { loadLabelledCommits, type LabelledCommit } from '../src/evaluation/commit-dataset';
import { CORE_TASK_TYPES, taskTypeTrainingSettings, trainTaskTypeModel, type TransferTrainingSettings } from '../src/evaluation/train-classifiers';
import { SoftmaxClassifier } from '../src/inference/softmax-classifier';
import { taskTypeFeaturesOf } from '../src/inference/transfer-features';
import { taskTypeRuleScores } from '../src/inference/rule-engine';

const rows = loadLabelledCommits();
const repositories = [...new Set(rows.map((row) => row.repository))];
const grid: Array<Partial<TransferTrainingSettings>> = JSON.parse(process.argv[2] ?? '[{}]');
const ruleWeights: number[] = JSON.parse(process.argv[3] ?? '[0.5]');
const ruleScores = new Map(rows.map((row) => [row, taskTypeRuleScores(row.subject)]));
const features = new Map(rows.map((row) => [row, taskTypeFeaturesOf(row.subject)]));

/** Balanced accuracy of one model on one repository's rows, per rule weight. */
function balancedScores(model: SoftmaxClassifier, test: readonly LabelledCommit[]): number[] {
  const tallies = ruleWeights.map(() => new Map(CORE_TASK_TYPES.map((type) => [type as string, { count: 0, correct: 0 }])));
  for (const row of test) {
    if (!CORE_TASK_TYPES.includes(row.taskType)) continue;
    const probabilities = model.predict(features.get(row)!).probabilities;
    const scores = ruleScores.get(row)!;
    ruleWeights.forEach((ruleWeight, weightIndex) => {
      let best = '';
      let bestScore = -Infinity;
      for (const type of taskTypes) {
        const value = Math.log(Math.max(probabilities[type] ?? 0, 1e-6)) + ruleWeight * (scores.get(type) ?? 0);
        if (value > bestScore) {
          bestScore = value;
          best = type;
        }
      }
      const entry = tallies[weightIndex]!.get(row.taskType)!;
      entry.count += 1;
      if (best === row.taskType) entry.correct += 1;
    });
  }
  return tallies.map((tally) => {
    const present = [...tally.values()].filter((entry) => entry.count > 0);
    return present.reduce((sum, entry) => sum + entry.correct / entry.count, 0) / Math.max(1, present.length);
  });
}

const candidates = grid.flatMap((settings) => ruleWeights.map((ruleWeight) => ({ settings, ruleWeight })));
const label = (index: number): string => `${JSON.stringify(candidates[index]!.settings)} w=${candidates[index]!.ruleWeight}`;
const mean = (values: readonly number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
const percent = (value: number): string => (100 * value).toFixed(1);
/** outer[repository][candidate] = balanced accuracy on the outer held-out repository. */
const outer = new Map<string, number[]>();
const chosen = new Map<string, number>();
for (const held of repositories) {
  const rest = repositories.filter((repository) => repository !== held);
  const inner = candidates.map(() => [] as number[]);
  const outerScores: number[] = [];
  grid.forEach((settings, settingIndex) => {
    for (const innerHeld of rest) {
      const model = new SoftmaxClassifier(trainTaskTypeModel(rows.filter((row) => row.repository !== held && row.repository !== innerHeld), 'tuning', settings), 1);
      balancedScores(model, rows.filter((row) => row.repository === innerHeld)).forEach((value, weightIndex) => inner[settingIndex * ruleWeights.length + weightIndex]!.push(value));
    }
    const model = new SoftmaxClassifier(trainTaskTypeModel(rows.filter((row) => row.repository !== held), 'tuning', settings), 1);
    outerScores.push(...balancedScores(model, rows.filter((row) => row.repository === held)));
  });
  const innerMeans = inner.map(mean);
  const best = innerMeans.indexOf(Math.max(...innerMeans));
  chosen.set(held, best);
  outer.set(held, outerScores);
  console.log(`${held}: inner means ${innerMeans.map(percent).join(' ')} → chose ${label(best)}: outer ${percent(outerScores[best]!)}`);
}
console.log(`\nbase settings ${JSON.stringify(taskTypeTrainingSettings)}`);
console.log('| candidate | mean over outer folds (not nested) | worst | per repository |');
console.log('|---|---:|---:|---|');
candidates.forEach((_, index) => {
  const values = repositories.map((repository) => outer.get(repository)![index]!);
  console.log(`| ${label(index)} | ${percent(mean(values))} | ${percent(Math.min(...values))} | ${values.map(percent).join(' ')} |`);
});
const nested = repositories.map((repository) => outer.get(repository)![chosen.get(repository)!]!);
console.log(`\nnested (each outer fold scored with the setting its inner folds chose): mean ${percent(mean(nested))}, worst ${percent(Math.min(...nested))} | ${nested.map(percent).join(' ')}`);
