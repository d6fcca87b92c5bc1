/**
 * The reference for the leave-one-repository-out headline: what the same inference reaches on each repository when
 * it may learn from that repository's own labels (k-fold inside it, alone or with the other four repositories).
 * Run: `pnpm --filter @orchestra/learning-features eval:own-labels` (deterministic; ≈ 2 min).
 */
import { loadLabelledCommits } from '../src/evaluation/commit-dataset';
import { CORE_TASK_TYPES, leaveOneRepositoryOut, withOwnLabels, type MethodScores, type OwnLabelFolds } from '../src/evaluation/leave-one-repository-out';

const rows = loadLabelledCommits();
const started = performance.now();
const { folds: heldOut, temperature } = leaveOneRepositoryOut(rows);
const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;
const recalls = (scores: MethodScores): string =>
  CORE_TASK_TYPES.map((type) => {
    const tally = scores.perClass[type];
    return tally.count === 0 ? '–' : `${Math.round((100 * tally.correct) / tally.count)}`;
  }).join(' / ');
console.log(`# Task type with the repository's own labels (5 folds inside it; temperature ${temperature}, the shipped one)`);
console.log('balanced = mean recall over feature, bugfix, docs, refactor, performance, test; per class in that order.');
console.log('"interleaved": row i in fold i mod 5 (neighbouring commits of one change on both sides: optimistic);');
console.log('"history": five contiguous stretches of the history.\n');
console.log('| repository | leave one repository out | folds | own labels only | per class | other repositories + own labels | per class |');
console.log('|---|---:|---|---:|---|---:|---|');
for (const fold of heldOut) {
  for (const split of ['interleaved', 'history'] as OwnLabelFolds[]) {
    const result = withOwnLabels(rows, fold.repository, { split, temperature });
    console.log(`| ${fold.repository} | ${percent(fold.model.balanced)} | ${split} | ${percent(result.ownOnly.balanced)} | ${recalls(result.ownOnly)} | ${percent(result.withOthers.balanced)} | ${recalls(result.withOthers)} |`);
  }
}
console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
