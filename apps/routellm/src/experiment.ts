import { loadGsm8k, loadMmlu, type RoutingItem } from './data';
import {
  averagePerformanceGapRecovered,
  oracleScores,
  randomRouterCurve,
  referenceAccuracies,
  routingCurve,
  strongShareToReach,
  subjectTableScores,
  type CurvePoint,
} from './metrics';
import { splitItems, trainRouter, type LambdaResult, type LoggingPolicy } from './protocol';

/** Options of one benchmark run. */
export interface ExperimentOptions {
  benchmark: 'mmlu' | 'gsm8k';
  dataDirectory: string;
  /** Only these MMLU subjects (default: all 57). */
  subjects?: readonly string[];
  lambdas: readonly number[];
  logging: LoggingPolicy;
  seed: number;
  epochs: number;
  textDimensions: number;
  testFraction: number;
  objective?: 'importance-weighted' | 'advantage-weighted';
  onLambda?: (result: LambdaResult) => void;
}

/** A router's summary on the test split. */
export interface RouterSummary {
  name: string;
  apgr: number;
  strongShareFor95: number | null;
  /** Accuracy and strong share of the router's own decisions (argmax), when it makes any. */
  decision?: CurvePoint;
}

/** Everything one benchmark run measured. */
export interface ExperimentResult {
  benchmark: 'mmlu' | 'gsm8k';
  trainSize: number;
  testSize: number;
  reference: ReturnType<typeof referenceAccuracies>;
  routers: RouterSummary[];
  lambdas: {
    lambda: number;
    apgr: number;
    strongShareFor95: number | null;
    decision: CurvePoint;
    testReward: number;
    ope: LambdaResult['ope'];
    trainingMs: number;
  }[];
  curves: { name: string; points: CurvePoint[] }[];
}

function thin(points: readonly CurvePoint[], count = 200): CurvePoint[] {
  const step = Math.max(1, Math.floor(points.length / count));
  return points.filter((_, index) => index % step === 0 || index === points.length - 1);
}

/** Loads, splits, logs, trains for every λ and measures every router on the test split. */
export async function runExperiment(options: ExperimentOptions): Promise<ExperimentResult> {
  const items: RoutingItem[] =
    options.benchmark === 'mmlu' ? loadMmlu(options.dataDirectory, options.subjects) : loadGsm8k(options.dataDirectory);
  const { train, test } = splitItems(items, options.testFraction, options.seed);
  const reference = referenceAccuracies(test);
  const target = 0.95 * reference.strong;
  const randomCurve = randomRouterCurve(reference.weak, reference.strong);
  const oracleCurve = routingCurve(test, oracleScores(test));
  const routers: RouterSummary[] = [
    { name: 'random', apgr: averagePerformanceGapRecovered(randomCurve, reference.weak, reference.strong), strongShareFor95: strongShareToReach(randomCurve, target) },
    { name: 'always-weak', apgr: 0, strongShareFor95: null, decision: { strongShare: 0, accuracy: reference.weak } },
    { name: 'always-strong', apgr: 0, strongShareFor95: 1, decision: { strongShare: 1, accuracy: reference.strong } },
    {
      name: 'oracle',
      apgr: averagePerformanceGapRecovered(oracleCurve, reference.weak, reference.strong),
      strongShareFor95: strongShareToReach(oracleCurve, target),
      decision: { strongShare: reference.oracleStrongShare, accuracy: reference.oracle },
    },
  ];
  const lambdas: ExperimentResult['lambdas'] = [];
  const curves: ExperimentResult['curves'] = [
    { name: 'random', points: randomCurve },
    { name: 'oracle', points: thin(oracleCurve) },
  ];
  for (const lambda of options.lambdas) {
    const result = await trainRouter({ train, test, lambda, logging: options.logging, seed: options.seed, epochs: options.epochs, textDimensions: options.textDimensions, ...(options.objective === undefined ? {} : { objective: options.objective }) });
    options.onLambda?.(result);
    const curve = routingCurve(test, result.scores);
    let correct = 0;
    let strongCalls = 0;
    test.forEach((item, index) => {
      const strong = result.routedStrong[index] === 1;
      strongCalls += strong ? 1 : 0;
      correct += (strong ? item.strongCorrect : item.weakCorrect) ? 1 : 0;
    });
    const decision = { strongShare: strongCalls / test.length, accuracy: correct / test.length };
    lambdas.push({
      lambda,
      apgr: averagePerformanceGapRecovered(curve, reference.weak, reference.strong),
      strongShareFor95: strongShareToReach(curve, target),
      decision,
      testReward: decision.accuracy - lambda * decision.strongShare,
      ope: result.ope,
      trainingMs: result.trainingMs,
    });
    curves.push({ name: `learned λ=${lambda}`, points: thin(curve) });
    if (lambda === options.lambdas[0]) {
      const tableCurve = routingCurve(test, subjectTableScores(result.logs, test));
      routers.push({
        name: 'subject table (IPS, same logs)',
        apgr: averagePerformanceGapRecovered(tableCurve, reference.weak, reference.strong),
        strongShareFor95: strongShareToReach(tableCurve, target),
      });
      curves.push({ name: 'subject table', points: thin(tableCurve) });
    }
  }
  return { benchmark: options.benchmark, trainSize: train.length, testSize: test.length, reference, routers, lambdas, curves };
}
