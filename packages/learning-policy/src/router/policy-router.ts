import { FeatureSchemaMismatchError, actionHeadNames, createRng, type FeatureSchema, type SeededRandom } from '@orchestra/learning-features';
import { learningModeSchema, validate, type Action, type Decision, type LearningMode } from '@orchestra/learning-types';
import { z } from 'zod';
import { loadModelArtifact } from '../artifact/load-model-artifact';
import type { ModelArtifact } from '../artifact/model-artifact';
import { ModelArtifactError } from '../errors/model-artifact-error';
import { PolicyError } from '../errors/policy-error';
import { LearnedPolicy, type LearnedPolicyOptions } from '../learned/learned-policy';
import type { Policy, PolicyInput } from '../policy';
import { RulesPolicy } from '../rules/rules-policy';
import { canonicalizeIndices } from '../safety/action-indices';
import type { SafetyGuard, SafetyGuardStatistics } from '../safety/safety-guard';
import { fallbackReasons, type FallbackReason } from './fallback-reason';
import { stableUnitHash } from './stable-hash';

/** The A/B ramp: `rampUp()` moves the learned fraction to the next step. */
export const abTestRamp = [0.1, 0.25, 0.5, 1] as const;

/** Environment variable read for the mode when the configuration gives none. */
export const LEARNING_MODE_ENVIRONMENT_VARIABLE = 'ORCHESTRA_LEARNING_MODE';

/** Something the router reports as it happens (fallbacks, shadow failures, mode changes). */
export type PolicyRouterEvent =
  | { type: 'fallback'; reason: FallbackReason; mode: LearningMode; error?: unknown }
  | { type: 'shadow-failure'; reason: FallbackReason; error?: unknown }
  | { type: 'mode'; mode: LearningMode; source: 'config' | 'environment' | 'default' | 'runtime' }
  | { type: 'invalid-environment-mode'; value: string }
  | { type: 'model'; status: 'loaded' | 'failed' | 'removed'; version?: string; reason?: FallbackReason; error?: unknown }
  | { type: 'candidate'; status: 'loaded' | 'failed'; version?: string; reason?: FallbackReason; error?: unknown }
  | { type: 'rules-failure'; error: unknown };

/** Options of `PolicyRouter`. */
export interface PolicyRouterOptions {
  /** The mode; when absent, `ORCHESTRA_LEARNING_MODE` from `environment`, else `disabled`. */
  readonly mode?: LearningMode;
  /** Where the mode variable is read (default `process.env`). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** The rules (default `new RulesPolicy()`); their guard is the router's guard. */
  readonly rules?: RulesPolicy;
  /** A learned policy to start with (or load one later with `setModel` / `loadModel` / `setLearnedPolicy`). */
  readonly learned?: Policy | null;
  /** Options for learned policies built from artifacts (`setModel`, `loadModel`). */
  readonly learnedOptions?: Omit<LearnedPolicyOptions, 'guard' | 'featureSchema'>;
  readonly featureSchema?: FeatureSchema;
  /** A/B test: share of sessions sent to the learned policy (default 0.1) and the hash salt (one per experiment). */
  readonly abTest?: { readonly fraction?: number; readonly salt?: string };
  /**
   * Shadow mode: the share of sessions (sticky per session id, like the A/B split) on which the exploration
   * candidate (`setCandidate`) acts instead of the rules — exploration that follows what the learner proposes and
   * keeps the logs overlapping with its next candidate. Every logged propensity is the mixture
   * `share·π_candidate(a) + (1 − share)·π_rules(a)`. Default 0; no effect without a candidate.
   */
  readonly candidateShare?: number;
  /** Rules exploration ε per mode (default shadow 0.1, ab_test 0.1, production 0; always 0 when disabled). */
  readonly exploration?: { readonly shadow?: number; readonly ab_test?: number; readonly production?: number };
  /** A learned decision slower than this (milliseconds, default 2) is discarded for the rules. */
  readonly latencyBudgetMs?: number;
  /** Seed of the assignment of decisions without a session id (default 1). */
  readonly seed?: number;
  /** Called for fallbacks, shadow failures, mode and model changes. Errors it throws are swallowed. */
  readonly onEvent?: (event: PolicyRouterEvent) => void;
  /** Clock in milliseconds (default `performance.now`); tests inject a fake one. */
  readonly now?: () => number;
}

/** How one decision was routed. */
export interface RouteResult {
  readonly decision: Decision;
  readonly mode: LearningMode;
  /** The policy whose action was taken. */
  readonly arm: 'rules' | 'learned';
  /** ab_test only: the session's sticky assignment (the rules act for a learned assignment on fallback). */
  readonly assignment?: 'rules' | 'learned';
  /** Whether this decision's experience should be collected (false when disabled). */
  readonly collect: boolean;
  /** Why the rules acted where the learned policy should have. */
  readonly fallbackReason?: FallbackReason;
  /** Probability of the arm (the A/B fraction or its complement; 1 outside ab_test). */
  readonly assignmentProbability: number;
  /** Probability of the action within its arm. `decision.propensity` is the probability over both arms. */
  readonly armPropensity: number;
  /** Shadow mode: the session was assigned to the exploration candidate (its action was taken unless it failed). */
  readonly candidate?: { readonly version: string; readonly acted: boolean; readonly failure?: FallbackReason };
  /** Shadow mode: what the learned policy would have done and whether it matched the rules, per head. */
  readonly shadow?: {
    readonly decision?: Decision;
    readonly matches?: Readonly<Partial<Record<string, boolean>>>;
    readonly matched?: boolean;
    readonly failure?: FallbackReason;
  };
}

/** Counters of a router since construction (or `resetStatistics`). */
export interface PolicyRouterStatistics {
  readonly mode: LearningMode;
  readonly modelVersion: string | null;
  readonly modelFailure: FallbackReason | null;
  readonly decisions: number;
  readonly byMode: Readonly<Record<LearningMode, number>>;
  readonly bySource: Readonly<{ rules: number; learned: number }>;
  readonly fallbacks: Readonly<Record<FallbackReason, number>>;
  readonly emergencyDefaults: number;
  readonly shadow: {
    readonly compared: number;
    /** Share of compared decisions where the learned action equals the rules' action; null before any. */
    readonly matchRate: number | null;
    /** Per head: share of decisions (where the head counts for either action) with the same choice. */
    readonly matchRateByHead: Readonly<Record<string, number | null>>;
    readonly failures: Readonly<Record<FallbackReason, number>>;
  };
  readonly abTest: { readonly fraction: number; readonly learned: number; readonly rules: number };
  /** Shadow exploration by the candidate: its version, share, sessions it acted on and its failures by reason. */
  readonly candidate: { readonly version: string | null; readonly share: number; readonly acted: number; readonly failures: Readonly<Record<FallbackReason, number>> };
  readonly guard: SafetyGuardStatistics;
}

const fractionSchema = z.number().min(0).max(1);
const zeroCounts = () => Object.fromEntries(fallbackReasons.map((reason) => [reason, 0])) as Record<FallbackReason, number>;

class LearnedFailure extends Error {
  constructor(readonly reason: FallbackReason, readonly error: unknown) {
    super(reason);
  }
}

function reasonOfError(error: unknown): FallbackReason {
  if (PolicyError.isInstance(error)) return error.reason === 'non-finite-output' ? 'non-finite-output' : error.reason === 'feature-schema-mismatch' ? 'schema-mismatch' : 'policy-error';
  if (FeatureSchemaMismatchError.isInstance(error)) return 'schema-mismatch';
  if (ModelArtifactError.isInstance(error)) return artifactReason(error);
  return 'policy-error';
}

function artifactReason(error: ModelArtifactError): FallbackReason {
  if (error.reason === 'feature-schema-mismatch' || error.reason === 'action-space-mismatch') return 'schema-mismatch';
  if (error.reason === 'missing-file' && error.location.endsWith('manifest.json')) return 'no-model';
  return 'corrupt-artifact';
}

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
 * - `production`: the learned policy acts, with fallback to the rules.
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
  #counts = this.#emptyCounts();

  constructor(options: PolicyRouterOptions = {}) {
    this.rules = options.rules ?? new RulesPolicy();
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
    this.#random = createRng(options.seed ?? 1);
    this.#onEvent = options.onEvent;
    this.#now = options.now ?? (() => performance.now());
    this.#learnedOptions = options.learnedOptions ?? {};
    this.#featureSchema = options.featureSchema;
    if (options.mode !== undefined) {
      this.#mode = validate(learningModeSchema, options.mode, 'mode');
      this.#emit({ type: 'mode', mode: this.#mode, source: 'config' });
    } else {
      const fromEnvironment = (options.environment ?? process.env)[LEARNING_MODE_ENVIRONMENT_VARIABLE];
      const parsed = learningModeSchema.safeParse(fromEnvironment);
      if (fromEnvironment !== undefined && !parsed.success) this.#emit({ type: 'invalid-environment-mode', value: fromEnvironment });
      this.#mode = parsed.success ? parsed.data : 'disabled';
      this.#emit({ type: 'mode', mode: this.#mode, source: parsed.success ? 'environment' : 'default' });
    }
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
      const policy = new LearnedPolicy(artifact, { ...this.#learnedOptions, guard: this.guard, ...(this.#featureSchema ? { featureSchema: this.#featureSchema } : {}) });
      this.setLearnedPolicy(policy);
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

  /** The share of shadow sessions the candidate acts on (`candidateShare`). */
  get candidateShare(): number {
    return this.#candidateShare;
  }

  /**
   * Makes `artifact` the exploration candidate of shadow mode (null removes it): a model that has not passed the
   * deploy gate acts on `candidateShare` of shadow sessions, with exact mixture propensities, so that the next
   * candidate can be evaluated on logs that overlap with it. Never throws; returns whether it loaded (a model that
   * does not fit leaves no candidate).
   */
  /**
   * Raises the rules' exploration for decisions whose greedy action uses one of `models` (a model whose behaviour
   * changed: its new error rate, latency or success is learned faster), in shadow and in the rules arm of ab_test;
   * null ends it.
   */
  setExplorationBoost(boost: { models: readonly string[]; epsilon: number } | null): void {
    if (boost === null || boost.models.length === 0) {
      this.#explorationBoost = null;
      return;
    }
    const epsilon = validate(fractionSchema, boost.epsilon, 'explorationBoost.epsilon');
    this.#explorationBoost = { models: new Set(boost.models), epsilon };
  }

  /** The exploration boost in force (`setExplorationBoost`), or null. */
  get explorationBoost(): { models: string[]; epsilon: number } | null {
    return this.#explorationBoost === null ? null : { models: [...this.#explorationBoost.models], epsilon: this.#explorationBoost.epsilon };
  }

  #explorationBoost: { models: Set<string>; epsilon: number } | null = null;

  /**
   * The rules' ε for this input: the mode's, raised to the boost's when the rules' greedy action gives a boosted
   * model a role. A function of the input alone, so the logged propensity (and `probabilityOf`) stay exact.
   */
  #epsilonFor(input: PolicyInput, base: number): number {
    const boost = this.#explorationBoost;
    if (boost === null || !(boost.epsilon > base)) return base;
    const space = this.guard.space;
    const greedy = this.rules.greedyIndices(input);
    for (let head = 0; head < space.heads.length; head += 1) {
      const spec = space.heads[head]!;
      if (!spec.name.startsWith('model_') || !space.isHeadActive(head, greedy)) continue;
      if (boost.models.has(spec.labels[greedy[head]!]!)) return boost.epsilon;
    }
    return base;
  }

  setCandidate(artifact: ModelArtifact | null): boolean {
    if (artifact === null) {
      this.#candidate = null;
      return true;
    }
    try {
      this.#candidate = new LearnedPolicy(artifact, { ...this.#learnedOptions, guard: this.guard, ...(this.#featureSchema ? { featureSchema: this.#featureSchema } : {}) });
      this.#emit({ type: 'candidate', status: 'loaded', version: this.#candidate.version });
      return true;
    } catch (error) {
      this.#candidate = null;
      this.#emit({ type: 'candidate', status: 'failed', reason: reasonOfError(error), error });
      return false;
    }
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
    this.#count(result);
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
      case 'production': {
        const learned = this.#tryLearned(input);
        if (!(learned instanceof LearnedFailure)) {
          return { decision: learned, mode, arm: 'learned', collect: true, assignmentProbability: 1, armPropensity: learned.propensity };
        }
        this.#fallback(learned, mode);
        const decision = this.#withNote(this.rules.choose(input, this.#exploration.production).decision, learned.reason);
        return { decision, mode, arm: 'rules', collect: true, fallbackReason: learned.reason, assignmentProbability: 1, armPropensity: decision.propensity };
      }
    }
  }

  #shadow(input: PolicyInput): RouteResult {
    const epsilon = this.#epsilonFor(input, this.#exploration.shadow);
    const candidate = this.#candidate;
    const share = candidate === null ? 0 : this.#candidateShare;
    let candidateRoute: RouteResult['candidate'];
    if (candidate !== null && share > 0) {
      const unit = input.sessionId !== undefined && input.sessionId !== '' ? stableUnitHash(`${this.#salt}:candidate:${input.sessionId}`) : this.#random.next();
      if (unit < share) {
        const proposed = this.#tryPolicy(candidate, input);
        if (!(proposed instanceof LearnedFailure)) {
          this.#counts.candidateActed += 1;
          return {
            decision: this.#mixedWithRules(proposed, share, input, epsilon),
            mode: 'shadow',
            arm: 'learned',
            collect: true,
            assignmentProbability: share,
            armPropensity: proposed.propensity,
            candidate: { version: candidate.version, acted: true },
          };
        }
        // The candidate could not act for this session: the rules do, and the session logs the rules' propensity.
        this.#counts.candidateFailures[proposed.reason] += 1;
        this.#emit({ type: 'shadow-failure', reason: proposed.reason, error: proposed.error });
        candidateRoute = { version: candidate.version, acted: false, failure: proposed.reason };
      }
    }
    const choice = this.rules.choose(input, epsilon);
    let decision = choice.decision;
    if (share > 0 && candidateRoute === undefined) {
      let candidateProbability: number | null = null;
      try {
        const probability = candidate!.probabilityOf(decision.action, input);
        if (probability >= 0 && probability <= 1) candidateProbability = probability;
      } catch {
        candidateProbability = null;
      }
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
    const space = this.guard.space;
    const learnedIndices = canonicalizeIndices(space, space.encode(learned.action));
    const matches: Record<string, boolean> = {};
    let matched = true;
    for (let head = 0; head < space.heads.length; head += 1) {
      const inRules = space.isHeadActive(head, choice.greedy);
      const inLearned = space.isHeadActive(head, learnedIndices);
      if (!inRules && !inLearned) continue;
      const same = inRules && inLearned && choice.greedy[head] === learnedIndices[head];
      const name = actionHeadNames[head]!;
      matches[name] = same;
      matched &&= same;
      const counts = this.#counts.headMatches[name] ?? (this.#counts.headMatches[name] = { compared: 0, matched: 0 });
      counts.compared += 1;
      if (same) counts.matched += 1;
    }
    this.#counts.shadowCompared += 1;
    if (matched) this.#counts.shadowMatched += 1;
    return { ...base, shadow: { decision: learned, matches, matched } };
  }

  #abTest(input: PolicyInput, fraction: number): RouteResult {
    const epsilon = this.#epsilonFor(input, this.#exploration.ab_test);
    const unit = input.sessionId !== undefined && input.sessionId !== '' ? stableUnitHash(`${this.#salt}:${input.sessionId}`) : this.#random.next();
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
    let learnedProbability: number | null = null;
    const learned = this.#learned;
    if (fraction > 0 && learned !== null && learned.probabilityOf !== undefined) {
      try {
        const probability = learned.probabilityOf(decision.action, input);
        if (probability >= 0 && probability <= 1) learnedProbability = probability;
      } catch {
        learnedProbability = null;
      }
    }
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
    const started = this.#now();
    let decision: Decision;
    try {
      decision = learned.decide(input);
    } catch (error) {
      return new LearnedFailure(reasonOfError(error), error);
    }
    const elapsed = this.#now() - started;
    if (!(elapsed <= this.#latencyBudgetMs)) {
      return new LearnedFailure('latency-budget', new Error(`learned decision took ${elapsed.toFixed(3)} ms, budget ${this.#latencyBudgetMs} ms`));
    }
    try {
      if (typeof decision !== 'object' || decision === null || !(decision.propensity > 0 && decision.propensity <= 1)) {
        return new LearnedFailure('policy-error', new Error('the learned decision has no propensity in (0, 1]'));
      }
      const violations = this.guard.checkAction(decision.action, input);
      if (violations.length > 0) {
        for (const violation of violations) {
          this.guard.record({ type: 'rejected', constraintId: violation.constraintId, head: violation.head, from: violation.label });
        }
        const list = violations.map((violation) => `${violation.constraintId} (${violation.head} ${violation.label})`).join(', ');
        return new LearnedFailure('constraint-violation', new Error(`the learned action violates ${list}`));
      }
    } catch (error) {
      return new LearnedFailure('policy-error', error);
    }
    return decision;
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
    const models = this.rules.config.plans.simple.models;
    const action: Action = {
      skills: [],
      agents: ['executor', 'auditor'],
      approach: 'sequential',
      parallelism: 1,
      timeoutMultiplier: 1,
      retryStrategy: 'retry_with_backoff',
      safetyLevel: 'strict',
      models: { executor: models.executor, auditor: models.auditor },
    };
    const decision: Decision = {
      action,
      propensity: 1,
      source: 'rules',
      policyVersion: this.rules.version,
      explanation: [`emergency default: the rules failed (${error instanceof Error ? error.message : String(error)})`],
    };
    return { decision, mode, arm: 'rules', collect: false, assignmentProbability: 1, armPropensity: 1 };
  }

  #emptyCounts() {
    return {
      decisions: 0,
      byMode: { disabled: 0, shadow: 0, ab_test: 0, production: 0 } as Record<LearningMode, number>,
      bySource: { rules: 0, learned: 0 },
      fallbacks: zeroCounts(),
      shadowFailures: zeroCounts(),
      shadowCompared: 0,
      shadowMatched: 0,
      headMatches: {} as Record<string, { compared: number; matched: number }>,
      abLearned: 0,
      abRules: 0,
      candidateActed: 0,
      candidateFailures: zeroCounts(),
      emergencyDefaults: 0,
    };
  }

  #count(result: RouteResult): void {
    const counts = this.#counts;
    counts.decisions += 1;
    counts.byMode[result.mode] += 1;
    counts.bySource[result.decision.source] += 1;
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
    const counts = this.#counts;
    const matchRateByHead: Record<string, number | null> = {};
    for (const name of actionHeadNames) {
      const head = counts.headMatches[name];
      matchRateByHead[name] = head === undefined || head.compared === 0 ? null : head.matched / head.compared;
    }
    return {
      mode: this.#mode,
      modelVersion: this.modelVersion,
      modelFailure: this.#modelFailure,
      decisions: counts.decisions,
      byMode: { ...counts.byMode },
      bySource: { ...counts.bySource },
      fallbacks: { ...counts.fallbacks },
      emergencyDefaults: counts.emergencyDefaults,
      shadow: {
        compared: counts.shadowCompared,
        matchRate: counts.shadowCompared === 0 ? null : counts.shadowMatched / counts.shadowCompared,
        matchRateByHead,
        failures: { ...counts.shadowFailures },
      },
      abTest: { fraction: this.#fraction, learned: counts.abLearned, rules: counts.abRules },
      candidate: { version: this.candidateVersion, share: this.#candidateShare, acted: counts.candidateActed, failures: { ...counts.candidateFailures } },
      guard: this.guard.statistics(),
    };
  }

  /** The statistics as a plain record (for the facade's `report()`). */
  report(): Record<string, unknown> {
    return { ...this.statistics() };
  }

  /** Zeroes the counters (the guard keeps its own). */
  resetStatistics(): void {
    this.#counts = this.#emptyCounts();
  }
}
