/**
 * The full off-policy-evaluation check on the Open Bandit Dataset sample, printed as a table and written to
 * `bench-results/learning-trainer-obd.json` at the repository root. Run from packages/learning-trainer:
 *
 *   node --import tsx bench/open-bandit-check.ts [--data DIR]
 *
 * Reads the dataset's original files from `--data DIR` (the sample's layout: `bts/men/men.csv`, …, `prior_bts.yaml`;
 * e.g. the shared data folder beside the repository, `../../../shared/data/obd`) when given, else the copies of the
 * same rows in the package's data/obd. A benchmark, not part of the package.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bernoulliThompsonActionDistribution, readBernoulliThompsonPriors } from '../src/ope/bernoulli-thompson-sampling';
import { checkAgainstOnPolicyRewards } from '../src/ope/check-against-on-policy-rewards';
import { comparePolicyValues, type BootstrapComparison } from '../src/ope/compare-policy-values';
import { InsufficientOverlapError } from '../src/ope/errors/insufficient-overlap-error';
import { estimatePolicyValue } from '../src/ope/estimate-policy-value';
import { offPolicyEstimators, type OffPolicyEstimator } from '../src/ope/off-policy-record';
import { clickRate, openBanditRecords, readOpenBanditLog, uniformActionDistribution, type OpenBanditLog } from '../src/ope/open-bandit-dataset';

const packageDirectory = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The dataset's original files (`--data DIR`), or undefined: the package's copies. */
let sharedDirectory: string | undefined;
const shortName: Record<OffPolicyEstimator, string> = {
  'inverse-propensity-scoring': 'IPS',
  'self-normalized-inverse-propensity-scoring': 'SNIPS',
  'doubly-robust': 'DR',
};

/** One line of the check: an off-policy estimate set against the on-policy click rate of the same policy. */
export interface OpenBanditCheckRow {
  experiment: string;
  campaign: 'men' | 'women';
  estimator: string;
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  effectiveSampleSize: number;
  meanWeight: number;
  maximumWeight: number;
  observed: number;
  observedLower: number;
  observedUpper: number;
  /** Does the estimate's own interval contain the observed rate? */
  intervalCoversObserved: boolean | null;
  /** Does the two-sample interval of (estimate − observed) contain 0? */
  consistent: boolean | null;
  note: string;
  milliseconds: number;
}

function readLog(policy: 'bts' | 'random', campaign: 'men' | 'women'): OpenBanditLog | undefined {
  if (sharedDirectory !== undefined) {
    const shared = join(sharedDirectory, policy, campaign, `${campaign}.csv`);
    if (!existsSync(shared)) throw new Error(`--data ${sharedDirectory}: ${shared} is missing`);
    return readOpenBanditLog(shared);
  }
  const local = join(packageDirectory, 'data', 'obd', `${policy}-${campaign}.csv`);
  return existsSync(local) ? readOpenBanditLog(local) : undefined;
}

function compare(
  experiment: string,
  campaign: 'men' | 'women',
  records: ReturnType<typeof openBanditRecords>,
  onPolicy: OpenBanditLog,
  seed: number,
  note = '',
): OpenBanditCheckRow[] {
  return offPolicyEstimators.map((estimator) => {
    const started = performance.now();
    try {
      const check = checkAgainstOnPolicyRewards(records, onPolicy.clicks, { estimator, seed, replicates: 2000 });
      return {
        experiment,
        campaign,
        estimator: shortName[estimator],
        estimate: check.estimate.value,
        lower: check.estimate.lower,
        upper: check.estimate.upper,
        effectiveSampleSize: check.estimate.effectiveSampleSize,
        meanWeight: check.estimate.meanWeight,
        maximumWeight: check.estimate.maximumWeight,
        observed: check.observed.value,
        observedLower: check.observed.lower,
        observedUpper: check.observed.upper,
        intervalCoversObserved: check.estimate.lower <= check.observed.value && check.observed.value <= check.estimate.upper,
        consistent: check.consistent,
        note,
        milliseconds: performance.now() - started,
      };
    } catch (error) {
      if (!InsufficientOverlapError.isInstance(error)) throw error;
      return {
        experiment,
        campaign,
        estimator: shortName[estimator],
        estimate: null,
        lower: null,
        upper: null,
        effectiveSampleSize: error.effectiveSampleSize,
        meanWeight: Number.NaN,
        maximumWeight: error.maximumWeight,
        observed: clickRate(onPolicy),
        observedLower: Number.NaN,
        observedUpper: Number.NaN,
        intervalCoversObserved: null,
        consistent: null,
        note: `refused: InsufficientOverlapError (ESS ${error.effectiveSampleSize.toFixed(1)} < ${error.requiredEffectiveSampleSize.toFixed(0)})`,
        milliseconds: performance.now() - started,
      };
    }
  });
}

/** The deploy gate on real logs: Bernoulli TS (prior replay) against the uniform policy, both on the random logs. */
export interface OpenBanditGateRow {
  campaign: 'men' | 'women';
  comparison: BootstrapComparison;
  /** Click rates the two policies really earned (BTS logs, random logs). */
  observedTarget: number;
  observedBaseline: number;
}

/** Runs both experiments on both campaigns and returns the rows (see the module comment). */
export function runOpenBanditCheck({ simulations = 200_000, seed = 12345 }: { simulations?: number; seed?: number } = {}): { rows: OpenBanditCheckRow[]; gate: OpenBanditGateRow[] } {
  const gate: OpenBanditGateRow[] = [];
  const priors = readBernoulliThompsonPriors(join(sharedDirectory ?? join(packageDirectory, 'data', 'obd'), 'prior_bts.yaml'));
  const rows: OpenBanditCheckRow[] = [];
  for (const campaign of ['men', 'women'] as const) {
    const bernoulliThompson = readLog('bts', campaign);
    const random = readLog('random', campaign);
    if (bernoulliThompson === undefined || random === undefined) continue;
    const itemCount = campaign === 'men' ? 34 : 46;
    // 1. The uniform-random policy, estimated from the Bernoulli-TS logs, against the random logs' click rate.
    rows.push(...compare('uniform-random from BTS logs', campaign, openBanditRecords(bernoulliThompson, uniformActionDistribution(itemCount), true), random, seed));
    // 2. Bernoulli TS replayed from prior_bts.yaml, estimated from the random logs, against the BTS logs' click rate.
    const started = performance.now();
    const distribution = bernoulliThompsonActionDistribution(priors[campaign]!, simulations, seed);
    const simulationSeconds = (performance.now() - started) / 1000;
    rows.push(
      ...compare('BTS (prior replay) from random logs', campaign, openBanditRecords(random, distribution, true), bernoulliThompson, seed, `action distribution: ${simulations} simulations in ${simulationSeconds.toFixed(1)} s`),
    );
    // 3. The gate: would BTS (replay) be deployed over the uniform policy, judged on the random logs alone?
    for (const estimator of offPolicyEstimators) {
      gate.push({
        campaign,
        comparison: comparePolicyValues(openBanditRecords(random, distribution, true), openBanditRecords(random, uniformActionDistribution(itemCount), true), {
          estimator,
          seed,
          replicates: 2000,
          targetName: 'BTS (prior replay)',
          baselineName: 'uniform-random',
        }),
        observedTarget: clickRate(bernoulliThompson),
        observedBaseline: clickRate(random),
      });
    }
  }
  return { rows, gate };
}

function format(value: number | null, digits = 5): string {
  return value === null || Number.isNaN(value) ? '—' : value.toFixed(digits);
}

function main(): void {
  const { values } = parseArgs({ options: { data: { type: 'string' } } });
  if (values.data !== undefined) sharedDirectory = resolve(values.data);
  const started = performance.now();
  const { rows, gate } = runOpenBanditCheck();
  const timingRecords = openBanditRecords(readLog('bts', 'men')!, uniformActionDistribution(34));
  const timingStarted = performance.now();
  estimatePolicyValue(timingRecords, { replicates: 1000, seed: 1 });
  const bootstrapMilliseconds = performance.now() - timingStarted;
  const lines = [
    '| experiment | campaign | estimator | estimate [95% CI] | ESS | mean w | max w | observed on-policy [95% CI] | CI covers observed | two-sample consistent |',
    '|---|---|---|---|---:|---:|---:|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${row.experiment} | ${row.campaign} | ${row.estimator} | ${row.estimate === null ? row.note : `${format(row.estimate)} [${format(row.lower)}, ${format(row.upper)}]`} | ` +
        `${row.effectiveSampleSize.toFixed(0)} | ${format(row.meanWeight, 3)} | ${format(row.maximumWeight, 1)} | ${format(row.observed)} [${format(row.observedLower)}, ${format(row.observedUpper)}] | ` +
        `${row.intervalCoversObserved ?? '—'} | ${row.consistent ?? '—'} |`,
    ),
  ];
  console.log(lines.join('\n'));
  for (const note of new Set(rows.map((row) => row.note).filter((note) => note.startsWith('action')))) console.log(`\n${note}`);
  console.log('\nGate on the random logs: BTS (prior replay) vs uniform-random, paired bootstrap of the difference');
  console.log('| campaign | estimator | BTS | uniform | difference [95% CI] | deploy BTS? | observed BTS − random |');
  console.log('|---|---|---:|---:|---|---|---:|');
  for (const row of gate) {
    const { comparison } = row;
    console.log(
      `| ${row.campaign} | ${shortName[comparison.estimator]} | ${format(comparison.target.value)} | ${format(comparison.baseline.value)} | ` +
        `${format(comparison.difference.value)} [${format(comparison.difference.lower)}, ${format(comparison.difference.upper)}] | ` +
        `${comparison.targetBeatsBaseline ? 'yes' : 'no'} | ${format(row.observedTarget - row.observedBaseline)} |`,
    );
  }
  console.log(`\nSNIPS + 1000 bootstrap replicates on 10,000 records: ${bootstrapMilliseconds.toFixed(0)} ms (shared 2-core machine, noisy). Total ${((performance.now() - started) / 1000).toFixed(1)} s.`);
  const resultsDirectory = join(packageDirectory, '..', '..', 'bench-results');
  mkdirSync(resultsDirectory, { recursive: true });
  writeFileSync(join(resultsDirectory, 'learning-trainer-obd.json'), `${JSON.stringify({ createdAt: new Date().toISOString(), bootstrapMilliseconds, rows, gate }, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
