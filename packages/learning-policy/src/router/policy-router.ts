/*
 * Longer than 400 lines on purpose: one class, `PolicyRouter`, whose four routing modes and model/candidate
 * lifecycle share its private state (mode, fraction, learned policy, candidate, counters). Its contract
 * (policy-router-types.ts), counters (router-counters.ts), decision checks (learned-decision-checks.ts) and exploration
 * boost (exploration-boost.ts) live beside it.
 */
import { createRng, type FeatureSchema, type SeededRandom } from '@orchestra/learning-features';
import { learningModeSchema, validate, type Decision, type LearningMode } from '@orchestra/learning-types';
import { z } from 'zod';
import { loadModelArtifact } from '../artifact/load-model-artifact';
import type { ModelArtifact } from '../artifact/model-artifact';
import { ModelArtifactError } from '../errors/model-artifact-error';
import { LearnedPolicy, type LearnedPolicyOptions } from '../learned/learned-policy';
import { checkExplorationDesign, type ExplorationWeights } from '../exploration/head-perturbation';
import type { Policy, PolicyInput } from '../policy';
import { RulesPolicy } from '../rules/rules-policy';
import type { SafetyGuard } from '../safety/safety-guard';
import { ExplorationBoost } from './exploration-boost';
import type { FallbackReason } from './fallback-reason';
import { LearnedFailure, artifactReason, checkedLearnedDecision, emergencyDecision, probabilityOrNull, reasonOfError } from './learned-decision-checks';
import { abTestRamp, initialLearningMode, type PolicyRouterEvent, type PolicyRouterOptions, type PolicyRouterStatistics, type RouteResult } from './policy-router-types';
import { RouterCounters } from './router-counters';
import { stableUnitHash } from './stable-hash';

export * from './policy-router-types';

const fractionSchema = z.number().min(0).max(1);

/**
 * Routes each decision between the rules and the learned policy according to the learning mode, and never throws
 * into the caller:
 *
 * - `disabled`: the rules act, deterministically; nothing is to be collected.
 * - `shadow`: the rules act (with exploration ε, default 0.1); the learned policy, if loaded, is evaluated too and
 *   its would-be action compared with the rules' — the match rate per head and overall is the signal for leaving
 *   shadow mode.
 * - `ab_test`: a fraction of sessions (default 10 %, ramp 25 → 50 → 100 %) goes to the learned policy, sticky per
 *   session id (stable hash); the logged propensity is the probability of the action over both arms,
 *   `f·π_learned(a) + (1 − f)·π_rules(a)`.
 * - `production`: the learned policy acts, with fallback to the rules; an exploration candidate, if set, acts on
 *   `candidateShare` of sessions instead (mixture propensities as in shadow, the deployed model in place of the rules).
 *
 * Fallbacks are counted by reason (`fallbackReasons`); every action passes the hard constraints (a learned action
 * that breaks one is replaced by the rules', a rules action is repaired).
 */
export class PolicyRouter implements Policy {
  readonly rules: RulesPolicy;
  readonly guard: SafetyGuard;
  #mode: LearningMode;
  #learned: Policy | null;
  #candidate: LearnedPolicy | null = null;
  readonly #candidateShare: number;
  #modelFailure: FallbackReason | null = null;
  #fraction: number;
  readonly #salt: string;
  readonly #exploration: { shadow: number; ab_test: number; production: number };
  readonly #latencyBudgetMs: number;
  readonly #random: SeededRandom;
  readonly #onEvent: ((event: PolicyRouterEvent) => void) | undefined;
  readonly #now: () => number;
  readonly #learnedOptions: Omit<LearnedPolicyOptions, 'guard' | 'featureSchema'>;
  readonly #featureSchema: FeatureSchema | undefined;
  #counts = new RouterCounters();
  readonly #boost: ExplorationBoost;

  constructor(options: PolicyRouterOptions = {}) {
    const design = options.explorationDesign === undefined ? undefined : checkExplorationDesign(options.explorationDesign);
    this.rules = options.rules ?? new RulesPolicy(design === undefined ? {} : { config: { explorationDesign: design } });
    this.guard = this.rules.guard;
    this.#learned = options.learned ?? null;
    this.#fraction = validate(fractionSchema, options.abTest?.fraction ?? abTestRamp[0], 'abTest.fraction');
    this.#salt = options.abTest?.salt ?? 'orchestra-ab';
    this.#candidateShare = validate(fractionSchema, options.candidateShare ?? 0, 'candidateShare');
    this.#exploration = {
      shadow: validate(fractionSchema, options.exploration?.shadow ?? 0.1, 'exploration.shadow'),
      ab_test: validate(fractionSchema, options.exploration?.ab_test ?? 0.1, 'exploration.ab_test'),
      production: validate(fractionSchema, options.exploration?.production ?? 0, 'exploration.production'),
    };
    this.#latencyBudgetMs = options.latencyBudgetMs ?? 2;
    this.#boost = new ExplorationBoost(this.rules);
    this.#random = createRng(options.seed ?? 1);
    this.#onEvent = options.onEvent;
    this.#now = options.now ?? (() => performance.now());
    const learnedOptions = options.learnedOptions ?? {};
    this.#learnedOptions = design === undefined || learnedOptions.explorationDesign !== undefined ? learnedOptions : { ...learnedOptions, explorationDesign: design };
    this.#featureSchema = options.featureSchema;
    this.#mode = initialLearningMode(options, (event) => this.#emit(event));
  }

  /** The current mode. */
  get mode(): LearningMode {
    return this.#mode;
  }

  /** Changes the mode at run time (throws `ValidationError` for an unknown mode). */
  setMode(mode: LearningMode): void {
    this.#mode = validate(learningModeSchema, mode, 'mode');
    this.#emit({ type: 'mode', mode: this.#mode, source: 'runtime' });
  }

  /** The A/B fraction in force. */
  get abFraction(): number {
    return this.#fraction;
  }

  /** Sets the A/B fraction (0..1). Raising it only moves sessions from the rules to the learned arm. */
  setAbFraction(fraction: number): void {
    this.#fraction = validate(fractionSchema, fraction, 'abTest.fraction');
  }

  /** Moves the A/B fraction to the next ramp step (10 → 25 → 50 → 100 %) and returns it. */
  rampUp(): number {
    const next = abTestRamp.find((step) => step > this.#fraction);
    if (next !== undefined) this.#fraction = next;
    return this.#fraction;
  }

  /** Version of the learned policy in use, or null. */
  get modelVersion(): string | null {
    const learned = this.#learned as (Policy & { version?: unknown }) | null;
    return learned === null ? null : typeof learned.version === 'string' ? learned.version : 'custom';
  }

  /** Uses `policy` as the learned policy (null: none). */
  setLearnedPolicy(policy: Policy | null): void {
    this.#learned = policy;
    this.#modelFailure = null;
    this.#emit(policy === null ? { type: 'model', status: 'removed' } : { type: 'model', status: 'loaded', version: this.modelVersion ?? 'custom' });
  }

  /**
   * Builds a `LearnedPolicy` from a verified artifact (null removes the model). Never throws: a model that does not
   * fit leaves no learned policy, and the failure reason is what later fallbacks report. Returns whether it loaded.
   */
  setModel(artifact: ModelArtifact | null): boolean {
    if (artifact === null) {
      this.setLearnedPolicy(null);
      return true;
    }
    try {
      this.setLearnedPolicy(this.#learnedPolicyOf(artifact));
      return true;
    } catch (error) {
      this.#failModel(error);
      return false;
    }
  }

  /** Version of the exploration candidate, or null. */
  get candidateVersion(): string | null {
    return this.#candidate?.version ?? null;
  }

  /** The share of shadow and production sessions the candidate acts on (`candidateShare`). */
  get candidateShare(): number {
    return this.#candidateShare;
  }

  /**
   * Raises the rules' exploration for decisions whose greedy action uses one of `models` (a model whose behaviour
   * changed: its new error rate, latency or success is learned faster), in shadow and in the rules arm of ab_test;
   * null ends it.
   */
  setExplorationBoost(boost: { models: readonly string[]; epsilon: number } | null): void {
    this.#boost.set(boost);
  }

  /**
   * Weights the rules' exploration alternatives (see `RulesPolicy.setExplorationWeights`; null: uniform). Throws
   * `ValidationError` for weights that do not fit the action space (nothing changed).
   */
  setExplorationWeights(weights: ExplorationWeights | null): void {
    this.rules.setExplorationWeights(weights);
  }

  /** The exploration boost in force (`setExplorationBoost`), or null. */
  get explorationBoost(): { models: string[]; epsilon: number } | null {
    return this.#boost.current;
  }

  /**
   * Makes `artifact` the exploration candidate (null removes it): a model that has not passed the deploy gate acts
   * on `candidateShare` of shadow sessions (instead of the rules) and of production sessions (instead of the deployed
   * model), with exact mixture propensities, so that it can be evaluated on logs that overlap with it. Never throws; returns whether it loaded (a model that
   * does not fit leaves no candidate).
   */
  setCandidate(artifact: ModelArtifact | null): boolean {
    if (artifact === null) {
      this.#candidate = null;
      return true;
    }
    try {
      this.#candidate = this.#learnedPolicyOf(artifact);
      this.#emit({ type: 'candidate', status: 'loaded', version: this.#candidate.version });
      return true;
    } catch (error) {
      this.#candidate = null;
      this.#emit({ type: 'candidate', status: 'failed', reason: reasonOfError(error), error });
      return false;
    }
  }

  /** A learned policy of `artifact` with the router's options, guard and feature schema (throws when it does not fit). */
  #learnedPolicyOf(artifact: ModelArtifact): LearnedPolicy {
    return new LearnedPolicy(artifact, { ...this.#learnedOptions, guard: this.guard, ...(this.#featureSchema ? { featureSchema: this.#featureSchema } : {}) });
  }

  /** Loads an artifact directory (see `setModel`); never rejects. */
  async loadModel(directory: string): Promise<boolean> {
    try {
      const schema = this.#featureSchema;
      const artifact = await loadModelArtifact(directory, schema === undefined ? {} : { expectedFeatureSchema: { hash: schema.hash, size: schema.size } });
      return this.setModel(artifact);
    } catch (error) {
      this.#failModel(error);
      return false;
    }
  }

  /**
   * Records that the model meant to be served could not be loaded (e.g. a deployed copy that fails verification):
   * no learned policy, and later fallbacks report the error's reason (`corrupt-artifact`, `schema-mismatch`, …)
   * instead of `no-model`. Never throws.
   */
  modelFailed(error: unknown): void {
    this.#failModel(error);
  }

  #failModel(error: unknown): void {
    this.#learned = null;
    this.#modelFailure = ModelArtifactError.isInstance(error) ? artifactReason(error) : reasonOfError(error);
    this.#emit({ type: 'model', status: 'failed', reason: this.#modelFailure, error });
  }

  /** Routes one decision (see `route`); never throws. */
  decide(input: PolicyInput, routing?: { mode?: LearningMode; abFraction?: number }): Decision {
    return this.route(input, routing).decision;
  }

  /** Routes one decision and tells how; never throws. `routing` overrides the mode and A/B fraction for this call. */
  route(input: PolicyInput, routing?: { mode?: LearningMode; abFraction?: number }): RouteResult {
    const mode = routing?.mode !== undefined && learningModeSchema.safeParse(routing.mode).success ? routing.mode : this.#mode;
    const fraction = routing?.abFraction !== undefined && fractionSchema.safeParse(routing.abFraction).success ? routing.abFraction : this.#fraction;
    let result: RouteResult;
    try {
      result = this.#route(input, mode, fraction);
    } catch (error) {
      result = this.#emergency(mode, error);
    }
    this.#counts.countDecision(result);
    return result;
  }

  #route(input: PolicyInput, mode: LearningMode, fraction: number): RouteResult {
    switch (mode) {
      case 'disabled': {
        const decision = this.rules.choose(input, 0).decision;
        return { decision, mode, arm: 'rules', collect: false, assignmentProbability: 1, armPropensity: decision.propensity };
      }
      case 'shadow':
        return this.#shadow(input);
      case 'ab_test':
        return this.#abTest(input, fraction);
      case 'production':
        return this.#production(input);
    }
  }

  /**
   * Production: the deployed model acts, with fallback to the rules. With an exploration candidate and a share, the
   * candidate acts on `candidateShare` of sessions instead (sticky per session id) — a challenger valued against
   * the deployed model on these logs — and every propensity is the mixture `share·π_candidate(a) + (1 − share)·π(a)`,
   * π the deployed model's probability (the rules' at the production ε where the deployed model cannot give one).
   */
  #production(input: PolicyInput): RouteResult {
    const candidate = this.#candidate;
    const share = candidate === null || this.#learned === null ? 0 : this.#candidateShare;
    let candidateRoute: RouteResult['candidate'];
    if (candidate !== null && share > 0 && this.#assignmentUnit(input, 'candidate:') < share) {
      const turn = this.#candidateTurn(candidate, input, 'production', share, (action) => this.#servedProbability(action, input));
      if ('decision' in turn) return turn;
      // The candidate could not act for this session: the deployed model does, with its own propensity.
      candidateRoute = turn;
    }
    // Sessions not assigned to the candidate log the mixture with its probability of the action taken (no closure or
    // extra object on this path: without a candidate, production routes as it always did).
    const mixShare = candidateRoute === undefined ? share : 0;
    const assignmentProbability = share === 0 ? 1 : candidateRoute !== undefined ? share : 1 - share;
    const learned = this.#tryLearned(input);
    let result: RouteResult;
    if (!(learned instanceof LearnedFailure)) {
      result = { decision: this.#mixedWithCandidate(learned, mixShare, input), mode: 'production', arm: 'learned', collect: true, assignmentProbability, armPropensity: learned.propensity };
    } else {
      this.#fallback(learned, 'production');
      const decision = this.#withNote(this.rules.choose(input, this.#exploration.production).decision, learned.reason);
      result = { decision: this.#mixedWithCandidate(decision, mixShare, input), mode: 'production', arm: 'rules', collect: true, fallbackReason: learned.reason, assignmentProbability, armPropensity: decision.propensity };
    }
    return candidateRoute === undefined ? result : { ...result, candidate: candidateRoute };
  }

  /** `decision` with the propensity `share·π_candidate(a) + (1 − share)·π(a)` (unchanged at share 0 or without the candidate's probability). */
  #mixedWithCandidate(decision: Decision, share: number, input: PolicyInput): Decision {
    const candidate = this.#candidate;
    if (share === 0 || candidate === null) return decision;
    const candidateProbability = probabilityOrNull(candidate, decision.action, input);
    return candidateProbability === null ? decision : { ...decision, propensity: share * candidateProbability + (1 - share) * decision.propensity };
  }

  /**
   * The exploration candidate's turn on a session assigned to it (shadow or production): its checked decision, logged
   * with the mixture propensity `share·π_candidate(a) + (1 − share)·π_other(a)` (π_other: what acts on the other
   * sessions — the rules, or the deployed model), or why it could not act (counted and emitted).
   */
  #candidateTurn(candidate: LearnedPolicy, input: PolicyInput, mode: 'shadow' | 'production', share: number, otherProbability: (action: Decision['action']) => number): RouteResult | NonNullable<RouteResult['candidate']> {
    const proposed = this.#tryPolicy(candidate, input);
    if (proposed instanceof LearnedFailure) {
      this.#counts.candidateFailures[proposed.reason] += 1;
      this.#emit({ type: 'shadow-failure', reason: proposed.reason, error: proposed.error });
      return { version: candidate.version, acted: false, failure: proposed.reason };
    }
    this.#counts.candidateActed += 1;
    return {
      decision: { ...proposed, propensity: share * proposed.propensity + (1 - share) * otherProbability(proposed.action) },
      mode,
      arm: 'learned',
      collect: true,
      assignmentProbability: share,
      armPropensity: proposed.propensity,
      candidate: { version: candidate.version, acted: true },
    };
  }

  /** The deployed model's probability of `action` as production serves it (the rules' at the production ε when it cannot give one). */
  #servedProbability(action: Decision['action'], input: PolicyInput): number {
    const learned = this.#learned;
    const probability = learned === null ? null : probabilityOrNull(learned, action, input);
    return probability ?? this.rules.probabilityOf(action, input, this.#exploration.production);
  }

  #shadow(input: PolicyInput): RouteResult {
    const epsilon = this.#boost.epsilonFor(input, this.#exploration.shadow);
    const candidate = this.#candidate;
    const share = candidate === null ? 0 : this.#candidateShare;
    let candidateRoute: RouteResult['candidate'];
    if (candidate !== null && share > 0) {
      const unit = this.#assignmentUnit(input, 'candidate:');
      if (unit < share) {
        const turn = this.#candidateTurn(candidate, input, 'shadow', share, (action) => (share < 1 ? this.rules.probabilityOf(action, input, epsilon) : 0));
        if ('decision' in turn) return turn;
        // The candidate could not act for this session: the rules do, and the session logs the rules' propensity.
        candidateRoute = turn;
      }
    }
    const choice = this.rules.choose(input, epsilon);
    let decision = choice.decision;
    if (share > 0 && candidateRoute === undefined) {
      const candidateProbability = probabilityOrNull(candidate!, decision.action, input);
      if (candidateProbability !== null) decision = { ...decision, propensity: share * candidateProbability + (1 - share) * decision.propensity };
    }
    const base: RouteResult = {
      decision,
      mode: 'shadow',
      arm: 'rules',
      collect: true,
      assignmentProbability: candidateRoute !== undefined ? share : 1 - share,
      armPropensity: choice.decision.propensity,
      ...(candidateRoute === undefined ? {} : { candidate: candidateRoute }),
    };
    if (this.#learned === null && this.#modelFailure === null) return base;
    const learned = this.#tryLearned(input);
    if (learned instanceof LearnedFailure) {
      this.#counts.shadowFailures[learned.reason] += 1;
      this.#emit({ type: 'shadow-failure', reason: learned.reason, error: learned.error });
      return { ...base, shadow: { failure: learned.reason } };
    }
    const { matches, matched } = this.#counts.compareShadow(this.guard.space, choice.greedy, learned.action);
    return { ...base, shadow: { decision: learned, matches, matched } };
  }

  #abTest(input: PolicyInput, fraction: number): RouteResult {
    const epsilon = this.#boost.epsilonFor(input, this.#exploration.ab_test);
    const unit = this.#assignmentUnit(input, '');
    const toLearned = unit < fraction;
    if (toLearned) {
      this.#counts.abLearned += 1;
      const learned = this.#tryLearned(input);
      if (!(learned instanceof LearnedFailure)) {
        return {
          decision: this.#mixedWithRules(learned, fraction, input, epsilon),
          mode: 'ab_test',
          arm: 'learned',
          assignment: 'learned',
          collect: true,
          assignmentProbability: fraction,
          armPropensity: learned.propensity,
        };
      }
      this.#fallback(learned, 'ab_test');
      // The learned arm was unavailable, so this session's action came from the rules alone.
      const decision = this.#withNote(this.rules.choose(input, epsilon).decision, learned.reason);
      return { decision, mode: 'ab_test', arm: 'rules', assignment: 'learned', collect: true, fallbackReason: learned.reason, assignmentProbability: fraction, armPropensity: decision.propensity };
    }
    this.#counts.abRules += 1;
    const decision = this.rules.choose(input, epsilon).decision;
    const learned = this.#learned;
    const learnedProbability = fraction > 0 && learned !== null ? probabilityOrNull(learned, decision.action, input) : null;
    const propensity = learnedProbability === null ? decision.propensity : fraction * learnedProbability + (1 - fraction) * decision.propensity;
    return {
      decision: { ...decision, propensity },
      mode: 'ab_test',
      arm: 'rules',
      assignment: 'rules',
      collect: true,
      assignmentProbability: 1 - fraction,
      armPropensity: decision.propensity,
    };
  }

  /** The session's sticky unit in [0, 1) (a stable hash of its id), or a seeded draw for a decision without one. */
  #assignmentUnit(input: PolicyInput, experiment: string): number {
    return input.sessionId !== undefined && input.sessionId !== '' ? stableUnitHash(`${this.#salt}:${experiment}${input.sessionId}`) : this.#random.next();
  }

  /**
   * A learned decision taken for a share `share` of sessions, the rules (ε) acting on the rest: its propensity over
   * both arms, `share·π_learned(a) + (1 − share)·π_rules(a)`.
   */
  #mixedWithRules(learned: Decision, share: number, input: PolicyInput, epsilon: number): Decision {
    const rulesProbability = share < 1 ? this.rules.probabilityOf(learned.action, input, epsilon) : 0;
    return { ...learned, propensity: share * learned.propensity + (1 - share) * rulesProbability };
  }

  /** The learned decision, or why there is none. Never throws. */
  #tryLearned(input: PolicyInput): Decision | LearnedFailure {
    const learned = this.#learned;
    if (learned === null) return new LearnedFailure(this.#modelFailure ?? 'no-model', undefined);
    return this.#tryPolicy(learned, input);
  }

  /** A learned policy's decision, checked (latency budget, propensity, hard constraints), or why it failed. Never throws. */
  #tryPolicy(learned: Policy, input: PolicyInput): Decision | LearnedFailure {
    return checkedLearnedDecision(learned, input, { guard: this.guard, now: this.#now, latencyBudgetMs: this.#latencyBudgetMs });
  }

  #fallback(failure: LearnedFailure, mode: LearningMode): void {
    this.#counts.fallbacks[failure.reason] += 1;
    this.#emit({ type: 'fallback', reason: failure.reason, mode, error: failure.error });
  }

  #withNote(decision: Decision, reason: FallbackReason): Decision {
    return { ...decision, explanation: [...decision.explanation, `fallback to rules: ${reason}`] };
  }

  /** The last resort when even the rules fail (e.g. malformed input): a fixed, conservative action. */
  #emergency(mode: LearningMode, error: unknown): RouteResult {
    this.#counts.emergencyDefaults += 1;
    this.#emit({ type: 'rules-failure', error });
    return { decision: emergencyDecision(this.rules, error), mode, arm: 'rules', collect: false, assignmentProbability: 1, armPropensity: 1 };
  }

  #emit(event: PolicyRouterEvent): void {
    if (this.#onEvent === undefined) return;
    try {
      this.#onEvent(event);
    } catch {
      // A logging callback must never break a decision.
    }
  }

  /** Counters since construction or the last `resetStatistics`. */
  statistics(): PolicyRouterStatistics {
    return this.#counts.statistics({
      mode: this.#mode,
      modelVersion: this.modelVersion,
      modelFailure: this.#modelFailure,
      fraction: this.#fraction,
      candidate: { version: this.candidateVersion, share: this.#candidateShare },
      guard: this.guard.statistics(),
    });
  }

  /** The statistics as a plain record (for the facade's `report()`). */
  report(): Record<string, unknown> {
    return { ...this.statistics() };
  }

  /** Zeroes the counters (the guard keeps its own). */
  resetStatistics(): void {
    this.#counts = new RouterCounters();
  }
}
