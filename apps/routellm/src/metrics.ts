import type { RoutingItem } from './data';

/** One point of an accuracy-vs-cost curve: the share of calls sent to the strong model and the accuracy reached. */
export interface CurvePoint {
  strongShare: number;
  accuracy: number;
}

/** Accuracy of the weak model, the strong model and the oracle router on `items`. */
export function referenceAccuracies(items: readonly RoutingItem[]): { weak: number; strong: number; oracle: number; oracleStrongShare: number } {
  let weak = 0;
  let strong = 0;
  let oracle = 0;
  let oracleStrongCalls = 0;
  for (const item of items) {
    if (item.weakCorrect) weak += 1;
    if (item.strongCorrect) strong += 1;
    if (item.weakCorrect || item.strongCorrect) oracle += 1;
    if (!item.weakCorrect && item.strongCorrect) oracleStrongCalls += 1;
  }
  const n = items.length;
  return { weak: weak / n, strong: strong / n, oracle: oracle / n, oracleStrongShare: oracleStrongCalls / n };
}

/**
 * RouteLLM's protocol: a router gives each prompt a score (higher = more in need of the strong model); sending
 * the top-k scored prompts to the strong model for every k traces the accuracy-vs-cost curve. Ties are broken by
 * the order of `items` so the curve is deterministic.
 */
export function routingCurve(items: readonly RoutingItem[], scores: ArrayLike<number>): CurvePoint[] {
  const n = items.length;
  const order = Array.from({ length: n }, (_, index) => index).sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0) || a - b);
  let correct = items.reduce((total, item) => total + (item.weakCorrect ? 1 : 0), 0);
  const points: CurvePoint[] = [{ strongShare: 0, accuracy: correct / n }];
  order.forEach((index, rank) => {
    const item = items[index]!;
    correct += (item.strongCorrect ? 1 : 0) - (item.weakCorrect ? 1 : 0);
    points.push({ strongShare: (rank + 1) / n, accuracy: correct / n });
  });
  return points;
}

/** The curve of the oracle: strong only where the weak model is wrong and the strong one right. */
export function oracleScores(items: readonly RoutingItem[]): Float64Array {
  return Float64Array.from(items, (item) => (!item.weakCorrect && item.strongCorrect ? 2 : item.weakCorrect && !item.strongCorrect ? 0 : 1));
}

/**
 * Average performance gap recovered: the mean over the curve of (accuracy − weak) / (strong − weak), i.e. the
 * area under the PGR-vs-cost curve (trapezoid rule). A random router scores 0.5.
 */
export function averagePerformanceGapRecovered(curve: readonly CurvePoint[], weak: number, strong: number): number {
  let area = 0;
  for (let index = 1; index < curve.length; index += 1) {
    const previous = curve[index - 1]!;
    const point = curve[index]!;
    const pgrPrevious = (previous.accuracy - weak) / (strong - weak);
    const pgr = (point.accuracy - weak) / (strong - weak);
    area += ((pgrPrevious + pgr) / 2) * (point.strongShare - previous.strongShare);
  }
  return area;
}

/** The smallest strong-call share at which the curve reaches `target` accuracy (linear interpolation), or null. */
export function strongShareToReach(curve: readonly CurvePoint[], target: number): number | null {
  for (let index = 0; index < curve.length; index += 1) {
    const point = curve[index]!;
    if (point.accuracy >= target) {
      if (index === 0) return point.strongShare;
      const previous = curve[index - 1]!;
      const fraction = (target - previous.accuracy) / (point.accuracy - previous.accuracy);
      return previous.strongShare + fraction * (point.strongShare - previous.strongShare);
    }
  }
  return null;
}

/** The expected curve of a random router: accuracy rises linearly from weak to strong. */
export function randomRouterCurve(weak: number, strong: number, points = 100): CurvePoint[] {
  return Array.from({ length: points + 1 }, (_, index) => ({ strongShare: index / points, accuracy: weak + (index / points) * (strong - weak) }));
}

/** A logged bandit observation of one prompt: which model was called, with what probability, and whether it was right. */
export interface LoggedChoice {
  subject: string;
  strong: boolean;
  propensity: number;
  correct: boolean;
}

/**
 * A tabular baseline that uses only the subject: the inverse-propensity estimate of each model's accuracy per
 * subject from the logs, scored as the estimated gain of the strong model. It shows how much of the routing signal
 * the subject alone carries.
 */
export function subjectTableScores(logs: readonly LoggedChoice[], items: readonly RoutingItem[]): Float64Array {
  const table = new Map<string, { strong: number; weak: number; count: number }>();
  for (const log of logs) {
    const cell = table.get(log.subject) ?? { strong: 0, weak: 0, count: 0 };
    const value = log.correct ? 1 / log.propensity : 0;
    if (log.strong) cell.strong += value;
    else cell.weak += value;
    cell.count += 1;
    table.set(log.subject, cell);
  }
  return Float64Array.from(items, (item) => {
    const cell = table.get(item.subject);
    return cell === undefined ? 0 : (cell.strong - cell.weak) / cell.count;
  });
}
