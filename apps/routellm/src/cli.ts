import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runExperiment, type ExperimentResult } from './experiment';
import { accuracyCostSvg } from './figure';
import type { LambdaResult } from './protocol';

const usage = `Usage: pnpm --filter @orchestra/routellm-bench bench [options]

Learns GPT-4 vs Mixtral routing from RouteLLM's recorded outcomes with the off-policy trainer and reports
accuracy vs strong-model share against random, always-weak, always-strong and the oracle.

Options:
  --benchmark mmlu|gsm8k|both   (default both)
  --lambdas 0.05,0.1,0.15,0.2   cost weights of a strong-model call
  --logging uniform|epsilon     logging policy: uniform, or ε-greedy around always-weak (--epsilon, default 0.3)
  --epochs N                    offline epochs (default 12)
  --objective importance-weighted|advantage-weighted   off-policy objective of the trainer
  --text-dimensions N           hashed-text feature dimensions (default 256)
  --subjects a,b,c              only these MMLU subjects
  --seed S                      (default 7)
  --out DIR                     results directory (default <repo>/bench-results)`;

const { values } = parseArgs({
  options: {
    benchmark: { type: 'string', default: 'both' },
    lambdas: { type: 'string', default: '0.05,0.1,0.15,0.2' },
    logging: { type: 'string', default: 'uniform' },
    epsilon: { type: 'string', default: '0.3' },
    epochs: { type: 'string', default: '12' },
    objective: { type: 'string', default: 'importance-weighted' },
    'text-dimensions': { type: 'string', default: '256' },
    subjects: { type: 'string' },
    seed: { type: 'string', default: '7' },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const here = dirname(fileURLToPath(import.meta.url));
const dataDirectory = join(here, '..', 'data');
const outDirectory = resolve(values.out ?? join(here, '..', '..', '..', 'bench-results'));
if (!['mmlu', 'gsm8k', 'both'].includes(values.benchmark)) {
  console.error(`routellm: unknown benchmark "${values.benchmark}" (mmlu, gsm8k or both)`);
  process.exit(2);
}
const benchmarks: ('mmlu' | 'gsm8k')[] = values.benchmark === 'both' ? ['mmlu', 'gsm8k'] : [values.benchmark as 'mmlu' | 'gsm8k'];
const lambdas = values.lambdas.split(',').map(Number);
for (const value of [...lambdas, Number(values.epochs), Number(values.seed), Number(values['text-dimensions'])]) {
  if (!Number.isFinite(value)) {
    console.error(`routellm: bad number in arguments (${value})\n\n${usage}`);
    process.exit(2);
  }
}
if (!existsSync(join(dataDirectory, 'mmlu'))) {
  console.error(`routellm: data not found at ${dataDirectory}`);
  process.exit(2);
}
const logging = values.logging === 'uniform' ? ({ kind: 'uniform' } as const) : ({ kind: 'epsilon-weak', epsilon: Number(values.epsilon) } as const);

const percent = (value: number | null) => (value === null ? 'never' : `${(100 * value).toFixed(1)}%`);
const opeText = (result: LambdaResult['ope']['learnedVsAlwaysWeak']) =>
  'error' in result ? `refused: ${result.error}` : `${result.target.value.toFixed(1)} [${result.target.lower.toFixed(1)}, ${result.target.upper.toFixed(1)}]`;
/** The reward package scores 200·(correct − λ·strong) − 100; back to routing units. */
const toRoutingUnits = (value: number) => (value + 100) / 200;

function printResult(result: ExperimentResult): void {
  const { reference } = result;
  console.log(`\n## ${result.benchmark.toUpperCase()}: train ${result.trainSize} logged, test ${result.testSize} full-information`);
  console.log(`weak ${reference.weak.toFixed(4)}, strong ${reference.strong.toFixed(4)}, oracle ${reference.oracle.toFixed(4)}; target 95% of strong = ${(0.95 * reference.strong).toFixed(4)}`);
  console.log('\n| router | APGR | strong share for 95% of GPT-4 | decision: strong share | decision: accuracy |');
  console.log('|---|---:|---:|---:|---:|');
  for (const router of result.routers) {
    console.log(`| ${router.name} | ${router.apgr.toFixed(3)} | ${percent(router.strongShareFor95)} | ${router.decision ? percent(router.decision.strongShare) : '—'} | ${router.decision ? router.decision.accuracy.toFixed(4) : '—'} |`);
  }
  for (const lambda of result.lambdas) {
    console.log(`| learned λ=${lambda.lambda} | ${lambda.apgr.toFixed(3)} | ${percent(lambda.strongShareFor95)} | ${percent(lambda.decision.strongShare)} | ${lambda.decision.accuracy.toFixed(4)} |`);
  }
  console.log('\nOff-policy estimate (held-out 20 % of the train logs, before testing) vs measured reward on the test split, reward = accuracy − λ·share:');
  console.log('| λ | OPE learned (SNIPS, 95% CI) | measured learned | OPE beats always-weak | training s |');
  console.log('|---:|---|---:|---|---:|');
  for (const lambda of result.lambdas) {
    const ope = lambda.ope.learnedVsAlwaysWeak;
    const estimate = 'error' in ope ? opeText(ope) : `${toRoutingUnits(ope.target.value).toFixed(4)} [${toRoutingUnits(ope.target.lower).toFixed(4)}, ${toRoutingUnits(ope.target.upper).toFixed(4)}]`;
    const beats = 'error' in ope ? '—' : String(ope.targetBeatsBaseline);
    console.log(`| ${lambda.lambda} | ${estimate} | ${lambda.testReward.toFixed(4)} | ${beats} | ${(lambda.trainingMs / 1000).toFixed(1)} |`);
  }
}

const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const results: ExperimentResult[] = [];
const started = performance.now();
for (const benchmark of benchmarks) {
  const result = await runExperiment({
    benchmark,
    dataDirectory,
    ...(values.subjects === undefined ? {} : { subjects: values.subjects.split(',') }),
    lambdas,
    logging,
    seed: Number(values.seed),
    epochs: Number(values.epochs),
    textDimensions: Number(values['text-dimensions']),
    testFraction: 0.5,
    objective: values.objective === 'advantage-weighted' ? 'advantage-weighted' : 'importance-weighted',
    onLambda: (lambdaResult) => console.error(`${benchmark}: λ=${lambdaResult.lambda} trained in ${(lambdaResult.trainingMs / 1000).toFixed(1)} s`),
  });
  printResult(result);
  results.push(result);
}
mkdirSync(outDirectory, { recursive: true });
const figures = results.map((result) =>
  accuracyCostSvg(
    `${result.benchmark.toUpperCase()}: accuracy vs GPT-4 call share (test split)`,
    [
      ...result.curves.map((curve, index) => ({ name: curve.name, color: colors[index % colors.length]!, points: curve.points })),
      { name: 'learned decisions', color: '#000', points: result.lambdas.map((lambda) => lambda.decision), markersOnly: true },
    ],
    result.reference,
  ),
);
writeFileSync(join(outDirectory, 'routellm.html'), `<!doctype html><meta charset="utf-8"><title>RouteLLM routing</title>\n${figures.join('\n')}\n`);
writeFileSync(
  join(outDirectory, 'routellm.json'),
  `${JSON.stringify({ command: process.argv.slice(2).join(' '), seed: Number(values.seed), logging, wallTimeMs: performance.now() - started, results }, null, 2)}\n`,
);
console.log(`\nwrote ${join(outDirectory, 'routellm.json')} and routellm.html (${((performance.now() - started) / 1000).toFixed(0)} s)`);
