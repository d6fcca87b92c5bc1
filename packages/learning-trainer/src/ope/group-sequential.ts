import { normalCdf, twoSidedNormalQuantile } from '@orchestra/learning-types';

/** An earlier look at the same, growing, logs: its statistical information (1 / SE²) and the z bound it applied. */
export interface SequentialLook {
  /** 1 / SE² of the difference at that look (its sampling error alone). */
  information: number;
  /** The z its lower bound used (estimate / SE had to exceed it to stop); null: that look could not stop. */
  bound: number | null;
}

/** Grid points per look (odd, for Simpson's rule) and how many standard deviations the grid reaches below 0. */
const GRID_POINTS = 401;
const TAIL = 8;
/** An information increment below this share of the new look's information is too small for the grid. */
export const MINIMUM_INFORMATION_GROWTH = 0.01;

const density = (value: number) => Math.exp(-0.5 * value * value) / Math.sqrt(2 * Math.PI);

/** The z of a one-sided bound that a single look crosses with probability `spend`: Φ⁻¹(1 − spend). */
export function oneSidedBound(spend: number): number {
  if (!(spend > 0 && spend < 0.5)) throw new RangeError(`oneSidedBound: spend must be in (0, 0.5), got ${spend}`);
  return twoSidedNormalQuantile(1 - 2 * spend);
}

/**
 * The Lan–DeMets Pocock-type error-spending function: the one-sided error a sequence of looks may have spent in all
 * by information fraction `fraction` (capped at 1) of a planned maximum, out of `total`: total · ln(1 + (e − 1)·t)
 * (Lan & DeMets 1983; Jennison & Turnbull, *Group Sequential Methods*, §7.2). Looks spend by how much they saw, not
 * by how many came before: a thin look spends little, and looking more often costs no error. At t = 1/3, 2/3 and 1 it
 * has spent 45 %, 76 % and 100 % of `total`.
 *
 * @throws RangeError when `total` is not in (0, 0.5) or `fraction` is negative or not finite.
 */
export function pocockErrorSpent(total: number, fraction: number): number {
  if (!(total > 0 && total < 0.5)) throw new RangeError(`pocockErrorSpent: total must be in (0, 0.5), got ${total}`);
  if (!(Number.isFinite(fraction) && fraction >= 0)) throw new RangeError(`pocockErrorSpent: fraction must be finite and non-negative, got ${fraction}`);
  return total * Math.log(1 + (Math.E - 1) * Math.min(1, fraction));
}

/**
 * The exact group-sequential bound of a look at cumulative evidence (Armitage, McPherson & Rowe's recursive
 * integration; Jennison & Turnbull, *Group Sequential Methods*, ch. 19): the z such that, under the null (true
 * difference 0), the statistic stays below every earlier look's bound and crosses this one with probability `spend`.
 * Looks at growing logs are correlated (corr(Zᵢ, Zⱼ) = √(Iᵢ / Iⱼ)), so this bound is below Φ⁻¹(1 − spend), the
 * Bonferroni bound that ignores the earlier looks, at the same total error: with one-sided spends 2.5 %, 1.25 %,
 * 0.625 %, … and equal increments, 1.960, 2.058, 2.186, 2.332 against 1.960, 2.241, 2.498, 2.734.
 *
 * The score Sⱼ = Zⱼ·√Iⱼ has independent normal increments of variance Iⱼ − Iⱼ₋₁; the sub-density of "not stopped
 * yet" is carried look to look on a grid of `GRID_POINTS` (Simpson's rule, from −8 standard deviations to the bound)
 * and the bound is found by bisection. Bounded work: O(looks · GRID_POINTS²).
 *
 * @throws RangeError when `spend` is not in (0, 0.5), an information is not finite and positive, the information does
 * not grow by at least `MINIMUM_INFORMATION_GROWTH` of the later look's at every look, or a bound is not finite.
 */
export function groupSequentialBound(earlier: readonly SequentialLook[], information: number, spend: number): number {
  if (!(spend > 0 && spend < 0.5)) throw new RangeError(`groupSequentialBound: spend must be in (0, 0.5), got ${spend}`);
  checkLooks('groupSequentialBound', [...earlier, { information, bound: null }]);
  if (earlier.length === 0) return oneSidedBound(spend);
  const surviving = survivingDensity(earlier, 0);
  const scale = Math.sqrt(information);
  const crossing = (bound: number) => surviving.beyond(information, bound * scale);
  let low = -TAIL;
  let high = oneSidedBound(spend);
  if (crossing(low) < spend) throw new RangeError(`groupSequentialBound: the earlier bounds leave less than ${spend} of the null's probability to spend`);
  for (let halving = 0; halving < 60; halving++) {
    const middle = (low + high) / 2;
    if (crossing(middle) > spend) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

/**
 * The stagewise-ordering exceedance of a look (Jennison & Turnbull, *Group Sequential Methods*, §8.4): the probability
 * that a sequence of looks at the same growing logs, with true difference `theta`, stops at one of the `earlier` looks
 * (crosses its bound) or reaches this one (at `information`) with an estimate of at least `estimate`. Increasing in
 * `theta`; at the true difference it is uniformly distributed over sequences, which is what makes
 * `medianUnbiasedEstimate` median-unbiased. With no earlier look it is P(N(θ, 1/I) ≥ estimate).
 *
 * @throws RangeError on a non-finite `estimate` or `theta`, or on the looks `groupSequentialBound` refuses.
 */
export function stagewiseExceedance(earlier: readonly SequentialLook[], information: number, estimate: number, theta: number): number {
  if (!Number.isFinite(estimate) || !Number.isFinite(theta)) throw new RangeError(`stagewiseExceedance: estimate and theta must be finite, got ${estimate} and ${theta}`);
  checkLooks('stagewiseExceedance', [...earlier, { information, bound: null }]);
  return exceedance(earlier, information, estimate, theta);
}

/**
 * The median-unbiased estimate of the difference at a look, given the earlier looks at the same growing logs and the
 * bounds they applied (stagewise ordering; Emerson & Fleming 1990): the θ at which `stagewiseExceedance` is ½, so the
 * estimate is as likely below the true difference as above it. A look that passes after earlier looks that did not is
 * more likely to pass on a high estimate than a single look is, so its naive estimate is biased upward; this one is
 * not. It is `estimate` itself when no earlier look could stop (a first look included).
 *
 * Bounded work: O(looks · grid²) per step, 40 bisection steps (seconds for a dozen earlier looks).
 *
 * @throws RangeError when `estimate` is not finite, or on the looks `groupSequentialBound` refuses (information not
 * finite and positive or not growing by `MINIMUM_INFORMATION_GROWTH`, a bound neither finite nor null).
 */
export function medianUnbiasedEstimate(earlier: readonly SequentialLook[], information: number, estimate: number): number {
  if (!Number.isFinite(estimate)) throw new RangeError(`medianUnbiasedEstimate: the estimate must be finite, got ${estimate}`);
  checkLooks('medianUnbiasedEstimate', [...earlier, { information, bound: null }]);
  if (earlier.every(({ bound }) => bound === null)) return estimate;
  const deviation = 1 / Math.sqrt(information);
  let low = estimate - 2 * TAIL * deviation;
  let high = estimate + TAIL * deviation;
  for (let halving = 0; halving < 40; halving++) {
    const middle = (low + high) / 2;
    if (exceedance(earlier, information, estimate, middle) < 0.5) low = middle;
    else high = middle;
  }
  return (low + high) / 2;
}

function exceedance(earlier: readonly SequentialLook[], information: number, estimate: number, theta: number): number {
  const score = estimate * information;
  if (earlier.length === 0) return 1 - normalCdf((score - theta * information) / Math.sqrt(information));
  const surviving = survivingDensity(earlier, theta);
  return surviving.crossed + surviving.beyond(information, score);
}

/** Validates a sequence of looks (information finite, positive and growing; bounds finite or null). */
function checkLooks(caller: string, looks: readonly SequentialLook[]): void {
  let previousInformation = 0;
  for (const [index, look] of looks.entries()) {
    if (!(Number.isFinite(look.information) && look.information > 0)) throw new RangeError(`${caller}: look ${index + 1}'s information must be finite and positive, got ${look.information}`);
    if (look.information - previousInformation < MINIMUM_INFORMATION_GROWTH * look.information) {
      throw new RangeError(`${caller}: look ${index + 1}'s information ${look.information} does not grow on look ${index}'s ${previousInformation} by ${MINIMUM_INFORMATION_GROWTH * 100} %`);
    }
    if (look.bound !== null && !Number.isFinite(look.bound)) throw new RangeError(`${caller}: look ${index + 1}'s bound must be finite or null, got ${look.bound}`);
    previousInformation = look.information;
  }
}

/**
 * The score S (= Z·√I, independent normal increments of mean θ·ΔI and variance ΔI) after `earlier` (non-empty): the
 * probability it crossed one of their bounds (`crossed`), and its sub-density of "never crossed" at the last one, on a
 * grid of `GRID_POINTS` (Simpson's rule, from `TAIL` standard deviations below its mean to the bound); `beyond(I, s)`
 * is the probability of reaching a later look at information I without crossing and with S ≥ s there.
 */
function survivingDensity(earlier: readonly SequentialLook[], theta: number): { crossed: number; beyond: (information: number, score: number) => number } {
  let points = new Float64Array(GRID_POINTS);
  let values = new Float64Array(GRID_POINTS);
  let weights = new Float64Array(GRID_POINTS);
  let previousInformation = 0;
  let crossed = 0;
  // P(no earlier crossing, and S at the next look at `information` ≥ `score`).
  const beyond = (information: number, score: number, first: boolean) => {
    const step = Math.sqrt(information - previousInformation);
    const drift = theta * (information - previousInformation);
    if (first) return 1 - normalCdf((score - drift) / step);
    let sum = 0;
    for (let point = 0; point < GRID_POINTS; point++) sum += weights[point]! * values[point]! * (1 - normalCdf((score - points[point]! - drift) / step));
    return sum;
  };
  for (const [index, look] of earlier.entries()) {
    const deviation = Math.sqrt(look.information);
    const centre = theta * look.information;
    if (look.bound !== null) crossed += beyond(look.information, look.bound * deviation, index === 0);
    const lower = centre - TAIL * deviation;
    const upper = look.bound === null ? centre + TAIL * deviation : Math.min(look.bound * deviation, centre + TAIL * deviation);
    const next = new Float64Array(GRID_POINTS);
    const nextPoints = new Float64Array(GRID_POINTS);
    const nextWeights = new Float64Array(GRID_POINTS);
    const width = upper > lower ? (upper - lower) / (GRID_POINTS - 1) : 0;
    for (let point = 0; point < GRID_POINTS; point++) {
      nextPoints[point] = lower + point * width;
      nextWeights[point] = (width / 3) * (point === 0 || point === GRID_POINTS - 1 ? 1 : point % 2 === 1 ? 4 : 2);
    }
    const step = Math.sqrt(look.information - previousInformation);
    const drift = theta * (look.information - previousInformation);
    for (let point = 0; point < GRID_POINTS; point++) {
      const at = nextPoints[point]!;
      if (index === 0) {
        next[point] = density((at - drift) / step) / step;
        continue;
      }
      let sum = 0;
      for (let from = 0; from < GRID_POINTS; from++) sum += weights[from]! * values[from]! * density((at - points[from]! - drift) / step);
      next[point] = sum / step;
    }
    points = nextPoints;
    values = next;
    weights = nextWeights;
    previousInformation = look.information;
  }
  return { crossed, beyond: (information, score) => beyond(information, score, false) };
}
