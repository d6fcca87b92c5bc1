/**
 * Trains the shipped classifiers on all of data/commits.tsv.gz and writes src/inference/models/*.json. The task-type
 * temperature is the one fitted on the leave-one-repository-out held-out predictions (every fold).
 * Run: `pnpm --filter @orchestra/learning-features train` (deterministic: same data, same JSON).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadLabelledCommits } from '../src/evaluation/commit-dataset';
import { leaveOneRepositoryOut } from '../src/evaluation/leave-one-repository-out';
import { trainDomainModel, trainTaskTypeModel } from '../src/evaluation/train-classifiers';

const rows = loadLabelledCommits();
const repositories = [...new Set(rows.map((row) => row.repository))];
const { temperature } = leaveOneRepositoryOut(rows);
const source = `data/commits.tsv.gz: all ${rows.length} subjects of ${repositories.join(', ')} (see data/SOURCE.md)`;
const outputs = {
  'task-type-classifier.json': trainTaskTypeModel(rows, source, {}, temperature),
  'domain-classifier.json': trainDomainModel(rows, `${source}, rows with a derived primary domain`),
};
for (const [name, model] of Object.entries(outputs)) {
  const path = fileURLToPath(new URL(`../src/inference/models/${name}`, import.meta.url));
  const text = `${JSON.stringify(model)}\n`;
  writeFileSync(path, text);
  console.log(`wrote ${path}: ${model.features.split('\n').length} features × ${model.labels.length} labels, temperature ${model.temperature}, ${text.length} bytes`);
}
