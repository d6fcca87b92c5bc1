/**
 * Leave-one-repository-out evaluation of task-type inference (the headline figure), printed as tables.
 * Run: `pnpm --filter @orchestra/learning-features eval` (deterministic: seeded training, no sampling).
 * Pass `--every N` to score every N-th held-out row only (faster, noisier).
 */
import { taskTypes } from '@orchestra/learning-types';
import { loadLabelledCommits } from '../src/evaluation/commit-dataset';
import { loadChangelogEntries } from '../src/evaluation/changelog-entries';
import { CORE_TASK_TYPES, domainLeaveOneRepositoryOut, evaluateUnseenRepositories, leaveOneRepositoryOut, type FoldResult, type MethodScores } from '../src/evaluation/leave-one-repository-out';

const everyArgument = process.argv.indexOf('--every');
const every = everyArgument >= 0 ? Number(process.argv[everyArgument + 1]) : 1;
if (!Number.isInteger(every) || every < 1) throw new Error(`--every must be a positive integer, got ${process.argv[everyArgument + 1]}`);
const abstainArgument = process.argv.indexOf('--abstain-below');
const abstainBelow = abstainArgument >= 0 ? Number(process.argv[abstainArgument + 1]) : undefined;
const unsupportedArgument = process.argv.indexOf('--unsupported-abstain-below');
const unsupportedAbstainBelow = unsupportedArgument >= 0 ? Number(process.argv[unsupportedArgument + 1]) : undefined;
const rows = loadLabelledCommits();
const started = performance.now();
const { folds, temperature } = leaveOneRepositoryOut(rows, { testFilter: (_, index) => index % every === 0, ...(abstainBelow === undefined ? {} : { abstainBelow }), ...(unsupportedAbstainBelow === undefined ? {} : { unsupportedAbstainBelow }) });
const seconds = ((performance.now() - started) / 1000).toFixed(1);
const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;
const recall = (scores: MethodScores, type: (typeof taskTypes)[number]): string => {
  const tally = scores.perClass[type];
  return tally.count === 0 ? '–' : percent(tally.correct / tally.count);
};
const mean = (pick: (fold: FoldResult) => number): number => folds.reduce((sum, fold) => sum + pick(fold), 0) / folds.length;

console.log(`# Leave-one-repository-out task-type accuracy (data/commits.tsv.gz, ${rows.length} subjects, every ${every}. held-out row; ${seconds} s)`);
console.log('Train on four repositories, test on the fifth. "balanced" = mean recall over feature, bugfix, docs, refactor, performance, test');
console.log('(= accuracy on a test set balanced over them, as in issue #22); "all rows" = plain accuracy over every row and class.\n');
console.log('| held-out repository | rows | model balanced | keyword rules | 5-minute keywords | model, all rows | rules, all rows | keywords, all rows | ECE | abstained (acc.) |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const fold of folds) {
  console.log(
    `| ${fold.repository} | ${fold.testRows} | **${percent(fold.model.balanced)}** | ${percent(fold.rules.balanced)} | ${percent(fold.keywords.balanced)} | ${percent(fold.model.natural)} | ${percent(fold.rules.natural)} | ${percent(fold.keywords.natural)} | ${fold.expectedCalibrationError.toFixed(3)} | ${percent(fold.abstained.share)} (${percent(fold.abstained.accuracy)}) |`,
  );
}
console.log(
  `| mean | | **${percent(mean((fold) => fold.model.balanced))}** | ${percent(mean((fold) => fold.rules.balanced))} | ${percent(mean((fold) => fold.keywords.balanced))} | ${percent(mean((fold) => fold.model.natural))} | ${percent(mean((fold) => fold.rules.natural))} | ${percent(mean((fold) => fold.keywords.natural))} | ${mean((fold) => fold.expectedCalibrationError).toFixed(3)} | |`,
);
console.log(`\nclassifier arg-max without abstention, balanced: ${folds.map((fold) => `${fold.repository} ${percent(fold.classifierOnly.balanced)}`).join(', ')}`);

console.log('\n## Per class (recall): model / keyword rules / 5-minute keywords, per held-out repository\n');
const shownTypes = taskTypes.filter((type) => folds.some((fold) => fold.model.perClass[type].count > 0));
console.log(`| class | ${folds.map((fold) => fold.repository).join(' | ')} |`);
console.log(`|---|${folds.map(() => '---:').join('|')}|`);
for (const type of shownTypes) {
  const core = CORE_TASK_TYPES.includes(type) ? '' : ' (not in headline)';
  console.log(`| ${type}${core} | ${folds.map((fold) => `${recall(fold.model, type)} / ${recall(fold.rules, type)} / ${recall(fold.keywords, type)} (n=${fold.model.perClass[type].count})`).join(' | ')} |`);
}
console.log(`\ntemperatures per fold (fitted on the other folds): ${folds.map((fold) => fold.temperature).join(', ')}; on all folds (shipped): ${temperature}`);
const failing = folds.flatMap((fold) => CORE_TASK_TYPES.filter((type) => fold.model.perClass[type].count > 0 && fold.model.perClass[type].correct / fold.model.perClass[type].count < 0.4).map((type) => `${fold.repository}/${type}`));
console.log(`goals: every repository balanced ≥ 60 %: ${folds.every((fold) => fold.model.balanced >= 0.6) ? 'yes' : 'no'}; every core class ≥ 40 %: ${failing.length === 0 ? 'yes' : `no (${failing.join(', ')})`}`);

console.log('\n## Further never-seen repositories (data/changelog-entries.tsv, CHANGELOG.md entries of pinned npm packages; the shipped model, trained on all five)\n');
console.log('Balanced = mean recall over the core classes with ≥ 10 rows; per class: model / keyword rules / 5-minute keywords.\n');
const unseen = evaluateUnseenRepositories(loadChangelogEntries());
const unseenTypes = CORE_TASK_TYPES.filter((type) => unseen.some((result) => result.model.perClass[type].count > 0));
console.log(`| repository | rows | **model balanced** | keyword rules | 5-minute keywords | model, all rows | ${unseenTypes.join(' | ')} |`);
console.log(`|---|---:|---:|---:|---:|---:|${unseenTypes.map(() => '---:').join('|')}|`);
for (const result of unseen) {
  console.log(
    `| ${result.repository} | ${result.testRows} | **${percent(result.model.balanced)}** | ${percent(result.rules.balanced)} | ${percent(result.keywords.balanced)} | ${percent(result.model.natural)} | ${unseenTypes.map((type) => `${recall(result.model, type)} / ${recall(result.rules, type)} / ${recall(result.keywords, type)} (n=${result.model.perClass[type].count})`).join(' | ')} |`,
  );
}

console.log('\n## Primary domain, leave one repository out (rows whose domain label comes from the commit scope)\n');
console.log('| held-out repository | rows | with domain classifier | keyword and path rules only |');
console.log('|---|---:|---:|---:|');
for (const fold of domainLeaveOneRepositoryOut(rows)) console.log(`| ${fold.repository} | ${fold.rows} | ${percent(fold.model)} | ${percent(fold.rules)} |`);
