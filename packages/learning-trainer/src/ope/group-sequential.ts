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
  const looks = [...earlier, { information, bound: null }];
  let previousInformation = 0;
  for (const [index, look] of looks.entries()) {
    if (!(Number.isFinite(look.information) && look.information > 0)) throw new RangeError(`groupSequentialBound: look ${index + 1}'s information must be finite and positive, got ${look.information}`);
    if (look.information - previousInformation < MINIMUM_INFORMATION_GROWTH * look.information) {
      throw new RangeError(`groupSequentialBound: look ${index + 1}'s information ${look.information} does not grow on look ${index}'s ${previousInformation} by ${MINIMUM_INFORMATION_GROWTH * 100} %`);
    }
    if (look.bound !== null && !Number.isFinite(look.bound)) throw new RangeError(`groupSequentialBound: look ${index + 1}'s bound must be finite or null, got ${look.bound}`);
    previousInformation = look.information;
  }
  if (earlier.length === 0) return oneSidedBound(spend);

  // The sub-density of S at the last earlier look, restricted to "never stopped", on its grid (with Simpson weights).
  let points = new Float64Array(GRID_POINTS);
  let values = new Float64Array(GRID_POINTS);
  let weights = new Float64Array(GRID_POINTS);
  previousInformation = 0;
  for (const [index, look] of earlier.entries()) {
    const deviation = Math.sqrt(look.information);
    const lower = -TAIL * deviation;
    const upper = look.bound === null ? TAIL * deviation : Math.min(look.bound * deviation, TAIL * deviation);
    const next = new Float64Array(GRID_POINTS);
    const nextPoints = new Float64Array(GRID_POINTS);
    const nextWeights = new Float64Array(GRID_POINTS);
    const width = upper > lower ? (upper - lower) / (GRID_POINTS - 1) : 0;
    for (let point = 0; point < GRID_POINTS; point++) {
      nextPoints[point] = lower + point * width;
      nextWeights[point] = (width / 3) * (point === 0 || point === GRID_POINTS - 1 ? 1 : point % 2 === 1 ? 4 : 2);
    }
    const step = Math.sqrt(look.information - previousInformation);
    for (let point = 0; point < GRID_POINTS; point++) {
      const at = nextPoints[point]!;
      if (index === 0) {
        next[point] = density(at / step) / step;
        continue;
      }
      let sum = 0;
      for (let from = 0; from < GRID_POINTS; from++) sum += weights[from]! * values[from]! * density((at - points[from]!) / step);
      next[point] = sum / step;
    }
    points = nextPoints;
    values = next;
    weights = nextWeights;
    previousInformation = look.information;
  }

  const step = Math.sqrt(information - previousInformation);
  const scale = Math.sqrt(information);
  const crossing = (bound: number) => {
    let sum = 0;
    for (let point = 0; point < GRID_POINTS; point++) sum += weights[point]! * values[point]! * (1 - normalCdf((bound * scale - points[point]!) / step));
    return sum;
  };
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
