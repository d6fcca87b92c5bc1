/**
 * `pnpm bench` for @orchestra/learning-features:
 *  1. encodeState latency into a caller buffer vs a naive allocating encoder, measured in the same run;
 *  2. inferTaskContext latency per call (p50 / p90 over real commit subjects, with and without files);
 *  3. its parts, each beside a baseline computing the same result the straightforward way.
 * The whole of inferTaskContext against an earlier commit, interleaved in one process: bench/compare-commit.ts.
 * Accuracy is measured by `pnpm eval` (scripts/evaluate-transfer.ts, leave one repository out).
 * Writes bench-results/learning-features-encoding.json and bench-results/learning-features-inference-latency.json.
 * The machine is shared: absolute timings are noisy, ratios from one run are the number to read.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { agentRoles, domains, taskTypes, type HistorySummary, type SystemState, type TaskContext } from '@orchestra/learning-types';
import { createFeatureSchema, defaultFeatureSchema, type FeatureSchema } from '../src/feature-schema';
import { encodeState, type StateInput } from '../src/encode-state';
import { inferTaskContext } from '../src/inference/infer-task-context';
import { loadLabelledCommits } from '../src/evaluation/commit-dataset';
import { createRng } from '../src/random';
import { complexityRules, domainRules, riskRules, skillRules, taskTypeRules, type KeywordRule } from '../src/inference/keyword-rules';
import { applyRules, normaliseForRules, taskTypeRuleScores, withoutNegatedPhrases } from '../src/inference/rule-engine';
import { shippedDomainClassifier, shippedTaskTypeClassifier } from '../src/inference/shipped-classifiers';
import { transferFeatureIndexOf } from '../src/inference/transfer-feature-index';
import { stem, subjectStems, subjectWords, transferFeatures } from '../src/inference/transfer-features';
import { wordTokens } from '../src/inference/tokenize';

const resultsDirectory = new URL('../../../bench-results/', import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });

// ---------------------------------------------------------------- 1. encodeState latency
const context: TaskContext = {
  taskType: 'bugfix',
  domains: ['backend', 'database'],
  complexity: 'medium',
  risk: 'high',
  estimatedTimeMinutes: 90,
  skills: ['typescript', 'sql'],
  fileCount: 4,
  // No description: the default schema hashes it into its text dimensions, which the naive baseline does not
  // compute; the hashed-text cost is measured on its own below.
};
const system: SystemState = { concurrentTasks: 3, load: 0.4, agentAvailability: { architect: 1, executor: 0.5, auditor: 0.75 } };
const history: HistorySummary = { sampleWeight: 14, successRate: 0.8, timeAccuracy: 0.7, resourceEfficiency: 0.6, meanReward: 0.3, modelErrorRate: 0.05 };
const input: StateInput = { context, history, system };

/** The baseline: what a straightforward implementation does — a name → value map, then a lookup per name. */
function naiveEncode(state: StateInput, schema: FeatureSchema): Float32Array {
  const values = new Map<string, number>();
  for (const type of taskTypes) values.set(`task_type=${type}`, state.context.taskType === type ? 1 : 0);
  domains.forEach((domain) => {
    values.set(`primary_domain=${domain}`, state.context.domains[0] === domain ? 1 : 0);
    values.set(`domain=${domain}`, state.context.domains.includes(domain) ? 1 : 0);
  });
  values.set('complexity_ordinal', ['simple', 'medium', 'complex'].indexOf(state.context.complexity) / 2);
  values.set('risk_ordinal', ['low', 'medium', 'high'].indexOf(state.context.risk) / 2);
  values.set('estimated_time_log', Math.min(1, Math.log1p(state.context.estimatedTimeMinutes) / Math.log1p(1440)));
  values.set('domain_diversity', (state.context.domains.length - 1) / 8);
  values.set('skill_count', Math.min(1, (state.context.skills?.length ?? 0) / 10));
  values.set('file_count_log', state.context.fileCount === undefined ? 0 : Math.min(1, Math.log1p(state.context.fileCount) / Math.log1p(200)));
  values.set('file_count_known', state.context.fileCount === undefined ? 0 : 1);
  const summary = state.history;
  values.set('history_known', summary === undefined ? 0 : 1);
  values.set('history_sample_weight_log', summary === undefined ? 0 : Math.min(1, Math.log1p(summary.sampleWeight) / Math.log1p(100)));
  values.set('history_success_rate', summary?.successRate ?? 0.5);
  values.set('history_time_accuracy', summary?.timeAccuracy ?? 0.5);
  values.set('history_resource_efficiency', summary?.resourceEfficiency ?? 0.5);
  values.set('history_mean_reward', Math.max(-1, Math.min(1, summary?.meanReward ?? 0)));
  values.set('history_model_error_rate', summary?.modelErrorRate ?? 0);
  values.set('system_concurrent_tasks', Math.min(1, state.system.concurrentTasks / 16));
  values.set('system_load', state.system.load);
  for (const role of agentRoles) values.set(`agent_availability=${role}`, state.system.agentAvailability?.[role] ?? 1);
  return Float32Array.from(schema.names.map((name) => values.get(name) ?? 0));
}

// The baseline must compute the same vector, or the comparison means nothing.
const reference = encodeState(input);
const naive = naiveEncode(input, defaultFeatureSchema);
if (reference.some((value, index) => Math.abs(value - naive[index]!) > 1e-6)) throw new Error('naive baseline disagrees with encodeState');

function measure(label: string, iterations: number, run: () => void): { label: string; nanosecondsPerCall: number } {
  for (let warmUp = 0; warmUp < Math.min(iterations, 20_000); warmUp += 1) run();
  const samples: number[] = [];
  for (let round = 0; round < 7; round += 1) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < iterations; index += 1) run();
    samples.push(Number(process.hrtime.bigint() - started) / iterations);
  }
  samples.sort((left, right) => left - right);
  return { label, nanosecondsPerCall: samples[3]! };
}

const buffer = new Float32Array(defaultFeatureSchema.size);
const textSchema = createFeatureSchema({ textDimensions: 64 });
const textBuffer = new Float32Array(textSchema.size);
let sink = 0;
const timings = [
  measure('naive allocating encoder (baseline)', 100_000, () => {
    sink += naiveEncode(input, defaultFeatureSchema)[0]!;
  }),
  measure('encodeState, allocating', 200_000, () => {
    sink += encodeState(input)[0]!;
  }),
  measure('encodeState into caller buffer', 500_000, () => {
    sink += encodeState(input, buffer)[0]!;
  }),
  measure('encodeState + 64 hashed text dims, buffer', 100_000, () => {
    sink += encodeState(input, textBuffer, textSchema)[0]!;
  }),
];
const baseline = timings[0]!.nanosecondsPerCall;
console.log(`\n# encodeState latency (median of 7 rounds; shared machine, noisy — read the ratios)`);
console.log('| what | ns / call | speed-up vs baseline |');
console.log('|---|---|---|');
for (const timing of timings) {
  console.log(`| ${timing.label} | ${timing.nanosecondsPerCall.toFixed(0)} | ${(baseline / timing.nanosecondsPerCall).toFixed(2)}× |`);
}
if (sink === Number.POSITIVE_INFINITY) console.log('');

// ---------------------------------------------------------------- 2. inferTaskContext latency
// Per-call timings over 4,000 real subjects (a seeded sample), each alone and with 1–12 plausible file paths.
const random = createRng(7);
const subjects = loadLabelledCommits().map((row) => row.subject);
const sample = Array.from({ length: 4_000 }, () => subjects[Math.floor(random.next() * subjects.length)]!);
const paths = ['src/server/orders.ts', 'src/components/Button.tsx', 'docs/guide.md', 'src/db/migrations/0042_add_index.sql', 'test/orders.test.ts', 'package.json', '.github/workflows/ci.yml', 'src/auth/session.ts'];
const inputs = sample.map((description, index) => (index % 2 === 0 ? { description } : { description, files: Array.from({ length: 1 + (index % 12) }, (_, position) => paths[(index + position) % paths.length]!) }));
for (const item of inputs.slice(0, 2_000)) sink += inferTaskContext(item).confidence;
const perCall: number[] = [];
for (let round = 0; round < 3; round += 1) {
  for (const item of inputs) {
    const started = process.hrtime.bigint();
    sink += inferTaskContext(item).confidence;
    perCall.push(Number(process.hrtime.bigint() - started) / 1000);
  }
}
perCall.sort((left, right) => left - right);
const quantile = (share: number): number => perCall[Math.min(perCall.length - 1, Math.floor(share * perCall.length))]!;
const latency = { calls: perCall.length, p50Microseconds: quantile(0.5), p90Microseconds: quantile(0.9), p99Microseconds: quantile(0.99) };
console.log(`\n# inferTaskContext latency per call (${latency.calls} calls over ${inputs.length} real subjects, half with files)`);
console.log(`p50 ${latency.p50Microseconds.toFixed(1)} µs, p90 ${latency.p90Microseconds.toFixed(1)} µs, p99 ${latency.p99Microseconds.toFixed(1)} µs`);
if (sink === Number.POSITIVE_INFINITY) console.log('');

// ---------------------------------------------------------------- 3. where inferTaskContext's time goes
// Per-part p50s over the same subjects, each beside a baseline computing the same result the straightforward way:
//  - keyword rules: the same patterns with `(?:)` put in front, which match the same but defeat the word-prefix
//    pre-filter and the anchored tries (every pattern scans the whole text);
//  - subject stems: `wordTokens(withoutNegatedPhrases(subject)).map(stem)` (no per-word cache, no ASCII path);
//  - classifiers: `predict(transferFeatures(…))` (feature names built and looked up) instead of the compiled index.
const ruleTexts = inputs.map((item) => normaliseForRules(item.description));
const everyPattern = <Target extends string>(rules: ReadonlyArray<KeywordRule<Target>>): Array<KeywordRule<Target>> =>
  rules.map(({ requiredText: _, ...rule }) => ({ ...rule, pattern: new RegExp(`(?:)${rule.pattern.source}`, rule.pattern.flags) }));
const otherRules = [domainRules, complexityRules, riskRules, skillRules] as ReadonlyArray<ReadonlyArray<KeywordRule<string>>>;
const otherRulesUnfiltered = otherRules.map(everyPattern);
const taskTypeRulesUnfiltered = everyPattern(taskTypeRules);
function partP50(run: (index: number) => void): number {
  for (let index = 0; index < 2_000; index += 1) run(index);
  const samples: number[] = [];
  for (let round = 0; round < 2; round += 1) {
    for (let index = 0; index < inputs.length; index += 1) {
      const started = process.hrtime.bigint();
      run(index);
      samples.push(Number(process.hrtime.bigint() - started) / 1000);
    }
  }
  samples.sort((left, right) => left - right);
  return samples[samples.length >> 1]!;
}
const classifier = shippedTaskTypeClassifier();
const domainClassifier = shippedDomainClassifier();
const descriptions = inputs.map((item) => item.description);
const ruleScoreSets = descriptions.map((description) => taskTypeRuleScores(description));
const wordSets = descriptions.map((description) => subjectWords(description));
const typeIndex = transferFeatureIndexOf(classifier);
const domainIndex = transferFeatureIndexOf(domainClassifier);
const parts: Array<[string, number, number]> = [
  ['task-type keyword rules', partP50((index) => applyRules(taskTypeRules, ruleTexts[index]!, new Map(), [])), partP50((index) => applyRules(taskTypeRulesUnfiltered, ruleTexts[index]!, new Map(), []))],
  ['domain, complexity, risk and skill rules', partP50((index) => { for (const rules of otherRules) applyRules(rules, ruleTexts[index]!, new Map(), []); }), partP50((index) => { for (const rules of otherRulesUnfiltered) applyRules(rules, ruleTexts[index]!, new Map(), []); })],
  ['subject stems', partP50((index) => { sink += subjectStems(descriptions[index]!).length; }), partP50((index) => { sink += wordTokens(withoutNegatedPhrases(descriptions[index]!)).map(stem).length; })],
  ['task-type classifier (features + predict)', partP50((index) => { sink += typeIndex.score(wordSets[index]!, ruleScoreSets[index]!).best; }), partP50((index) => { sink += classifier.predict(transferFeatures(descriptions[index]!, ruleScoreSets[index]!)).probability; })],
  ['domain classifier (features + predict)', partP50((index) => { sink += domainIndex.score(wordSets[index]!).best; }), partP50((index) => { sink += domainClassifier.predict(transferFeatures(descriptions[index]!, new Map())).probability; })],
];
console.log('\n# Where the time goes (p50 per call, µs; baseline = the same result computed the straightforward way, see above)');
console.log('| part | p50 µs | baseline p50 µs | speed-up |');
console.log('|---|---:|---:|---:|');
for (const [label, p50, baselineP50] of parts) console.log(`| ${label} | ${p50.toFixed(1)} | ${baselineP50.toFixed(1)} | ${(baselineP50 / p50).toFixed(2)}× |`);

const now = new Date().toISOString();
writeFileSync(new URL('learning-features-inference-latency.json', resultsDirectory), `${JSON.stringify({ createdAt: now, ...latency }, null, 2)}\n`);
writeFileSync(
  new URL('learning-features-encoding.json', resultsDirectory),
  `${JSON.stringify({ createdAt: now, featureSchemaHash: defaultFeatureSchema.hash, size: defaultFeatureSchema.size, timings, baseline: timings[0]!.label }, null, 2)}\n`,
);
console.log('\nwrote bench-results/learning-features-inference-latency.json and bench-results/learning-features-encoding.json');
