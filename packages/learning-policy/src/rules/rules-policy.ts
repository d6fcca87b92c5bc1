import {
  ActionSpace,
  actionHeads,
  createRng,
  parallelApproaches,
  teamRoles,
  timeoutMultiplierBins,
  type SeededRandom,
} from '@orchestra/learning-features';
import { ValidationError, approaches, retryStrategies, safetyLevels, validate, type Action, type Decision } from '@orchestra/learning-types';
import { costWeightOf, priceLadder, type PriceLadder } from '../cost-weight/cost-weight';
import { HeadPerturbation, type ExplorationWeights } from '../exploration/head-perturbation';
import type { Policy, PolicyInput } from '../policy';
import { canonicalizeIndices } from '../safety/action-indices';
import { SafetyGuard } from '../safety/safety-guard';
import { plansForCatalog } from './plans-for-catalog';
import { rulesConfigSchema, type RulesConfig, type RulesConfigInput } from './rules-config';

/** Options of `RulesPolicy`. */
export interface RulesPolicyOptions {
  readonly config?: RulesConfigInput;
  /** The guard whose constraints the rules and their exploration respect (default: the default constraints). */
  readonly guard?: SafetyGuard;
}

/** A rules decision with the indices behind it (for shadow comparisons and propensities). */
export interface RulesChoice {
  readonly decision: Decision;
  /** The rules' own (unexplored, repaired) action, canonical indices. */
  readonly greedy: Int32Array;
  /** The action taken, canonical indices. */
  readonly indices: Int32Array;
  readonly explored: boolean;
}

const parallelApproachSet = new Set<string>(parallelApproaches);
const roleHead = {
  architect: actionHeads.model_architect,
  executor: actionHeads.model_executor,
  auditor: actionHeads.model_auditor,
  consultant: actionHeads.model_consultant,
} as const;

/**
 * The hand-written baseline: team and approach by complexity, parallelism by domain diversity and load, safety by
 * risk, timeout by estimated time, retry by model-error history (see `rulesConfigSchema` for every rule and
 * default). Its actions always satisfy the guard's hard constraints (repairs are logged). With `epsilon > 0` it
 * explores within the constraints (`HeadPerturbation`) and reports exact propensities; with `epsilon = 0` it is
 * deterministic (propensity 1), and its logs support no off-policy learning.
 */
export class RulesPolicy implements Policy {
  readonly config: RulesConfig;
  readonly guard: SafetyGuard;
  readonly space: ActionSpace;
  readonly #random: SeededRandom;
  readonly #perturbation: HeadPerturbation;
  readonly #modelIndex: Record<keyof RulesConfig['plans'], Record<keyof typeof roleHead, number>>;
  readonly #timeoutBin: number[];
  /** The catalog's models from the cheapest to the most expensive (the cost weight moves models along it). */
  readonly #ladder: PriceLadder;

  constructor(options: RulesPolicyOptions = {}) {
    this.guard = options.guard ?? new SafetyGuard();
    // Without plans of its own, a user's catalog gets the default plans with each model replaced by its stand-in.
    const given = options.config ?? {};
    const ownPlans = given.plans === undefined ? plansForCatalog(this.guard.space.catalog) : given.plans;
    this.config = validate(rulesConfigSchema, { ...given, plans: ownPlans }, 'RulesConfig');
    this.space = this.guard.space;
    this.#random = createRng(this.config.seed);
    this.#perturbation = new HeadPerturbation(this.guard, this.config.exploredHeads?.map((name) => actionHeads[name]), this.config.explorationDesign);
    const plans = this.config.plans;
    const index = (complexity: keyof RulesConfig['plans'], role: keyof typeof roleHead) => {
      const id = plans[complexity].models[role];
      const position = this.space.modelIndexOf(id);
      if (position < 0) {
        throw new ValidationError({ what: 'RulesConfig', issues: [{ path: `plans.${complexity}.models.${role}`, message: `model ${id} is not in the action space's catalog` }], value: id });
      }
      return position;
    };
    const models = (complexity: keyof RulesConfig['plans']) => ({
      architect: index(complexity, 'architect'),
      executor: index(complexity, 'executor'),
      auditor: index(complexity, 'auditor'),
      consultant: index(complexity, 'consultant'),
    });
    this.#modelIndex = { simple: models('simple'), medium: models('medium'), complex: models('complex') };
    this.#timeoutBin = this.config.timeouts.map((row) => nearestBin(row.multiplier));
    this.#ladder = priceLadder(this.space.catalog);
  }

  /** The rules' policy version (logged as `Decision.policyVersion`). */
  get version(): string {
    return this.config.version;
  }

  /**
   * Weights exploration's alternatives (`ExplorationWeights`; null: uniform). A learner sets them from its critic so
   * that alternatives likely to beat the rules are tried more often; propensities stay exact. Throws
   * `ValidationError` (nothing changed) for an unknown head or choice or a weight outside [0.01, 1].
   */
  setExplorationWeights(weights: ExplorationWeights | null): void {
    this.#perturbation.setWeights(weights);
  }

  /** The exploration weights in force (choices that weigh 1 left out), or null when exploration is uniform. */
  get explorationWeights(): ExplorationWeights | null {
    return this.#perturbation.weights;
  }

  /** Decides with the configured exploration. */
  decide(input: PolicyInput): Decision {
    return this.choose(input, this.config.epsilon).decision;
  }

  /**
   * Decides with exploration `epsilon` (overriding the configured one, e.g. per router mode) and returns the
   * indices of the greedy and the taken action.
   */
  choose(input: PolicyInput, epsilon: number = this.config.epsilon): RulesChoice {
    const explanation: string[] = [];
    const active = this.guard.activeConstraints(input);
    const greedy = this.#greedy(input, explanation);
    for (const repair of this.guard.repair(greedy, active)) {
      explanation.push(`safety: ${repair.constraintId} repaired ${repair.head} ${repair.from} → ${repair.to}`);
    }
    const indices = new Int32Array(greedy.length);
    const explored = this.#perturbation.perturb(greedy, active, epsilon, this.#random, indices);
    const propensity = this.#perturbation.probability(greedy, indices, active, epsilon);
    if (explored) explanation.push(`exploration (ε = ${epsilon}) changed the rules' action`);
    const action = this.space.decode(indices, input.context.skills ?? []);
    canonicalizeIndices(this.space, greedy);
    const decision: Decision = { action, propensity, source: 'rules', policyVersion: this.config.version, explanation };
    if (input.costWeight !== undefined) decision.costWeight = input.costWeight;
    return {
      decision,
      greedy,
      indices,
      explored,
    };
  }

  /**
   * The rules' greedy action as canonical indices (repaired by the guard, silently): what `choose(input).greedy` is,
   * without building a decision, an explanation or exploration — for callers on the decision path (the learned
   * policy's rules prior) and for training.
   */
  greedyIndices(input: PolicyInput): Int32Array {
    const greedy = this.#greedy(input, undefined);
    this.guard.repair(greedy, this.guard.activeConstraints(input), { silent: true });
    return canonicalizeIndices(this.space, greedy);
  }

  /** Exact probability that `choose(input, epsilon)` takes `action`. */
  probabilityOf(action: Action, input: PolicyInput, epsilon: number = this.config.epsilon): number {
    const active = this.guard.activeConstraints(input);
    const greedy = this.#greedy(input, undefined);
    this.guard.repair(greedy, active, { silent: true });
    const chosen = canonicalizeIndices(this.space, this.space.encode(action));
    return this.#perturbation.probability(greedy, chosen, active, epsilon);
  }

  /** The rules' action as indices, with a model for every role (so exploration can add roles). */
  #greedy(input: PolicyInput, explanation: string[] | undefined): Int32Array {
    const { context, system, history } = input;
    const config = this.config;
    const complexity = context.complexity in config.plans ? context.complexity : 'medium';
    const plan = config.plans[complexity];
    const indices = new Int32Array(this.space.heads.length);

    let approach: string = plan.approach;
    const domainCount = context.domains.length;
    if (complexity === 'medium' && domainCount >= config.parallelDomainThreshold && approach === 'sequential') approach = 'parallel';
    const roles = new Set<string>(plan.roles);
    const security = context.taskType === 'security' || context.domains.includes('security');
    if (config.auditorForRisks.includes(context.risk) || (security && config.securityNeedsAuditor)) roles.add('auditor');
    if (complexity === 'complex' && context.risk === 'high' && config.consultantForComplexHighRisk) roles.add('consultant');
    const availability = system.agentAvailability;
    if (availability !== undefined) {
      for (const role of [...roles]) if (availability[role as keyof typeof availability] === 0) roles.delete(role);
    }
    let team = 0;
    teamRoles.forEach((role, bit) => {
      if (roles.has(role)) team |= 1 << bit;
    });
    indices[actionHeads.approach] = Math.max(0, approaches.indexOf(approach as (typeof approaches)[number]));
    indices[actionHeads.team] = team;

    let parallelism = 1;
    if (parallelApproachSet.has(approach)) {
      parallelism = Math.min(4, Math.max(complexity === 'complex' ? 2 : 1, domainCount));
      if (system.load >= config.load.high) parallelism = 1;
      else if (system.load >= config.load.medium) parallelism = Math.max(1, parallelism - 1);
    }
    indices[actionHeads.parallelism] = parallelism - 1;

    const minutes = context.estimatedTimeMinutes;
    let row = config.timeouts.findIndex((entry) => entry.upToMinutes === null || minutes <= entry.upToMinutes);
    if (row < 0) row = config.timeouts.length - 1;
    let timeoutBin = this.#timeoutBin[row]!;
    if (complexity === 'complex') timeoutBin = Math.min(timeoutMultiplierBins.length - 1, timeoutBin + Math.round(config.complexExtra / 0.25));
    indices[actionHeads.timeout] = timeoutBin;

    let retry: (typeof retryStrategies)[number] = 'retry_with_backoff';
    const errorRate = history?.modelErrorRate;
    if (errorRate !== undefined && errorRate >= config.retry.fallbackAtErrorRate) retry = 'fallback';
    else if (errorRate !== undefined && errorRate < config.retry.failFastBelowErrorRate && context.risk === 'low') retry = 'fail_fast';
    indices[actionHeads.retry] = retryStrategies.indexOf(retry);

    let safety = config.safety[context.risk] ?? 'balanced';
    if (context.risk === 'low' && config.permissiveTaskTypes.includes(context.taskType)) safety = 'permissive';
    indices[actionHeads.safety] = safetyLevels.indexOf(safety);

    const models = this.#modelIndex[complexity];
    for (const role of ['architect', 'executor', 'auditor', 'consultant'] as const) indices[roleHead[role]] = models[role];
    // The cost–quality knob: every role's model moves round(log2 w) rungs down the price ladder (w = 0: the top).
    const costWeight = costWeightOf(input);
    const steps = this.#ladder.stepsFor(costWeight);
    let knobNote: string | undefined;
    if (steps !== 0) {
      const moved: string[] = [];
      for (const role of ['architect', 'executor', 'auditor', 'consultant'] as const) {
        const head = roleHead[role];
        const from = indices[head]!;
        const to = this.#ladder.move(from, steps);
        indices[head] = to;
        if (explanation !== undefined && to !== from && (role === 'executor' || roles.has(role))) moved.push(`${role} ${this.space.catalog.models[from]!.id} → ${this.space.catalog.models[to]!.id}`);
      }
      if (explanation !== undefined) knobNote = `cost weight ${costWeight} → models ${Math.abs(steps) === Number.POSITIVE_INFINITY ? 'at the top of' : `${Math.abs(steps)} rung(s) ${steps > 0 ? 'down' : 'up'}`} the price ladder${moved.length > 0 ? `: ${moved.join(', ')}` : ' (no change)'}`;
    }

    if (explanation !== undefined) {
      explanation.push(
        `complexity ${complexity} → ${approach} with ${['executor', ...teamRoles.filter((role) => roles.has(role))].join(', ')}`,
        `${domainCount} domain(s), load ${system.load} → parallelism ${parallelism}`,
        `risk ${context.risk} → safety ${safety}`,
        `estimated ${minutes} min → timeout ×${timeoutMultiplierBins[timeoutBin]}`,
        `model error rate ${errorRate ?? 'unknown'} → ${retry}`,
      );
      if (knobNote !== undefined) explanation.push(knobNote);
    }
    return indices;
  }
}

function nearestBin(multiplier: number): number {
  let best = 0;
  for (let bin = 1; bin < timeoutMultiplierBins.length; bin += 1) {
    if (Math.abs(timeoutMultiplierBins[bin]! - multiplier) < Math.abs(timeoutMultiplierBins[best]! - multiplier)) best = bin;
  }
  return best;
}
