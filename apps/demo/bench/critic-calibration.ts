/**
 * How well the learner's critic knows what a change of the rules' choice is worth, head by head, against what it
 * then achieves on held-out tasks. The linear critic (`fitLinearCritic`, the trainer's chooser settings) is fitted on
 * the rules' shadow logs as the trainer fits its chooser (the oldest 80 %, the newest 20 % as its validation rows); for 1,000 held-out tasks (the same tasks
 * and random streams for every policy) it prints, per head, the policy "the rules, with that head moved to the choice
 * whose predicted gain is largest" — how many decisions it changes, the gain the critic predicts for them and the gain
 * measured (paired 95 % CI) — and the critic's own greedy policy (coordinate ascent from the rules' action, lower
 * bound mean − κ·sd, κ = 0, 1, 2). A head whose predicted gain the measurement does not bear out is one the critic
 * gets wrong from these logs.
 *
 * Two more tables: every team imposed on the rules' actions (a `direct` approach becomes `sequential`, so the team
 * acts), predicted against measured; and *pooled moves* — one head set to one choice on every held-out task, the
 * critic's mean gain over all of them with its posterior sd (`meanGainDeviation`), moves taken best lower bound
 * (mean − κ·sd, `--pooled-kappa`, default 2) first while it is above 0, each measured.
 *
 * `--known-cost`: one more table, an upper bound on a critic that computes the cost terms of the reward instead of
 * learning them (the issue's "cost needs no learning beyond tokens"). The critic is fitted with the four cost terms
 * (`sessionCost`, `cheapModelSuccesses`, `expensiveModelOveruse`, `fallbackRotations`) as a part of their own, and
 * its greedy policy (from the rules' action, two rounds of the single-head move of largest lower bound, as the
 * learner's) adds to the other part's predicted gain (mean − κ·sd) the *exact* expected change of the cost terms,
 * simulated on the true task (`--rollouts` rollouts per action, common random numbers). A learned cost model can do
 * no better than that; "known cost terms only" ignores the rest of the reward.
 *
 *   pnpm --filter @orchestra/demo bench:critic --world default|FILE --seed 3 --sessions 10000 \
 *     [--config '{"offline":{"criticContextRidgeFactor":16}}'] [--exploration-design factorial [--switch-probability 0.35]] \
 *     [--pooled-kappa 2] [--known-cost [--rollouts 16]]
 */
import { parseArgs } from 'node:util';
import { ActionSpace, encodeState, HistoryIndex } from '@orchestra/learning-features';
import { RulesPolicy, SafetyGuard } from '@orchestra/learning-policy';
import { buildExperienceDataset, fitLinearCritic, improveActionsLinear, LinearCriticScorer, meanGainDeviation, parseTrainerConfig, rulesGreedyIndices } from '@orchestra/learning-trainer';
import { experienceReward } from '@orchestra/learning-reward';
import { drawHeldOutTasks, evaluateOnTasks, expectedReward, pairedDifference } from '@orchestra/learning-sim';
import type { Outcome } from '@orchestra/learning-types';
import { policyInputOf } from '../src/held-out-evaluation';
import { demoTrainerConfig } from '../src/run-demo';
import { benchExplorationDesign, benchWorld, shadowLogs } from './shadow-logs';

const { values } = parseArgs({ options: { world: { type: 'string' }, seed: { type: 'string' }, sessions: { type: 'string' }, config: { type: 'string' }, 'exploration-design': { type: 'string' }, 'switch-probability': { type: 'string' }, 'pooled-kappa': { type: 'string' }, 'known-cost': { type: 'boolean' }, rollouts: { type: 'string' } } });
const { world, worldName } = await benchWorld(values.world ?? 'default');
const seed = Number(values.seed ?? '3');
const count = Number(values.sessions ?? '10000');
const override = JSON.parse(values.config ?? '{}') as { offline?: Record<string, unknown> } & Record<string, unknown>;
const config = parseTrainerConfig(JSON.parse(JSON.stringify({ ...demoTrainerConfig, ...override, offline: { ...demoTrainerConfig.offline, ...(override.offline ?? {}) } })));

const logs = await shadowLogs(world, worldName, seed, count, benchExplorationDesign(values['exploration-design'], values['switch-probability']));
const space = new ActionSpace();
const guard = new SafetyGuard({ space });
const rules = new RulesPolicy({ guard, config: { epsilon: 0 } });
const dataset = buildExperienceDataset(logs, { actionSpace: space });
const order = Array.from({ length: dataset.size }, (_, row) => row).sort((left, right) => dataset.timestamps[left]! - dataset.timestamps[right]!);
const cut = Math.round(dataset.size * (1 - config.offline.validationFraction));
const training = Int32Array.from(order.slice(0, cut));
// Stratified by the rules' choices (`criticStrata: 'rules'`): every state is scored with the rules' action there.
const strata = config.offline.criticStrata === 'rules' ? rulesGreedyIndices(logs, dataset, space) : undefined;
const critic = fitLinearCritic(dataset, space, training, Int32Array.from(order.slice(cut)), {
  effectRidge: config.offline.criticEffectRidge,
  contextRidgeFactor: config.offline.criticContextRidgeFactor,
  ...(strata === undefined ? {} : { strata }),
});
const scale = (dataset.rewardNormalisation.kind === 'bounds' ? (dataset.rewardNormalisation.max - dataset.rewardNormalisation.min) / 2 : dataset.rewardNormalisation.standardDeviation);

const history = new HistoryIndex();
for (const experience of logs) history.update(experience);
const heldOut = drawHeldOutTasks(world, 1000, seed);
const inputs = heldOut.map((entry, index) => policyInputOf(entry, history, `calibration-${index}`));
const states = inputs.map((input) => encodeState(input));
const greedy = inputs.map((input) => Int32Array.from(rules.greedyIndices(input)));
const rulesRun = evaluateOnTasks(world, heldOut, (_, index) => space.decode(greedy[index]!));
const round = (value: number) => Math.round(value * 100) / 100;
const measure = (actions: Int32Array[]) => {
  const run = evaluateOnTasks(world, heldOut, (_, index) => space.decode(actions[index]!));
  const difference = pairedDifference(run.rewards, rulesRun.rewards);
  return { measured: round(difference.mean), ci: difference.interval.map(round), successRate: Math.round(run.metrics.successRate * 1000) / 1000, costPerSession: Math.round(run.metrics.costPerSession * 1000) / 1000 };
};
const changedCount = (actions: Int32Array[]) => actions.filter((action, index) => action.some((choice, head) => choice !== greedy[index]![head])).length;

const scorer = new LinearCriticScorer(critic, space);
const mask = new Uint8Array(Math.max(...space.heads.map((head) => head.size)));
const perHead = space.heads.map((head, position) => {
  let predicted = 0;
  const actions = greedy.map((base, index) => {
    const action = Int32Array.from(base);
    if (!space.isHeadActive(position, base)) return action;
    scorer.setState(states[index]!, greedy[index]!);
    space.mask(position, base, mask);
    let best = 0;
    for (let choice = 0; choice < head.size; choice++) {
      if (mask[choice] !== 1 || choice === base[position]) continue;
      const moved = Int32Array.from(base);
      moved[position] = choice;
      const gain = scorer.gain(base, moved).mean;
      if (gain > best) {
        best = gain;
        action[position] = choice;
      }
    }
    guard.repair(action, guard.activeConstraints(inputs[index]!), { silent: true });
    predicted += best * scale;
    return action;
  });
  return { head: head.name, changed: changedCount(actions), predicted: round(predicted / inputs.length), ...measure(actions) };
});
const greedyPolicies = [0, 1, 2].map((pessimism) => {
  const actions = greedy.map((base, index) => {
    const single = { ...dataset, size: 1, states: Float32Array.from(states[index]!), actions: Int32Array.from(base) };
    const improved = improveActionsLinear({ dataset: single, actionSpace: space, critic, rows: Int32Array.of(0), rounds: config.offline.improvementRounds, pessimism, margin: 0, jointApproachTeam: config.offline.improvementJointApproachTeam, strata: greedy[index]! });
    const action = Int32Array.from(improved.actions.subarray(0, space.heads.length));
    guard.repair(action, guard.activeConstraints(inputs[index]!), { silent: true });
    return action;
  });
  return { pessimism, changed: changedCount(actions), ...measure(actions) };
});
console.log(`# critic calibration: ${worldName}, seed ${seed}, ${count} shadow sessions (critic on ${training.length}, context factor ${critic.contextRidgeFactor}, effect ridge ${critic.effectRidge}); rules ${round(rulesRun.metrics.meanReward)} on 1,000 held-out tasks\n`);
console.log('| policy | decisions changed | predicted gain / session | measured gain [95 % CI] | success | cost / session |');
console.log('|---|---:|---:|---|---:|---:|');
for (const row of perHead) console.log(`| rules, ${row.head} moved | ${row.changed} | ${row.predicted} | ${row.measured} [${row.ci.join(', ')}] | ${row.successRate} | ${row.costPerSession} |`);
for (const row of greedyPolicies) console.log(`| critic greedy, κ = ${row.pessimism} | ${row.changed} | | ${row.measured} [${row.ci.join(', ')}] | ${row.successRate} | ${row.costPerSession} |`);

// Every team imposed on the rules' actions: what the critic predicts against what it achieves.
const teamHead = space.headIndex('team');
const approachHead = space.headIndex('approach');
const sequentialApproach = space.heads[approachHead]!.labels.indexOf('sequential');
const teamRows = space.heads[teamHead]!.labels.map((name, team) => {
  let predicted = 0;
  const actions = greedy.map((base, index) => {
    const action = Int32Array.from(base);
    action[teamHead] = team;
    if (action[approachHead] === 0) action[approachHead] = sequentialApproach;
    scorer.setState(states[index]!, greedy[index]!);
    predicted += scorer.gain(base, action).mean * scale;
    guard.repair(action, guard.activeConstraints(inputs[index]!), { silent: true });
    return action;
  });
  return { name, changed: changedCount(actions), predicted: round(predicted / inputs.length), ...measure(actions) };
});
console.log(`\n| team imposed (\`direct\` → \`sequential\`) | decisions changed | predicted gain / session | measured gain [95 % CI] | success | cost / session |`);
console.log('|---|---:|---:|---|---:|---:|');
for (const row of teamRows) console.log(`| ${row.name} | ${row.changed} | ${row.predicted} | ${row.measured} [${row.ci.join(', ')}] | ${row.successRate} | ${row.costPerSession} |`);

// Pooled moves: one head set to one choice on every task where it is active and allowed.
const kappa = Number(values['pooled-kappa'] ?? '2');
if (!(kappa >= 0)) throw new RangeError(`--pooled-kappa must be a number ≥ 0, got ${values['pooled-kappa']}`);
const moved = (actions: readonly Int32Array[], head: number, choice: number): Array<Int32Array | undefined> =>
  actions.map((action) => {
    if (!space.isHeadActive(head, action) || action[head] === choice) return undefined;
    space.mask(head, action, mask);
    if (mask[choice] !== 1) return undefined;
    const to = Int32Array.from(action);
    to[head] = choice;
    return space.isValid(to) ? to : undefined;
  });
let pooled: Int32Array[] = greedy.map((action) => Int32Array.from(action));
const candidatesAtStart: string[] = [];
const pooledRows: string[] = [];
for (let step = 0; step < space.heads.length; step++) {
  let best: { head: number; choice: number; bound: number; mean: number; deviation: number; actions: Array<Int32Array | undefined>; changed: number } | undefined;
  space.heads.forEach((head, position) => {
    for (let choice = 0; choice < head.size; choice++) {
      const actions = moved(pooled, position, choice);
      const rows = actions.flatMap((to, index) => (to === undefined ? [] : [{ state: states[index]!, from: pooled[index]!, to, stratum: greedy[index]! }]));
      if (rows.length === 0) continue;
      let sum = 0;
      for (const row of rows) {
        scorer.setState(row.state, row.stratum);
        sum += scorer.gain(row.from, row.to).mean;
      }
      const mean = sum / pooled.length;
      const deviation = (meanGainDeviation(critic, space, rows) * rows.length) / pooled.length;
      const bound = mean - kappa * deviation;
      if (step === 0) candidatesAtStart.push(`${head.name} ${head.labels[choice]} ${round(mean * scale)} ± ${round(deviation * scale)}`);
      if (bound > 0 && (best === undefined || bound > best.bound)) best = { head: position, choice, bound, mean, deviation, actions, changed: rows.length };
    }
  });
  if (best === undefined) break;
  const chosen = best;
  pooled = pooled.map((action, index) => Int32Array.from(chosen.actions[index] ?? action));
  const repaired = pooled.map((action, index) => {
    const copy = Int32Array.from(action);
    guard.repair(copy, guard.activeConstraints(inputs[index]!), { silent: true });
    return copy;
  });
  const result = measure(repaired);
  pooledRows.push(`| ${step + 1}: ${space.heads[chosen.head]!.name} → ${space.heads[chosen.head]!.labels[chosen.choice]} | ${chosen.changed} | ${round(chosen.mean * scale)} ± ${round(chosen.deviation * scale)} | ${result.measured} [${result.ci.join(', ')}] | ${result.successRate} | ${result.costPerSession} |`);
}
console.log(`\nPooled moves from the rules (κ = ${kappa}); every candidate's mean gain ± sd at the start: ${candidatesAtStart.join('; ')}\n`);
console.log('| pooled moves so far | decisions changed by the move | predicted mean gain ± sd | measured gain [95 % CI] | success | cost / session |');
console.log('|---|---:|---:|---|---:|---:|');
if (pooledRows.length === 0) console.log('| none: no move\'s lower bound is above 0 | | | | | |');
for (const row of pooledRows) console.log(row);

// The cost terms known exactly (`--known-cost`): an upper bound on a critic that computes them.
if (values['known-cost'] === true) {
  const rollouts = Number(values.rollouts ?? '16');
  if (!(Number.isInteger(rollouts) && rollouts >= 1)) throw new RangeError(`--rollouts must be an integer ≥ 1, got ${values.rollouts}`);
  const costTerms = ['sessionCost', 'cheapModelSuccesses', 'expensiveModelOveruse', 'fallbackRotations'];
  const split = fitLinearCritic(dataset, space, training, Int32Array.from(order.slice(cut)), {
    effectRidge: config.offline.criticEffectRidge,
    contextRidgeFactor: config.offline.criticContextRidgeFactor,
    parts: [costTerms],
    partRidgeMultipliers: config.offline.criticPartRidgeMultipliers,
    rewardScale: 1 / scale,
  });
  const rest = split.parts![1]!;
  const restScorer = new LinearCriticScorer({ ...split, coefficients: { ...split.coefficients, total: rest.coefficients }, inverse: rest.inverse, noiseVariance: rest.noiseVariance, parts: undefined }, space);
  const costOf = (outcome: Outcome) => {
    const components = experienceReward(outcome).components as Record<string, number>;
    return costTerms.reduce((sum, name) => sum + (components[name] ?? 0), 0);
  };
  const variants = [
    { name: 'rest of the critic + known cost terms, κ = 1', critic: true, kappa: 1 },
    { name: 'rest of the critic + known cost terms, κ = 2', critic: true, kappa: 2 },
    { name: 'known cost terms only', critic: false, kappa: 0 },
  ];
  console.log(`\n| the cost terms known exactly (${rollouts} rollouts per action) | decisions changed | predicted gain / session | measured gain [95 % CI] | success | cost / session |`);
  console.log('|---|---:|---:|---|---:|---:|');
  for (const variant of variants) {
    let predicted = 0;
    const actions = greedy.map((start, index) => {
      const action = Int32Array.from(start);
      const entry = heldOut[index]!;
      const expectedCost = new Map<string, number>();
      const costTermsOf = (candidate: Int32Array) => {
        const key = candidate.join(',');
        let value = expectedCost.get(key);
        if (value === undefined) {
          value = expectedReward(world, entry.task, space.decode(candidate), { rollouts, seed: index, system: entry.system, reward: costOf }).mean;
          expectedCost.set(key, value);
        }
        return value;
      };
      restScorer.setState(states[index]!);
      for (let step = 0; step < config.offline.improvementRounds; step++) {
        let best: { bound: number; mean: number; to: Int32Array } | undefined;
        space.heads.forEach((head, position) => {
          if (!space.isHeadActive(position, action)) return;
          space.mask(position, action, mask);
          for (let choice = 0; choice < head.size; choice++) {
            if (mask[choice] !== 1 || choice === action[position]) continue;
            const to = Int32Array.from(action);
            to[position] = choice;
            if (!space.isValid(to)) continue;
            const gain = variant.critic ? restScorer.gain(action, to) : { mean: 0, deviation: 0 };
            const mean = gain.mean * scale + costTermsOf(to) - costTermsOf(action);
            const bound = mean - variant.kappa * gain.deviation * scale;
            if (bound > config.offline.improvementMargin * scale && (best === undefined || bound > best.bound)) best = { bound, mean, to };
          }
        });
        if (best === undefined) break;
        predicted += best.mean;
        action.set(best.to);
      }
      guard.repair(action, guard.activeConstraints(inputs[index]!), { silent: true });
      return action;
    });
    const result = measure(actions);
    console.log(`| ${variant.name} | ${changedCount(actions)} | ${round(predicted / inputs.length)} | ${result.measured} [${result.ci.join(', ')}] | ${result.successRate} | ${result.costPerSession} |`);
  }
}
