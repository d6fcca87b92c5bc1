/** The router's contract: its options, events, route results and statistics, and how it picks its first mode. */
import { learningModeSchema, validate, type Decision, type LearningMode } from '@orchestra/learning-types';
import type { FeatureSchema } from '@orchestra/learning-features';
import type { ExplorationDesign } from '../exploration/head-perturbation';
import type { LearnedPolicyOptions } from '../learned/learned-policy';
import type { Policy } from '../policy';
import type { RulesPolicy } from '../rules/rules-policy';
import type { SafetyGuardStatistics } from '../safety/safety-guard';
import type { FallbackReason } from './fallback-reason';

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
  /** The rules (default `new RulesPolicy()`, with `explorationDesign`); their guard is the router's guard. */
  readonly rules?: RulesPolicy;
  /**
   * How explored decisions depart from the greedy action, for the default rules and for learned policies built from
   * artifacts (unless `learnedOptions` names its own). Default: one alternative per explored decision.
   */
  readonly explorationDesign?: ExplorationDesign;
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
   * `share·π_candidate(a) + (1 − share)·π_rules(a)`. Production mode: the same share of sessions, the deployed model
   * in place of the rules (a challenger valued against it). Default 0; no effect without a candidate.
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
  /** Shadow or production mode: the session was assigned to the exploration candidate (its action was taken unless it failed). */
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

/**
 * The router's mode at construction: `options.mode` (validated), else `ORCHESTRA_LEARNING_MODE` from
 * `options.environment`, else `disabled`; tells `emit` where it came from (and about an invalid variable).
 */
export function initialLearningMode(options: PolicyRouterOptions, emit: (event: PolicyRouterEvent) => void): LearningMode {
  if (options.mode !== undefined) {
    const mode = validate(learningModeSchema, options.mode, 'mode');
    emit({ type: 'mode', mode, source: 'config' });
    return mode;
  }
  const fromEnvironment = (options.environment ?? process.env)[LEARNING_MODE_ENVIRONMENT_VARIABLE];
  const parsed = learningModeSchema.safeParse(fromEnvironment);
  if (fromEnvironment !== undefined && !parsed.success) emit({ type: 'invalid-environment-mode', value: fromEnvironment });
  const mode = parsed.success ? parsed.data : 'disabled';
  emit({ type: 'mode', mode, source: parsed.success ? 'environment' : 'default' });
  return mode;
}
