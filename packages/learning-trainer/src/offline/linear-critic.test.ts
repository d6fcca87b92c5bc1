import { ActionSpace, actionHeads } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { buildExperienceDataset, splitByTime } from './experience-dataset';
import { normaliseTotal } from './q-distillation';
import { LinearCriticScorer, fitLinearCritic, improveActionsLinear } from './linear-critic';
import { bestApproachOf, ruleIndices, syntheticExperiences } from './test-support/synthetic-experiences';

const actionSpace = new ActionSpace();
const headCount = actionSpace.heads.length;

function datasetOf(count: number, seed: number) {
  const dataset = buildExperienceDataset(syntheticExperiences({ count, seed, exploration: 0.3, stateSize: 15 }), { actionSpace });
  return { dataset, split: splitByTime(dataset, 0.2) };
}

/** The rule's action with the approach set to `approach`. */
function withApproach(approach: number): Int32Array {
  const indices = Int32Array.from(ruleIndices);
  indices[actionHeads.approach] = approach;
  return indices;
}

/** A state of the synthetic world: task type one-hot, the rest 0. */
function stateOf(taskType: number): Float32Array {
  const state = new Float32Array(15);
  state[taskType] = 1;
  return state;
}

describe('fitLinearCritic', () => {
  it("recovers which approach pays for a task type, with the gain's posterior sd shrinking as the logs grow", () => {
    const small = datasetOf(600, 21);
    const large = datasetOf(2500, 21);
    const scorers = new Map([small, large].map((entry) => [entry, new LinearCriticScorer(fitLinearCritic(entry.dataset, actionSpace, entry.split.training, entry.split.validation), actionSpace)]));
    const gainOf = (entry: ReturnType<typeof datasetOf>, taskType: number) => {
      const scorer = scorers.get(entry)!;
      scorer.setState(stateOf(taskType));
      const worst = (bestApproachOf(taskType) + 1) % 4;
      return scorer.gain(withApproach(worst), withApproach(bestApproachOf(taskType)));
    };
    const positive: boolean[] = [];
    for (const taskType of [0, 2, 5, 6]) {
      const smallGain = gainOf(small, taskType);
      const largeGain = gainOf(large, taskType);
      expect(largeGain.deviation).toBeLessThan(smallGain.deviation);
      expect(largeGain.mean).toBeGreaterThan(0);
      positive.push(largeGain.mean - largeGain.deviation > 0);
    }
    // The best approach adds 2.2 to the success logit: with 2,500 logs its gain is positive, and above one posterior sd for most types.
    expect(positive.filter(Boolean).length).toBeGreaterThanOrEqual(3);
  });

  it('fits better than the mean on held-out rows and reports the fit', () => {
    const { dataset, split } = datasetOf(3000, 22);
    const critic = fitLinearCritic(dataset, actionSpace, split.training, split.validation);
    expect(critic.validationMeanSquaredError).toBeLessThan(critic.baselineMeanSquaredError);
    expect(critic.trainingSize).toBe(split.training.length);
    expect(critic.noiseVariance).toBeGreaterThan(0);
  });

  it('lets the model evidence choose how much an effect may vary with the context', () => {
    // Here the best approach depends on the task type alone, so effects that vary with the context carry the signal:
    // the evidence does not take the stiffest prior offered, and its choice predicts held-out rewards better.
    const { dataset, split } = datasetOf(2500, 23);
    const factors = [1, 4, 16, 64];
    const chosen = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { contextRidgeFactor: factors });
    expect(chosen.logEvidence.map((entry) => entry.factor)).toEqual(factors);
    const best = chosen.logEvidence.reduce((left, right) => (right.logEvidence > left.logEvidence ? right : left));
    expect(chosen.contextRidgeFactor).toBe(best.factor);
    expect(chosen.contextRidgeFactor).toBeLessThan(64);
    const stiff = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { contextRidgeFactor: 64 });
    expect(stiff.logEvidence).toEqual([]);
    expect(chosen.validationMeanSquaredError).toBeLessThan(stiff.validationMeanSquaredError);
    // Rewards shuffled over the rows depend on nothing: the evidence then takes the stiffest prior.
    const shuffled = datasetOf(2500, 23).dataset;
    const order = Array.from({ length: shuffled.size }, (_, index) => index).sort((left, right) => ((left * 7919) % 2503) - ((right * 7919) % 2503));
    shuffled.normalisedRewards.set(Float64Array.from(order, (index) => dataset.normalisedRewards[index]!));
    expect(fitLinearCritic(shuffled, actionSpace, split.training, split.validation, { contextRidgeFactor: factors }).contextRidgeFactor).toBe(64);
    expect(() => fitLinearCritic(dataset, actionSpace, split.training, split.validation, { contextRidgeFactor: [] })).toThrow(RangeError);
  });

  it('lets the evidence choose the effect ridge jointly with the context factor', () => {
    const { dataset, split } = datasetOf(2500, 23);
    const ridges = [2, 8, 128];
    const chosen = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { effectRidge: ridges, contextRidgeFactor: [1, 16] });
    expect(chosen.logEvidence.map((entry) => [entry.effectRidge, entry.factor])).toEqual([[2, 1], [2, 16], [8, 1], [8, 16], [128, 1], [128, 16]]);
    const best = chosen.logEvidence.reduce((left, right) => (right.logEvidence > left.logEvidence ? right : left));
    expect([chosen.effectRidge, chosen.contextRidgeFactor]).toEqual([best.effectRidge, best.factor]);
    const fixed = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { effectRidge: best.effectRidge, contextRidgeFactor: best.factor });
    expect(Array.from(fixed.coefficients.total)).toEqual(Array.from(chosen.coefficients.total));
    expect(fixed.effectRidge).toBe(best.effectRidge);
    expect(() => fitLinearCritic(dataset, actionSpace, split.training, split.validation, { effectRidge: [0] })).toThrow(RangeError);
  });

  it('fits the reward in parts: the total is their sum, and a nearly noiseless term gets a tighter posterior', () => {
    // In the synthetic world a larger team lowers resource efficiency (a nearly noiseless term) and leaves success alone.
    const { dataset, split } = datasetOf(2500, 25);
    const rewardScale = normaliseTotal(1, dataset.rewardNormalisation) - normaliseTotal(0, dataset.rewardNormalisation);
    const whole = fitLinearCritic(dataset, actionSpace, split.training, split.validation);
    const parted = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { parts: [['outcome', 'tests', 'userSatisfaction', 'safety']], rewardScale });
    expect(whole.parts).toBeUndefined();
    expect(parted.parts).toHaveLength(2);
    expect(parted.parts![0]!.components).toEqual(['outcome', 'tests', 'userSatisfaction', 'safety']);
    expect(parted.parts![1]!.components).toContain('resourceEfficiency');
    for (let index = 0; index < parted.size; index += 37) {
      expect(parted.coefficients.total[index]).toBeCloseTo(parted.parts![0]!.coefficients[index]! + parted.parts![1]!.coefficients[index]!, 10);
    }
    // The parts explain the training rewards as well as one model of the total does.
    expect(parted.validationMeanSquaredError).toBeLessThan(parted.baselineMeanSquaredError);
    const smallTeam = Int32Array.from(ruleIndices);
    smallTeam[actionHeads.team] = 0;
    const gains = [whole, parted].map((critic) => {
      const scorer = new LinearCriticScorer(critic, actionSpace);
      scorer.setState(stateOf(2));
      return scorer.gain(Int32Array.from(ruleIndices), smallTeam);
    });
    expect(gains[1]!.mean).toBeGreaterThan(0);
    expect(gains[1]!.deviation).toBeLessThan(gains[0]!.deviation);
    expect(parted.parts![1]!.noiseVariance).toBeLessThan(parted.parts![0]!.noiseVariance);
  });

  it('refuses non-finite features with a RangeError instead of returning NaN coefficients', () => {
    const { dataset, split } = datasetOf(200, 23);
    dataset.states[3] = Number.NaN;
    expect(() => fitLinearCritic(dataset, actionSpace, split.training, split.validation)).toThrow(RangeError);
  });
});

describe('improveActionsLinear', () => {
  it('moves to the best approach where the lower bound of the gain is positive, and never with huge pessimism', () => {
    const { dataset, split } = datasetOf(4000, 24);
    const critic = fitLinearCritic(dataset, actionSpace, split.training, split.validation);
    const improved = improveActionsLinear({ dataset, actionSpace, critic, rows: split.training, rounds: 2, pessimism: 1, margin: 0 });
    let best = 0;
    let logged = 0;
    for (const row of split.training) {
      const taskType = dataset.states.subarray(row * 15, row * 15 + 13).indexOf(1);
      if (improved.actions[row * headCount + actionHeads.approach] === bestApproachOf(taskType)) best += 1;
      if (dataset.actions[row * headCount + actionHeads.approach] === bestApproachOf(taskType)) logged += 1;
    }
    expect(best / split.training.length).toBeGreaterThan(2 * (logged / split.training.length));
    for (const row of split.training) expect(actionSpace.isValid(improved.actions.subarray(row * headCount, (row + 1) * headCount))).toBe(true);
    const unchanged = improveActionsLinear({ dataset, actionSpace, critic, rows: split.training, rounds: 2, pessimism: 1e6, margin: 0 });
    expect(unchanged.changedShare).toBe(0);
    expect(Array.from(unchanged.actions)).toEqual(Array.from(dataset.actions));
  });

  it('changes a head only where the evidence guard allows it', () => {
    const { dataset, split } = datasetOf(4000, 24);
    const critic = fitLinearCritic(dataset, actionSpace, split.training, split.validation);
    const options = { dataset, actionSpace, critic, rows: split.training, rounds: 2, pessimism: 1, margin: 0 };
    expect(improveActionsLinear(options).changedShare).toBeGreaterThan(0);
    const asked: number[] = [];
    const approachOnly = { cells: 1, rows: 1, allows: (_row: number, head: number) => (asked.push(head), head === actionHeads.approach) };
    const guarded = improveActionsLinear({ ...options, evidence: approachOnly });
    expect(guarded.changedShare).toBeGreaterThan(0);
    expect(asked.length).toBeGreaterThan(0);
    for (const row of split.training) {
      for (let head = 0; head < headCount; head++) {
        // Parallelism follows the approach (a non-parallel approach forces one worker).
        if (head === actionHeads.approach || head === actionHeads.parallelism || !actionSpace.isHeadActive(head, dataset.actions.subarray(row * headCount, (row + 1) * headCount))) continue;
        expect(guarded.actions[row * headCount + head]).toBe(dataset.actions[row * headCount + head]);
      }
    }
    expect(improveActionsLinear({ ...options, evidence: { cells: 0, rows: 0, allows: () => false } }).changedShare).toBe(0);
  });

  it('starts from a given action per row and changes at most maxChangedHeads heads of it', () => {
    const { dataset, split } = datasetOf(4000, 24);
    const critic = fitLinearCritic(dataset, actionSpace, split.training, split.validation);
    const start = new Int32Array(dataset.size * headCount);
    for (let row = 0; row < dataset.size; row++) start.set(ruleIndices, row * headCount);
    const improved = improveActionsLinear({ dataset, actionSpace, critic, rows: split.training, rounds: 2, pessimism: 0, margin: 0, start, maxChangedHeads: 1 });
    let moved = 0;
    for (const row of split.training) {
      const action = improved.actions.subarray(row * headCount, (row + 1) * headCount);
      let changed = 0;
      for (let head = 0; head < headCount; head++) if (action[head] !== ruleIndices[head]) changed += 1;
      // One head changed (canonicalisation may reset heads the change made inactive, which the critic does not count).
      if (changed > 0) moved += 1;
      const taskType = dataset.states.subarray(row * 15, row * 15 + 13).indexOf(1);
      if (action[actionHeads.approach] !== ruleIndices[actionHeads.approach]) {
        for (let head = 0; head < headCount; head++) if (head !== actionHeads.approach && head !== actionHeads.parallelism) expect(action[head]).toBe(ruleIndices[head]);
        expect(action[actionHeads.approach]).toBe(bestApproachOf(taskType));
      }
    }
    expect(moved).toBeGreaterThan(split.training.length / 2);
  });
  it('reaches a team that acts only together with a move of the approach when approach and team move jointly', () => {
    // Rewards (normalised): 0 for a `direct` session, +0.5 for a team of all four that acts, −0.3 for any other team
    // that acts. From `direct`, a move of the team alone changes nothing (a direct session runs the executor alone)
    // and a move of the approach alone loses 0.3: only the pair gains.
    const { dataset, split } = datasetOf(4000, 25);
    const full = actionSpace.heads[actionHeads.team]!.size - 1;
    const direct = 0;
    for (let row = 0; row < dataset.size; row++) {
      const action = dataset.actions.subarray(row * headCount, (row + 1) * headCount);
      const acting = action[actionHeads.approach] !== direct;
      const noise = 0.05 * Math.sin(row * 12.9898);
      dataset.normalisedRewards[row] = (acting ? (action[actionHeads.team] === full ? 0.5 : -0.3) : 0) + noise;
    }
    const critic = fitLinearCritic(dataset, actionSpace, split.training, split.validation);
    const start = new Int32Array(dataset.size * headCount);
    for (let row = 0; row < dataset.size; row++) start.set(withApproach(direct), row * headCount);
    const options = { dataset, actionSpace, critic, rows: split.training, rounds: 2, pessimism: 1, margin: 0.02, start };
    const joined = (actions: Int32Array) =>
      split.training.filter((row) => actions[row * headCount + actionHeads.approach] !== direct && actions[row * headCount + actionHeads.team] === full).length / split.training.length;
    expect(joined(improveActionsLinear(options).actions)).toBe(0);
    expect(joined(improveActionsLinear({ ...options, jointApproachTeam: true }).actions)).toBeGreaterThan(0.9);
    // Best-first ascent counts the pair as two changed heads.
    expect(joined(improveActionsLinear({ ...options, jointApproachTeam: true, maxChangedHeads: 1 }).actions)).toBe(0);
    expect(joined(improveActionsLinear({ ...options, jointApproachTeam: true, maxChangedHeads: 2 }).actions)).toBeGreaterThan(0.9);
  });

  it('stratified by the rules’ choice, values a choice apart where the rules make it and where they do not', () => {
    // The logging rule runs timeout ×2.00 on the tasks where feature 13 is positive (stratum A) and ×1.00 elsewhere
    // (B), each explored uniformly 30 % of the time. ×2.00 gains 0.4 on A and loses 0.2 on B. Pooled, its effect is
    // read mostly from A (where it is logged), so moving B to it looks like a gain; with the rules' choice as the
    // stratum it is read apart on B, from B's exploration.
    const { dataset, split } = datasetOf(4000, 26);
    const timeout = actionHeads.timeout;
    const [low, high] = [2, 6];
    const inA = (row: number) => dataset.states[row * dataset.stateSize + 13]! > 0;
    const strata = new Int32Array(dataset.size * headCount);
    for (let row = 0; row < dataset.size; row++) {
      const base = inA(row) ? high : low;
      const explored = Math.abs(Math.sin(row * 78.233)) < 0.3;
      dataset.actions[row * headCount + timeout] = explored ? Math.floor(Math.abs(Math.sin(row * 37.719)) * 7) : base;
      const chosen = dataset.actions[row * headCount + timeout]!;
      dataset.normalisedRewards[row] = (chosen === high ? (inA(row) ? 0.4 : -0.2) : 0) + 0.05 * Math.sin(row * 12.9898);
      strata.set(ruleIndices, row * headCount);
      strata[row * headCount + timeout] = base;
    }
    const pooled = fitLinearCritic(dataset, actionSpace, split.training, split.validation);
    const stratified = fitLinearCritic(dataset, actionSpace, split.training, split.validation, { strata });
    expect(stratified.stratified).toBe(true);
    const meanGain = (critic: typeof pooled, rowsInA: boolean, from: number, to: number) => {
      const scorer = new LinearCriticScorer(critic, actionSpace);
      const rows = split.training.filter((row) => inA(row) === rowsInA);
      let sum = 0;
      for (const row of rows) {
        const stratum = strata.subarray(row * headCount, (row + 1) * headCount);
        scorer.setState(dataset.states.subarray(row * dataset.stateSize, (row + 1) * dataset.stateSize), stratum);
        const fromAction = Int32Array.from(stratum);
        fromAction[timeout] = from;
        const toAction = Int32Array.from(fromAction);
        toAction[timeout] = to;
        sum += scorer.gain(fromAction, toAction).mean;
      }
      return sum / rows.length;
    };
    // B: moving ×1.00 → ×2.00 loses 0.2. Pooled, the critic sees a gain; stratified, the loss (shrunk by the prior).
    expect(meanGain(pooled, false, low, high)).toBeGreaterThan(0.1);
    expect(meanGain(stratified, false, low, high)).toBeLessThan(-0.1);
    // A: moving ×2.00 → ×1.00 loses 0.4; both see the loss.
    expect(meanGain(stratified, true, high, low)).toBeLessThan(-0.3);
    expect(meanGain(pooled, true, high, low)).toBeLessThan(0);
    // A stratified critic scores a state only with the stratifier's action there.
    expect(() => new LinearCriticScorer(stratified, actionSpace).setState(dataset.states.subarray(0, dataset.stateSize))).toThrow(RangeError);
    expect(() => fitLinearCritic(dataset, actionSpace, split.training, split.validation, { strata: strata.subarray(0, headCount) })).toThrow(RangeError);
  });
});
