import { readFileSync } from 'node:fs';
import type { SlotActionDistribution } from './open-bandit-dataset';
import { SeededRandom } from '../networks/seeded-random';

/** Beta(alpha, beta) priors per item of one campaign, replaying ZOZOTOWN's production Bernoulli TS (obp's prior_bts.yaml). */
export interface BernoulliThompsonPrior {
  alpha: number[];
  beta: number[];
}

/**
 * Reads `prior_bts.yaml` (`<campaign>:` / `  alpha:` / `    - 47.0` …). Only that fixed layout is understood: this
 * is benchmark support for the Open Bandit Dataset, not a YAML parser.
 */
export function readBernoulliThompsonPriors(file: string | URL): Record<string, BernoulliThompsonPrior> {
  const priors: Record<string, BernoulliThompsonPrior> = {};
  let campaign: BernoulliThompsonPrior | undefined;
  let list: number[] | undefined;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const campaignMatch = /^(\w+):\s*$/.exec(line);
    const keyMatch = /^ {2}(alpha|beta):\s*$/.exec(line);
    const valueMatch = /^ {4}- ([0-9.eE+-]+)\s*$/.exec(line);
    if (campaignMatch !== null) {
      campaign = { alpha: [], beta: [] };
      priors[campaignMatch[1]!] = campaign;
    } else if (keyMatch !== null && campaign !== undefined) {
      list = campaign[keyMatch[1] as 'alpha' | 'beta'];
    } else if (valueMatch !== null && list !== undefined) {
      list.push(Number(valueMatch[1]));
    } else if (line.trim() !== '') {
      throw new Error(`Unexpected line in ${String(file)}: ${line}`);
    }
  }
  return priors;
}

/** Standard normal variate (Box–Muller). */
function normal(random: SeededRandom): number {
  let uniform = random.next();
  while (uniform === 0) uniform = random.next();
  return Math.sqrt(-2 * Math.log(uniform)) * Math.cos(2 * Math.PI * random.next());
}

/** Gamma(shape, 1) variate, Marsaglia–Tsang (shape ≥ 1; smaller shapes through the usual U^(1/shape) boost). */
function gamma(shape: number, random: SeededRandom): number {
  if (shape < 1) return gamma(shape + 1, random) * random.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(random);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = random.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * The slate distribution of Bernoulli Thompson Sampling with these priors, by Monte Carlo as obp computes it: in
 * each simulation draw θ_i ~ Beta(alpha_i, beta_i) for every item, rank the items by θ, and show the top three in
 * slots 0, 1, 2; `probability[slot * itemCount + item]` is how often item landed in slot.
 */
export function bernoulliThompsonActionDistribution(prior: BernoulliThompsonPrior, simulations: number, seed: number): SlotActionDistribution {
  const itemCount = prior.alpha.length;
  const random = new SeededRandom(seed);
  const counts = new Float64Array(3 * itemCount);
  const theta = new Float64Array(itemCount);
  for (let simulation = 0; simulation < simulations; simulation += 1) {
    for (let item = 0; item < itemCount; item += 1) {
      const x = gamma(prior.alpha[item]!, random);
      theta[item] = x / (x + gamma(prior.beta[item]!, random));
    }
    // Top three by a partial selection: cheaper than sorting every simulation.
    let first = -1;
    let second = -1;
    let third = -1;
    for (let item = 0; item < itemCount; item += 1) {
      const value = theta[item]!;
      if (first < 0 || value > theta[first]!) {
        third = second;
        second = first;
        first = item;
      } else if (second < 0 || value > theta[second]!) {
        third = second;
        second = item;
      } else if (third < 0 || value > theta[third]!) {
        third = item;
      }
    }
    counts[first]! += 1;
    counts[itemCount + second]! += 1;
    counts[2 * itemCount + third]! += 1;
  }
  return { itemCount, probability: counts.map((count) => count / simulations) };
}
