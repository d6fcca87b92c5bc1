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
  const known = Array.from({ length: models }, (_, model) => train.some((task) => !Number.isNaN(table.success[task * models + model]!)));
  const argBest = (values: readonly number[]) => values.reduce((best, value, index) => (known[index] === true && (best < 0 || value > values[best]!) ? index : best), -1);
  const cheapest = argBest(singles.map((single) => -single.costPerTask));
  const strongest = argBest(singles.map((single) => single.successRate));
  const bestSingle = argBest(singles.map((single) => single.meanReward));
  const ladders = allLadders(models, maxLadder);
  const candidates = ladders.filter((ladder) => ladder.every((model) => known[model] === true));
  const ladderRewards = candidates.map((ladder) => summarizeLadders(table, train, () => ladder, scoring).meanReward);
  const bestOf = (rewards: readonly number[]) => rewards.reduce((best, value, index) => (value > rewards[best]! ? index : best), 0);
  const bestLadder = candidates[bestOf(ladderRewards)]!;
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
