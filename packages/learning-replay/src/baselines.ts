import { allLadders, expressibleLadders, fallbackOrder, ladderOutcome, type Ladder, type LadderOutcome } from './ladder';
import { replayReward, type ReplayScoring } from './replay-reward';
import type { ReplayTable } from './replay-table';

/** A policy's measured figures on a set of tasks (exact expectations over the table's success probabilities). */
export interface PolicySummary {
  successRate: number;
  costPerTask: number;
  meanReward: number;
}

/** The figures of running `ladderOf(task)` on every task of `tasks`. */
export function summarizeLadders(table: ReplayTable, tasks: readonly number[], ladderOf: (task: number, position: number) => Ladder, scoring: ReplayScoring): PolicySummary {
  const outcome: LadderOutcome = { success: 0, costUsd: 0 };
  let success = 0;
  let cost = 0;
  tasks.forEach((task, position) => {
    ladderOutcome(table, task, ladderOf(task, position), outcome);
    success += outcome.success;
    cost += outcome.costUsd;
  });
  const count = Math.max(1, tasks.length);
  return summary(success / count, cost / count, scoring);
}

function summary(successRate: number, costPerTask: number, scoring: ReplayScoring): PolicySummary {
  return { successRate, costPerTask, meanReward: replayReward(successRate, costPerTask, scoring) };
}

/** Index of the highest value (the first on ties). */
function bestOf(values: readonly number[]): number {
  return values.reduce((best, value, index) => (value > values[best]! ? index : best), 0);
}

/** Whether the table ran each model on at least one of `tasks` (a model it never ran cannot be chosen on them). */
function modelsRunOn(table: ReplayTable, tasks: readonly number[]): boolean[] {
  const models = table.modelIds.length;
  return Array.from({ length: models }, (_, model) => tasks.some((task) => !Number.isNaN(table.success[task * models + model]!)));
}

/**
 * The static ladder of at most `maxLadder` models with the highest mean reward on `tasks` (every ordered ladder of
 * models the table ran on them; ties to the shorter, then the earlier in catalog order).
 */
export function bestStaticLadder(table: ReplayTable, tasks: readonly number[], scoring: ReplayScoring, maxLadder: number, known: readonly boolean[] = modelsRunOn(table, tasks)): number[] {
  const candidates = allLadders(table.modelIds.length, maxLadder).filter((ladder) => ladder.every((model) => known[model] === true));
  return candidates[bestOf(candidates.map((ladder) => summarizeLadders(table, tasks, () => ladder, scoring).meanReward))]!;
}

/**
 * A fallback order chosen on `tasks` with full information — what a user with an evaluation table can configure
 * (`@orchestra/learning-ai-sdk`'s `ladder` option) — so that the ladders the action space expresses (the executor's
 * model, then the next models of the order) include good ones: the best static ladder first
 * (`bestStaticLadder`), then, greedily, the model that gives the best ladder of `maxLadder` models ending at it
 * (the rotation entering `maxLadder − 1` places earlier); models the tasks never ran, and ties, follow the product's
 * order (`fallbackOrder`). With `maxLadder` 1 an order expresses no ladder: the product's order is returned.
 */
export function trainedFallbackOrder(table: ReplayTable, tasks: readonly number[], scoring: ReplayScoring, maxLadder: number): number[] {
  const productOrder = fallbackOrder(table.catalog);
  if (maxLadder < 2) return productOrder;
  const known = modelsRunOn(table, tasks);
  const order = bestStaticLadder(table, tasks, scoring, maxLadder, known);
  const rest = productOrder.filter((model) => !order.includes(model));
  while (rest.some((model) => known[model] === true)) {
    const window = order.slice(-(maxLadder - 1));
    const candidates = rest.filter((model) => known[model] === true);
    const next = candidates[bestOf(candidates.map((model) => summarizeLadders(table, tasks, () => [...window, model], scoring).meanReward))]!;
    order.push(next);
    rest.splice(rest.indexOf(next), 1);
  }
  return [...order, ...rest];
}

/** The baselines of a replay and what each chose on train. */
export interface Baselines {
  cheapest: PolicySummary;
  strongest: PolicySummary;
  bestSingle: PolicySummary;
  bestLadder: PolicySummary;
  /** The best static ladder the action space can express (one model, or a rotation of the fallback order). */
  bestFallbackLadder: PolicySummary;
  random: PolicySummary;
  oracle: PolicySummary;
  /** The models (ids) each static baseline chose on the train tasks. */
  chosen: { cheapest: string; strongest: string; bestSingle: string; bestLadder: string[]; bestFallbackLadder: string[] };
}

/**
 * The baselines, chosen on `train` with full information and measured on `test`: `cheapest` (lowest mean cost),
 * `strongest` (highest success rate), `bestSingle` (highest mean reward), `bestLadder` (the ladder of at most
 * `maxLadder` models with the highest mean reward, over every ordered ladder), `random` (a model drawn uniformly per
 * task among those the table has for it, in expectation) and `oracle` (per test task, the ladder with the highest
 * reward). Ties go to the earlier candidate (shorter ladders first, then catalog order).
 */
export function computeBaselines(table: ReplayTable, train: readonly number[], test: readonly number[], scoring: ReplayScoring, maxLadder: number, order: readonly number[] = fallbackOrder(table.catalog)): Baselines {
  const models = table.modelIds.length;
  const singles = Array.from({ length: models }, (_, model) => summarizeLadders(table, train, () => [model], scoring));
  // A model the table never ran on a train task cannot be chosen on train.
  const known = modelsRunOn(table, train);
  const argBest = (values: readonly number[]) => values.reduce((best, value, index) => (known[index] === true && (best < 0 || value > values[best]!) ? index : best), -1);
  const cheapest = argBest(singles.map((single) => -single.costPerTask));
  const strongest = argBest(singles.map((single) => single.successRate));
  const bestSingle = argBest(singles.map((single) => single.meanReward));
  const ladders = allLadders(models, maxLadder);
  const bestLadder = bestStaticLadder(table, train, scoring, maxLadder, known);
  const expressible = expressibleLadders(order, maxLadder).filter((ladder) => known[ladder[0]!] === true);
  const bestFallbackLadder = expressible[bestOf(expressible.map((ladder) => summarizeLadders(table, train, () => ladder, scoring).meanReward))]!;

  const outcome: LadderOutcome = { success: 0, costUsd: 0 };
  let randomSuccess = 0;
  let randomCost = 0;
  let oracleSuccess = 0;
  let oracleCost = 0;
  for (const task of test) {
    let present = 0;
    let success = 0;
    let cost = 0;
    for (let model = 0; model < models; model += 1) {
      const probability = table.success[task * models + model]!;
      if (Number.isNaN(probability)) continue;
      present += 1;
      success += probability;
      cost += table.costUsd[task * models + model]!;
    }
    randomSuccess += success / present;
    randomCost += cost / present;
    let best = Number.NEGATIVE_INFINITY;
    let bestSuccess = 0;
    let bestCost = 0;
    for (const ladder of ladders) {
      ladderOutcome(table, task, ladder, outcome);
      const reward = replayReward(outcome.success, outcome.costUsd, scoring);
      if (reward > best) {
        best = reward;
        bestSuccess = outcome.success;
        bestCost = outcome.costUsd;
      }
    }
    oracleSuccess += bestSuccess;
    oracleCost += bestCost;
  }
  const count = Math.max(1, test.length);
  const onTest = (ladder: Ladder) => summarizeLadders(table, test, () => ladder, scoring);
  return {
    cheapest: onTest([cheapest]),
    strongest: onTest([strongest]),
    bestSingle: onTest([bestSingle]),
    bestLadder: onTest(bestLadder),
    bestFallbackLadder: onTest(bestFallbackLadder),
    random: summary(randomSuccess / count, randomCost / count, scoring),
    oracle: summary(oracleSuccess / count, oracleCost / count, scoring),
    chosen: {
      cheapest: table.modelIds[cheapest]!,
      strongest: table.modelIds[strongest]!,
      bestSingle: table.modelIds[bestSingle]!,
      bestLadder: bestLadder.map((model) => table.modelIds[model]!),
      bestFallbackLadder: bestFallbackLadder.map((model) => table.modelIds[model]!),
    },
  };
}
