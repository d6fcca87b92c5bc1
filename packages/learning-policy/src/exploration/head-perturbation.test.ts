import { ActionSpace, actionHeads, createRng } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { RulesPolicy } from '../rules/rules-policy';
import { canonicalizeIndices, firstDifferentHead } from '../safety/action-indices';
import { SafetyGuard } from '../safety/safety-guard';
import { makeInput } from '../test-support/inputs';
import { HeadPerturbation } from './head-perturbation';

/** Every observed action's logged propensity must match its empirical frequency within 4.5 standard errors. */
function expectPropensitiesMatchFrequencies(samples: Array<{ key: string; propensity: number }>): void {
  const byAction = new Map<string, { count: number; propensity: number }>();
  for (const { key, propensity } of samples) {
    const entry = byAction.get(key);
    if (entry === undefined) byAction.set(key, { count: 1, propensity });
    else {
      expect(propensity).toBeCloseTo(entry.propensity, 12);
      entry.count += 1;
    }
  }
  const total = samples.length;
  let probabilityMass = 0;
  for (const [key, { count, propensity }] of byAction) {
    probabilityMass += propensity;
    const standardError = Math.sqrt((propensity * (1 - propensity)) / total);
    const difference = Math.abs(count / total - propensity);
    expect(difference, `${key}: frequency ${count / total} vs propensity ${propensity}`).toBeLessThanOrEqual(4.5 * standardError + 1 / total);
  }
  expect(probabilityMass).toBeLessThanOrEqual(1 + 1e-9);
  expect(probabilityMass).toBeGreaterThan(0.97);
}

/** An architect + auditor + executor team (index 3): 9 active heads; the non-parallel approach leaves parallelism none. */
function threeRoleBase() {
  const guard = new SafetyGuard();
  const space = new ActionSpace();
  const base = new Int32Array([0, 0, 3, 1, 0, 3, 3, 2, 1, 0]);
  const canonicalBase = canonicalizeIndices(space, Int32Array.from(base));
  const active = guard.activeConstraints(makeInput({ context: { risk: 'low' } }));
  return { guard, space, base, canonicalBase, active };
}

/** The allowed choices other than the base's, summed over `heads`. */
function alternativesOf(guard: SafetyGuard, base: Int32Array, active: number, heads: readonly number[]): number {
  const mask = new Uint8Array(16);
  return heads.reduce((sum, head) => sum + guard.allowedChoices(head, base, active, mask) - 1, 0);
}

/** Every draw at ε 1 explores (`check` sees it); the `expected` alternatives come out equally often, each with propensity 1 / expected. */
function expectUniformAlternatives(perturbation: HeadPerturbation, base: Int32Array, active: number, expected: number, seed: number, draws: number, check: (out: Int32Array) => void): void {
  const out = new Int32Array(base.length);
  const random = createRng(seed);
  const counts = new Map<string, number>();
  for (let index = 0; index < draws; index += 1) {
    expect(perturbation.perturb(base, active, 1, random, out)).toBe(true);
    check(out);
    counts.set(out.join(','), (counts.get(out.join(',')) ?? 0) + 1);
  }
  expect(counts.size).toBe(expected);
  const share = 1 / expected;
  for (const [key, count] of counts) {
    expect(perturbation.probability(base, key.split(',').map(Number), active, 1)).toBeCloseTo(share, 12);
    expect(Math.abs(count / draws - share)).toBeLessThan(4.5 * Math.sqrt((share * (1 - share)) / draws));
  }
}

describe('HeadPerturbation', () => {
  it('logs rules propensities that match the empirical frequencies of the explored actions', () => {
    const rules = new RulesPolicy({ config: { epsilon: 0.3, seed: 42 } });
    const input = makeInput({ context: { complexity: 'simple', risk: 'high' } });
    const samples = Array.from({ length: 20_000 }, () => {
      const decision = rules.decide(input);
      return { key: JSON.stringify(decision.action), propensity: decision.propensity };
    });
    expectPropensitiesMatchFrequencies(samples);
    const greedy = rules.choose(input, 0).decision;
    const kept = samples.filter((sample) => sample.key === JSON.stringify(greedy.action)).length / samples.length;
    expect(Math.abs(kept - 0.7)).toBeLessThan(4.5 * Math.sqrt((0.7 * 0.3) / samples.length));
  });

  it('spends every explored session on an alternative, all alternatives equally likely', () => {
    const { guard, space, base, canonicalBase, active } = threeRoleBase();
    const perturbation = new HeadPerturbation(guard);
    const activeHeads = space.heads.map((_, head) => head).filter((head) => space.isHeadActive(head, base));
    const expected = alternativesOf(guard, base, active, activeHeads);
    expect(expected).toBeGreaterThan(20);
    expectUniformAlternatives(perturbation, base, active, expected, 11, 40_000, (out) => expect(out.join(',')).not.toBe(canonicalBase.join(',')));
    expect(perturbation.probability(base, canonicalBase, active, 0.3)).toBeCloseTo(0.7, 12);
  });

  it('explores only the heads it is given, with exact propensities (0 for a change of another head)', () => {
    const { guard, space, base, canonicalBase, active } = threeRoleBase();
    const heads = [actionHeads.retry, actionHeads.model_executor];
    const perturbation = new HeadPerturbation(guard, heads);
    const expected = alternativesOf(guard, base, active, heads);
    expect(expected).toBeGreaterThan(2);
    expectUniformAlternatives(perturbation, base, active, expected, 5, 20_000, (out) => expect(heads).toContain(firstDifferentHead(space, canonicalBase, out)));
    // A change of a head it does not explore (the safety level) is never logged by it.
    const otherHead = Int32Array.from(canonicalBase);
    otherHead[actionHeads.safety] = otherHead[actionHeads.safety] === 0 ? 1 : 0;
    expect(perturbation.probability(base, otherHead, active, 0.3)).toBe(0);
    expect(perturbation.probability(base, canonicalBase, active, 0.3)).toBeCloseTo(0.7, 12);
    expect(() => new HeadPerturbation(guard, [space.heads.length])).toThrow(RangeError);
  });

  it('takes the explored heads from the rules config, by name', () => {
    const rules = new RulesPolicy({ config: { epsilon: 1, seed: 3, exploredHeads: ['model_executor'] } });
    const input = makeInput({ context: { complexity: 'medium' } });
    const greedy = rules.choose(input, 0).decision.action;
    for (let index = 0; index < 200; index += 1) {
      const { action } = rules.decide(input);
      expect({ ...action, models: { ...action.models, executor: greedy.models.executor } }).toEqual(greedy);
      expect(action.models.executor).not.toBe(greedy.models.executor);
    }
    expect(() => new RulesPolicy({ config: { exploredHeads: ['model_executor', 'model_executor'] } })).toThrow(/named twice/);
  });

  it('never explores outside the hard constraints', () => {
    const rules = new RulesPolicy({ config: { epsilon: 1, seed: 7 } });
    const input = makeInput({ context: { taskType: 'security', risk: 'high', complexity: 'complex', domains: ['security', 'api', 'backend'] }, system: { load: 0.95 } });
    for (let index = 0; index < 3000; index += 1) {
      const decision = rules.decide(input);
      expect(rules.guard.checkAction(decision.action, input)).toEqual([]);
      expect(decision.propensity).toBeGreaterThan(0);
    }
  });

  it('gives the probability that perturb yields each action, and 0 for actions it cannot yield', () => {
    const guard = new SafetyGuard();
    const space = new ActionSpace();
    const perturbation = new HeadPerturbation(guard);
    const base = new Int32Array([3, 2, 3, 1, 0, 3, 3, 2, 1, 0]);
    const active = guard.activeConstraints(makeInput({ context: { risk: 'high' } }));
    const out = new Int32Array(10);
    const random = createRng(3);
    let total = 0;
    const seen = new Map<string, number>();
    for (let index = 0; index < 5000; index += 1) {
      perturbation.perturb(base, active, 0.5, random, out);
      const key = out.join(',');
      if (!seen.has(key)) {
        const probability = perturbation.probability(base, out, active, 0.5);
        seen.set(key, probability);
        total += probability;
      }
    }
    expect(total).toBeCloseTo(1, 9);
    const twoHeadsChanged = canonicalizeIndices(space, new Int32Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(perturbation.probability(base, twoHeadsChanged, active, 0.5)).toBe(0);
    expect(perturbation.probability(base, canonicalizeIndices(space, Int32Array.from(base)), active, 0)).toBe(1);
  });

  it('runs a team alternative of a direct base sequentially (a direct session runs the executor alone), with exact propensities', () => {
    const rules = new RulesPolicy({ config: { epsilon: 1, seed: 21 } });
    const input = makeInput({ context: { complexity: 'simple', risk: 'low' } });
    const greedy = rules.choose(input, 0).decision.action;
    expect(greedy.approach).toBe('direct');
    const samples = Array.from({ length: 20_000 }, () => {
      const decision = rules.decide(input);
      expect(rules.probabilityOf(decision.action, input)).toBeCloseTo(decision.propensity, 12);
      return { key: JSON.stringify(decision.action), action: decision.action, propensity: decision.propensity };
    });
    // No explored action is the base under another team: a direct action is the base's team, and every other team
    // the guard allows is reached, run sequentially.
    expect(samples.filter(({ action }) => action.approach === 'direct' && action.agents.join() !== greedy.agents.join())).toEqual([]);
    const teams = new Set(samples.filter(({ action }) => action.approach === 'sequential').map(({ action }) => [...action.agents].sort().join('+')));
    expect(teams.size).toBe(8);
    expectPropensitiesMatchFrequencies(samples);
    // The approach alternative `sequential` keeps the base's team; it is told apart from the team alternatives.
    const sequentialAlone = samples.find(({ action }) => action.approach === 'sequential' && action.agents.join() === greedy.agents.join());
    const sequentialWithAuditor = samples.find(({ action }) => action.approach === 'sequential' && action.agents.includes('auditor') && action.agents.length === 2);
    expect(sequentialAlone?.propensity).toBeCloseTo(sequentialWithAuditor!.propensity, 12);
  });

  it('draws weighted alternatives in proportion to their weights, with exact propensities', () => {
    const { guard, space, base, canonicalBase, active } = threeRoleBase();
    const perturbation = new HeadPerturbation(guard);
    const heads = space.heads.map((_, head) => head).filter((head) => space.isHeadActive(head, base));
    const alternatives = alternativesOf(guard, base, active, heads);
    // Two timeout bins weigh 1, every other timeout bin 0.05; the whole retry head 0.2.
    const timeout = space.heads[actionHeads.timeout]!;
    const timeoutWeights = Object.fromEntries(timeout.labels.map((label, choice) => [label, choice === 0 || choice === 6 ? 1 : 0.05]));
    const retryWeights = Object.fromEntries(space.heads[actionHeads.retry]!.labels.map((label) => [label, 0.2]));
    perturbation.setWeights({ timeout: timeoutWeights, retry: retryWeights });
    // W: every active head's alternatives weigh 1 except timeout's (by bin) and retry's (0.2 each).
    const mask = new Uint8Array(16);
    let totalWeight = 0;
    for (const head of heads) {
      guard.allowedChoices(head, base, active, mask);
      for (let choice = 0; choice < space.heads[head]!.size; choice += 1) {
        if (mask[choice] !== 1 || choice === base[head]) continue;
        totalWeight += head === actionHeads.timeout ? timeoutWeights[timeout.labels[choice]!]! : head === actionHeads.retry ? 0.2 : 1;
      }
    }
    const out = new Int32Array(base.length);
    const random = createRng(17);
    const draws = 40_000;
    const counts = new Map<string, number>();
    for (let index = 0; index < draws; index += 1) {
      expect(perturbation.perturb(base, active, 1, random, out)).toBe(true);
      counts.set(out.join(','), (counts.get(out.join(',')) ?? 0) + 1);
    }
    expect(counts.size).toBe(alternatives);
    let mass = 0;
    for (const [key, count] of counts) {
      const chosen = key.split(',').map(Number);
      const probability = perturbation.probability(base, chosen, active, 1);
      mass += probability;
      expect(Math.abs(count / draws - probability), key).toBeLessThan(4.5 * Math.sqrt((probability * (1 - probability)) / draws) + 1 / draws);
      const head = firstDifferentHead(space, canonicalizeIndices(space, Int32Array.from(base)), chosen);
      // An alternative's probability is its weight over W.
      if (head === actionHeads.timeout) expect(probability).toBeCloseTo(timeoutWeights[timeout.labels[chosen[head]!]!]! / totalWeight, 12);
    }
    expect(mass).toBeCloseTo(1, 9);
    const withTimeout = (bin: number) => counts.get(Object.assign(Int32Array.from(canonicalBase), { [actionHeads.timeout]: bin }).join(',')) ?? 0;
    expect(withTimeout(0) / Math.max(1, withTimeout(1))).toBeGreaterThan(10);
    expect(perturbation.weights).toEqual({ timeout: Object.fromEntries(Object.entries(timeoutWeights).filter(([, weight]) => weight !== 1)), retry: retryWeights });
  });

  it('is uniform again with null weights, and refuses weights that do not fit the action space without changing', () => {
    const rules = new RulesPolicy({ config: { epsilon: 0.3, seed: 5 } });
    const uniform = new RulesPolicy({ config: { epsilon: 0.3, seed: 5 } });
    const input = makeInput({ context: { complexity: 'medium', risk: 'medium' } });
    rules.setExplorationWeights({ model_executor: { 'glm-4.7': 0.5 } });
    expect(rules.explorationWeights).toEqual({ model_executor: { 'glm-4.7': 0.5 } });
    expect(() => rules.setExplorationWeights({ model_chef: { x: 1 } } as never)).toThrow(/model_chef/);
    expect(() => rules.setExplorationWeights({ model_executor: { 'gpt-0': 1 } })).toThrow(/gpt-0/);
    expect(() => rules.setExplorationWeights({ model_executor: { 'glm-4.7': 0 } })).toThrow(/\[0.01, 1\]/);
    expect(() => rules.setExplorationWeights({ model_executor: { 'glm-4.7': Number.NaN } })).toThrow(/glm-4.7/);
    expect(rules.explorationWeights).toEqual({ model_executor: { 'glm-4.7': 0.5 } });
    rules.setExplorationWeights(null);
    expect(rules.explorationWeights).toBeNull();
    for (let index = 0; index < 500; index += 1) expect(rules.decide(input)).toEqual(uniform.decide(input));
  });

  it('logs weighted rules propensities that match the empirical frequencies', () => {
    const rules = new RulesPolicy({ config: { epsilon: 0.5, seed: 8 } });
    rules.setExplorationWeights({ team: { executor: 0.02, 'executor+architect+auditor+consultant': 1, 'executor+architect': 0.1 }, approach: { direct: 0.05 } });
    const input = makeInput({ context: { complexity: 'medium', risk: 'high' } });
    const samples = Array.from({ length: 20_000 }, () => {
      const decision = rules.decide(input);
      expect(rules.probabilityOf(decision.action, input)).toBeCloseTo(decision.propensity, 12);
      return { key: JSON.stringify(decision.action), propensity: decision.propensity };
    });
    expectPropensitiesMatchFrequencies(samples);
  });

  describe('factorial design', () => {
    const design = { share: 0.5, switchProbability: 0.4 } as const;
    const exploredHeads = ['approach', 'parallelism', 'team', 'model_auditor'] as const;

    it('gives every reachable action its exact probability: they sum to 1 and match the frequencies', () => {
      const rules = new RulesPolicy({ config: { epsilon: 0.6, seed: 3, exploredHeads: [...exploredHeads], explorationDesign: design } });
      // High risk on a security task: the auditor is required, so a team without one is repaired; medium complexity
      // runs sequential, so a parallel approach makes parallelism explorable.
      const input = makeInput({ context: { taskType: 'security', complexity: 'medium', risk: 'high' } });
      const space = rules.space;
      const greedy = rules.greedyIndices(input);
      const reachable = new Map<string, number>();
      // Roles that join the team keep the model the (non-canonical) base names for them: enumerate those heads too.
      const heads = [...exploredHeads, 'model_architect', 'model_consultant'].map((name) => actionHeads[name as keyof typeof actionHeads]);
      const sizes = heads.map((head) => space.heads[head]!.size);
      const choice = new Array<number>(heads.length).fill(0);
      for (;;) {
        const indices = Int32Array.from(greedy);
        heads.forEach((head, position) => (indices[head] = choice[position]!));
        canonicalizeIndices(space, indices);
        const key = indices.join(',');
        if (!reachable.has(key)) reachable.set(key, rules.probabilityOf(space.decode(indices), input));
        let position = 0;
        while (position < heads.length && ++choice[position]! === sizes[position]) choice[position++] = 0;
        if (position === heads.length) break;
      }
      const total = [...reachable.values()].reduce((sum, probability) => sum + probability, 0);
      expect(total).toBeCloseTo(1, 12);
      let multiple = 0;
      const samples = Array.from({ length: 20_000 }, () => {
        const decision = rules.decide(input);
        expect(rules.guard.checkAction(decision.action, input)).toEqual([]);
        expect(rules.probabilityOf(decision.action, input)).toBeCloseTo(decision.propensity, 12);
        const indices = space.encode(decision.action);
        const key = canonicalizeIndices(space, indices).join(',');
        expect(reachable.get(key)).toBeCloseTo(decision.propensity, 12);
        const moved = [actionHeads.approach, actionHeads.team, actionHeads.model_auditor].filter((head) => indices[head] !== greedy[head]).length;
        if (moved >= 2) multiple += 1;
        return { key, propensity: decision.propensity };
      });
      expectPropensitiesMatchFrequencies(samples);
      // Factorial sessions move several heads at once; one-alternative sessions never move more than one by choice.
      expect(multiple / samples.length).toBeGreaterThan(0.05);
    });

    it('with share 1 and weights, still sums to 1 and never leaves the constraints', () => {
      const rules = new RulesPolicy({ config: { epsilon: 1, seed: 9, explorationDesign: { share: 1, switchProbability: 0.3 } } });
      rules.setExplorationWeights({ team: { executor: 0.02, 'executor+auditor': 0.5 }, approach: { direct: 0.05 }, model_executor: { 'claude-opus': 0.1 } });
      const input = makeInput({ context: { taskType: 'security', risk: 'high', complexity: 'complex', domains: ['security', 'api', 'backend'] }, system: { load: 0.95 } });
      const seen = new Map<string, number>();
      for (let index = 0; index < 3000; index += 1) {
        const decision = rules.decide(input);
        expect(rules.guard.checkAction(decision.action, input)).toEqual([]);
        expect(decision.propensity).toBeGreaterThan(0);
        expect(rules.probabilityOf(decision.action, input)).toBeCloseTo(decision.propensity, 12);
        seen.set(JSON.stringify(decision.action), decision.propensity);
      }
      expect(seen.size).toBeGreaterThan(100);
    });

    it('leaves the one-alternative stream unchanged at share 0 and refuses designs out of range', () => {
      const plain = new RulesPolicy({ config: { epsilon: 0.3, seed: 5 } });
      const zero = new RulesPolicy({ config: { epsilon: 0.3, seed: 5, explorationDesign: { share: 0, switchProbability: 0.5 } } });
      const input = makeInput({ context: { complexity: 'complex', risk: 'medium' } });
      for (let index = 0; index < 300; index += 1) expect(zero.decide(input)).toEqual(plain.decide(input));
      expect(() => new HeadPerturbation(new SafetyGuard(), undefined, { share: 1.5, switchProbability: 0.3 })).toThrow(/share must be in \[0, 1\]/);
      expect(() => new HeadPerturbation(new SafetyGuard(), undefined, { share: 1, switchProbability: 0 })).toThrow(/switchProbability/);
      expect(() => new RulesPolicy({ config: { explorationDesign: { share: -1, switchProbability: 0.3 } } })).toThrow(/explorationDesign/);
    });
  });
});
