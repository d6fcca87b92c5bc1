import { actionHeadNames, type ActionSpace } from '@orchestra/learning-features';
import type { Action, LearningMode } from '@orchestra/learning-types';
import { canonicalizeIndices } from '../safety/action-indices';
import type { SafetyGuardStatistics } from '../safety/safety-guard';
import { fallbackReasons, type FallbackReason } from './fallback-reason';
import type { PolicyRouterStatistics, RouteResult } from './policy-router-types';

const zeroCounts = () => Object.fromEntries(fallbackReasons.map((reason) => [reason, 0])) as Record<FallbackReason, number>;

/** The router's counters (decisions by mode and source, fallbacks, shadow agreement, A/B arms, candidate). */
export class RouterCounters {
  decisions = 0;
  readonly byMode: Record<LearningMode, number> = { disabled: 0, shadow: 0, ab_test: 0, production: 0 };
  readonly bySource = { rules: 0, learned: 0 };
  readonly fallbacks = zeroCounts();
  readonly shadowFailures = zeroCounts();
  shadowCompared = 0;
  shadowMatched = 0;
  readonly headMatches: Record<string, { compared: number; matched: number }> = {};
  abLearned = 0;
  abRules = 0;
  candidateActed = 0;
  readonly candidateFailures = zeroCounts();
  emergencyDefaults = 0;

  countDecision(result: RouteResult): void {
    this.decisions += 1;
    this.byMode[result.mode] += 1;
    this.bySource[result.decision.source] += 1;
  }

  /**
   * Compares the learned policy's would-be action with the rules' greedy one, head by head (a head counts where
   * either action uses it), and counts the agreement.
   */
  compareShadow(space: ActionSpace, rulesGreedy: Int32Array, learnedAction: Action): { matches: Record<string, boolean>; matched: boolean } {
    const learnedIndices = canonicalizeIndices(space, space.encode(learnedAction));
    const matches: Record<string, boolean> = {};
    let matched = true;
    for (let head = 0; head < space.heads.length; head += 1) {
      const inRules = space.isHeadActive(head, rulesGreedy);
      const inLearned = space.isHeadActive(head, learnedIndices);
      if (!inRules && !inLearned) continue;
      const same = inRules && inLearned && rulesGreedy[head] === learnedIndices[head];
      const name = actionHeadNames[head]!;
      matches[name] = same;
      matched &&= same;
      const counts = this.headMatches[name] ?? (this.headMatches[name] = { compared: 0, matched: 0 });
      counts.compared += 1;
      if (same) counts.matched += 1;
    }
    this.shadowCompared += 1;
    if (matched) this.shadowMatched += 1;
    return { matches, matched };
  }

  /** The counters as `PolicyRouterStatistics`, with the router's state at this moment. */
  statistics(state: {
    mode: LearningMode;
    modelVersion: string | null;
    modelFailure: FallbackReason | null;
    fraction: number;
    candidate: { version: string | null; share: number };
    guard: SafetyGuardStatistics;
  }): PolicyRouterStatistics {
    const matchRateByHead: Record<string, number | null> = {};
    for (const name of actionHeadNames) {
      const head = this.headMatches[name];
      matchRateByHead[name] = head === undefined || head.compared === 0 ? null : head.matched / head.compared;
    }
    return {
      mode: state.mode,
      modelVersion: state.modelVersion,
      modelFailure: state.modelFailure,
      decisions: this.decisions,
      byMode: { ...this.byMode },
      bySource: { ...this.bySource },
      fallbacks: { ...this.fallbacks },
      emergencyDefaults: this.emergencyDefaults,
      shadow: {
        compared: this.shadowCompared,
        matchRate: this.shadowCompared === 0 ? null : this.shadowMatched / this.shadowCompared,
        matchRateByHead,
        failures: { ...this.shadowFailures },
      },
      abTest: { fraction: state.fraction, learned: this.abLearned, rules: this.abRules },
      candidate: { ...state.candidate, acted: this.candidateActed, failures: { ...this.candidateFailures } },
      guard: state.guard,
    };
  }
}
