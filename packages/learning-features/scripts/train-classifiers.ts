/**
 * Trains the shipped classifiers from data/commits.tsv and writes them to src/inference/models/*.json.
 * Run: `pnpm --filter @orchestra/learning-features train` (deterministic: same data, same JSON).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadLabelledCommits } from '../src/evaluation/commit-dataset';
import { trainDomainModel, trainTaskTypeModel } from '../src/evaluation/train-classifiers';

const rows = loadLabelledCommits();
// The shipped models use all rows (the bench measures the same recipe trained on the older 80 % only).
const source = `data/commits.tsv: all ${rows.length} subjects of vuejs/core (MIT) and prisma/prisma (Apache-2.0), recency-weighted`;
const outputs = {
  'task-type-classifier.json': trainTaskTypeModel(rows, source),
  'domain-classifier.json': trainDomainModel(rows, `${source}, rows with a derived primary domain`),
};
for (const [name, model] of Object.entries(outputs)) {
  const path = fileURLToPath(new URL(`../src/inference/models/${name}`, import.meta.url));
  writeFileSync(path, `${JSON.stringify(model)}\n`);
  const documents = model.documentCounts.reduce((sum, value) => sum + value, 0);
  console.log(`wrote ${path}: ${Object.keys(model.tokenCounts).length} tokens, ${documents.toFixed(1)} (weighted) documents`);
}
