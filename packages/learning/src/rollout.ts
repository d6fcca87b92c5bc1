import { normalCdf, type LearningMode } from '@orchestra/learning-types';
import type { Guardrails, RolloutConfig } from './config';
import { RolloutRuleError } from './errors';
import { addStateEvent, armStatisticsSchema, type ArmStatistics, type Arms, type LearningState } from './learning-state';

/** Mean reward, error rate and mean cost of one arm, with the variances of reward and cost (null when unknown). */
export interface ArmSummary {
  sessions: number;
  meanReward: number;
  errorRate: number;
  meanCostUsd: number;
  rewardVariance: number | null;
  costVariance: number | null;
}

function varianceOf(sum: number, squaredSum: number, count: number): number | null {
  // State files written before the sums of squares were kept have 0 there: the variance is then unknown.
  if (count < 2 || (squaredSum === 0 && sum !== 0)) return null;
  return Math.max(0, (squaredSum - (sum * sum) / count) / (count - 1));
}

/** Summarises an arm's running totals (zeros when it has no sessions). */
export function summarizeArm(arm: ArmStatistics): ArmSummary {
  if (arm.sessions === 0) return { sessions: 0, meanReward: 0, errorRate: 0, meanCostUsd: 0, rewardVariance: null, costVariance: null };
  return {
    sessions: arm.sessions,
    meanReward: arm.rewardSum / arm.sessions,
    errorRate: arm.failedSessions / arm.sessions,
    meanCostUsd: arm.costSum / arm.sessions,
    rewardVariance: varianceOf(arm.rewardSum, arm.rewardSquaredSum ?? 0, arm.sessions),
    costVariance: varianceOf(arm.costSum, arm.costSquaredSum ?? 0, arm.sessions),
  };
}

/** Standard error of a difference of two arms' means from their variances (null when either is unknown). */
function differenceError(learned: ArmSummary, rules: ArmSummary, variance: (arm: ArmSummary) => number | null): number | null {
  const learnedVariance = variance(learned);
  const rulesVariance = variance(rules);
  if (learnedVariance === null || rulesVariance === null) return null;
  return Math.sqrt(learnedVariance / learned.sessions + rulesVariance / rules.sessions);
}

/** The verdict of the guardrails on a learned arm against the rules arm. */
export interface GuardrailVerdict {
  /** True when every guardrail holds (and there is a rules arm to compare with). */
  withinGuardrails: boolean;
  /** One line per breached guardrail (empty when within). */
  reasons: string[];
  learned: ArmSummary;
  rules: ArmSummary;
}

/**
 * Checks the learned arm against the rules arm: mean reward not more than `maxRewardDrop` below, error rate not
 * more than `maxErrorRateIncrease` above, mean cost not above `maxCostRatio` × the rules' mean cost — each breach
 * counted only when the gap is also beyond `standardErrors` standard errors of the difference (sized to the sample).
 */
export function checkGuardrails(learnedArm: ArmStatistics, rulesArm: ArmStatistics, guardrails: Guardrails): GuardrailVerdict {
  const learned = summarizeArm(learnedArm);
  const rules = summarizeArm(rulesArm);
  const reasons: string[] = [];
  if (rules.sessions === 0) reasons.push('no rules-arm sessions to compare with');
  if (learned.sessions === 0) reasons.push('no learned-arm sessions yet');
  if (reasons.length === 0) {
    // With `standardErrors` > 0 a threshold counts only when the gap is also beyond that many standard errors.
    const z = guardrails.standardErrors;
    const significant = (gap: number, error: number | null) => z === 0 || error === null || gap > z * error;
    const rewardError = differenceError(learned, rules, (arm) => arm.rewardVariance);
    const rewardGap = rules.meanReward - learned.meanReward;
    if (rewardGap > guardrails.maxRewardDrop && significant(rewardGap, rewardError)) {
      reasons.push(
        `mean reward ${learned.meanReward.toFixed(2)} is more than ${guardrails.maxRewardDrop} below the rules' ${rules.meanReward.toFixed(2)}${rewardError === null || z === 0 ? '' : ` (${(rewardGap / Math.max(rewardError, 1e-12)).toFixed(1)} standard errors)`}`,
      );
    }
    // Failed sessions are rare (a few per hundred), where the normal approximation of a difference of rates is far off:
    // 3 of 40 learned sessions against 5 of 256 rules sessions is 2.0 standard errors but has an exact one-sided
    // p-value of 0.08. Their excess is significant when Fisher's exact test puts it beyond the normal tail of `z`.
    const errorGap = learned.errorRate - rules.errorRate;
    if (errorGap > guardrails.maxErrorRateIncrease && (z === 0 || failureExcessPValue(learnedArm.failedSessions, learned.sessions, rulesArm.failedSessions, rules.sessions) < 1 - normalCdf(z))) {
      reasons.push(`error rate ${(learned.errorRate * 100).toFixed(1)} % exceeds the rules' ${(rules.errorRate * 100).toFixed(1)} % by more than ${(guardrails.maxErrorRateIncrease * 100).toFixed(1)} points`);
    }
    const costLimit = rules.meanCostUsd * guardrails.maxCostRatio + 1e-12;
    const costError = differenceError(learned, rules, (arm) => arm.costVariance);
    if (learned.meanCostUsd > costLimit && significant(learned.meanCostUsd - costLimit, costError)) {
      reasons.push(`mean cost ${learned.meanCostUsd.toFixed(4)} USD exceeds ${guardrails.maxCostRatio} × the rules' ${rules.meanCostUsd.toFixed(4)} USD`);
    }
  }
  return { withinGuardrails: reasons.length === 0, reasons, learned, rules };
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms: relative error below 1e-13). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  const y = x - 1;
  let sum = c[0]!;
  for (let index = 1; index < 9; index++) sum += c[index]! / (y + index);
  const t = y + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/**
 * One-sided p-value of Fisher's exact test that the learned arm fails more often than the rules arm: the probability,
 * with both arms' failures pooled and dealt at random, that the learned arm gets at least the `learnedFailures` it
 * got (the hypergeometric upper tail). The tail is summed term by term from the observed count with the ratio of
 * consecutive terms, bounded to 100,000 terms (it stops once a term no longer changes the sum).
 */
export function failureExcessPValue(learnedFailures: number, learnedSessions: number, rulesFailures: number, rulesSessions: number): number {
  const sessions = learnedSessions + rulesSessions;
  const failures = learnedFailures + rulesFailures;
  const highest = Math.min(failures, learnedSessions);
  if (learnedSessions === 0 || learnedFailures <= Math.max(0, failures - rulesSessions)) return 1;
  let term = Math.exp(logChoose(failures, learnedFailures) + logChoose(sessions - failures, learnedSessions - learnedFailures) - logChoose(sessions, learnedSessions));
  let tail = term;
  for (let k = learnedFailures; k < highest && k - learnedFailures < 100_000; k++) {
    term *= ((failures - k) * (learnedSessions - k)) / ((k + 1) * (sessions - failures - learnedSessions + k + 1));
    if (term <= tail * 1e-15) break;
    tail += term;
  }
  return Math.min(1, tail);
}

/** The A/B fraction in effect: the persisted one, else the configured one, else the first ramp step. */
export function currentFraction(state: LearningState, rollout: RolloutConfig, configured?: number): number {
  return state.abFraction ?? configured ?? rollout.rampSteps[0]!;
}

/** The ramp step after `fraction` (null when it is at or beyond the last step). */
export function nextRampStep(fraction: number, rollout: RolloutConfig): number | null {
  for (const step of rollout.rampSteps) if (step > fraction + 1e-12) return step;
  return null;
}

function emptyArms(): Arms {
  return { learned: armStatisticsSchema.parse({}), rules: armStatisticsSchema.parse({}) };
}

/** What a requested mode change should do; `force` overrides every rollout rule. */
export interface ModeChangeRequest {
  mode: LearningMode;
  /** A/B fraction to use (only with `ab_test`). */
  fraction?: number;
  force?: boolean;
}

/**
 * Applies a mode change to `state` if the rollout rules allow it, else throws `RolloutRuleError`:
 * - `ab_test`/`production` without a deployed model are allowed (the design's guide sets them right after
 *   training): the rules then decide every session (router fallback `no-model`), and the change is logged as such.
 *   A model deployed later starts with its own `ab_test` period (see `LearningManager.deploy`);
 * - with a deployed model, `production` needs `abTestSessionsBeforeProduction` learned sessions in `ab_test` (`ab-test-period`) and the
 *   learned arm within the guardrails over the whole A/B period (`guardrails`);
 * - a higher A/B fraction moves at most one ramp step, after `sessionsPerStep` learned sessions at the current
 *   step (`ramp-step`) and within the guardrails (`guardrails`). Lowering the fraction is always allowed.
 */
export function applyModeChange(state: LearningState, request: ModeChangeRequest, rollout: RolloutConfig, currentMode: LearningMode, configuredFraction?: number): void {
  const force = request.force === true;
  const refuse = (rule: ConstructorParameters<typeof RolloutRuleError>[0]['rule'], message: string) => {
    if (!force) throw new RolloutRuleError({ rule, message });
    addStateEvent(state, `override of rule ${rule}: ${message}`);
  };
  const noModel = (request.mode === 'ab_test' || request.mode === 'production') && state.deployed === null;
  if (noModel) addStateEvent(state, `mode ${request.mode} without a deployed model: the rules decide every session until one is deployed`);
  if (request.mode === 'production' && currentMode !== 'production' && !noModel) {
    const refusal = productionRefusal(state, rollout);
    if (refusal !== null) refuse(refusal.rule, refusal.message);
  }
  if (request.mode === 'ab_test') {
    const wasAbTest = currentMode === 'ab_test';
    const from = wasAbTest ? currentFraction(state, rollout, configuredFraction) : 0;
    const target = request.fraction ?? (wasAbTest ? from : (configuredFraction ?? rollout.rampSteps[0]!));
    if (target > from + 1e-12) {
      const allowed = wasAbTest ? nextRampStep(from, rollout) : rollout.rampSteps[0]!;
      if (allowed === null || target > allowed + 1e-12) {
        refuse('ramp-step', `the A/B fraction moves one ramp step at a time (${rollout.rampSteps.join(' → ')}); from ${from} the next allowed is ${allowed ?? 'none'}, asked ${target}`);
      } else if (wasAbTest) {
        const stepSessions = state.abTest.step.learned.sessions;
        if (stepSessions < rollout.sessionsPerStep) {
          refuse('ramp-step', `ramping to ${target} needs ${rollout.sessionsPerStep} learned sessions at fraction ${from}; ${stepSessions} so far`);
        } else {
          const verdict = checkGuardrails(state.abTest.step.learned, state.abTest.total.rules, rollout.guardrails);
          if (!verdict.withinGuardrails) refuse('guardrails', `ramping refused: ${verdict.reasons.join('; ')}`);
        }
      }
    }
    if (target !== state.abFraction) state.abTest.step = emptyArms();
    state.abFraction = target;
  }
  if (request.mode !== currentMode || request.fraction !== undefined) {
    addStateEvent(state, `mode ${currentMode} → ${request.mode}${request.mode === 'ab_test' ? ` at fraction ${state.abFraction}` : ''}${force ? ' (forced)' : ''}`);
  }
  state.mode = request.mode;
}

/** One finished session's contribution to its A/B arm. */
export interface ArmObservation {
  arm: 'learned' | 'rules';
  reward: number;
  failed: boolean;
  costUsd: number;
}

function addToArm(arm: ArmStatistics, observation: ArmObservation): void {
  arm.sessions += 1;
  arm.rewardSum += observation.reward;
  arm.rewardSquaredSum = (arm.rewardSquaredSum ?? 0) + observation.reward * observation.reward;
  arm.costSum += observation.costUsd;
  arm.costSquaredSum = (arm.costSquaredSum ?? 0) + observation.costUsd * observation.costUsd;
  if (observation.failed) arm.failedSessions += 1;
}

/** What `recordArmObservation` did to the fraction. */
export type RampEvent =
  | { kind: 'none' }
  | { kind: 'ramped'; from: number; to: number }
  | { kind: 'breach'; from: number; to: number; reasons: string[] }
  /** The whole A/B period breached the guardrails: the model was withdrawn (previous model, or the rules in shadow). */
  | { kind: 'demoted'; from: string; to: string | null; reasons: string[] }
  /** `autoPromote`: the model served its A/B period within the guardrails and now acts in `production`. */
  | { kind: 'promoted'; version: string; learnedSessions: number };

/**
 * Adds a finished `ab_test` session to its arm and, with `autoRamp`, moves the fraction: up one ramp step once the
 * current step has `sessionsPerStep` learned sessions within the guardrails; back to the first step (and a logged
 * breach) when they are breached. At the last step, with `autoPromote`, it moves the model to `production` once the
 * rules of `setMode('production')` allow it (`ab-test-period` and `guardrails` over the whole A/B period).
 */
export function recordArmObservation(state: LearningState, observation: ArmObservation, rollout: RolloutConfig, configuredFraction?: number): RampEvent {
  addToArm(state.abTest.step[observation.arm], observation);
  addToArm(state.abTest.total[observation.arm], observation);
  if (observation.arm === 'learned') state.abTest.sessionsServed += 1;
  if (!rollout.autoRamp) return { kind: 'none' };
  const from = currentFraction(state, rollout, configuredFraction);
  if (state.abTest.step.learned.sessions < Math.max(1, rollout.sessionsPerStep)) return { kind: 'none' };
  const verdict = checkGuardrails(state.abTest.step.learned, state.abTest.total.rules, rollout.guardrails);
  if (!verdict.withinGuardrails) {
    if (verdict.rules.sessions === 0) return { kind: 'none' };
    // The safety net: when the whole A/B period (not only this step) is past the guardrails, the model is withdrawn.
    const total = checkGuardrails(state.abTest.total.learned, state.abTest.total.rules, rollout.guardrails);
    if (!total.withinGuardrails && state.deployed !== null) {
      const from = state.deployed.version;
      state.deployed = state.previous.pop() ?? null;
      state.abTest = { step: emptyArms(), total: emptyArms(), sessionsServed: 0, lastBreach: { at: new Date().toISOString(), reason: total.reasons.join('; ') } };
      addStateEvent(state, `demoted model ${from} after its A/B period breached the guardrails (${total.reasons.join('; ')}); now ${state.deployed?.version ?? 'the rules'}`);
      if (state.deployed === null) {
        state.mode = 'shadow';
        addStateEvent(state, 'no model left: mode shadow');
      }
      return { kind: 'demoted', from, to: state.deployed?.version ?? null, reasons: total.reasons };
    }
    const to = rollout.rampSteps[0]!;
    state.abFraction = to;
    state.abTest.step = emptyArms();
    const at = new Date().toISOString();
    state.abTest.lastBreach = { at, reason: verdict.reasons.join('; ') };
    addStateEvent(state, `guardrail breach at fraction ${from}: ${verdict.reasons.join('; ')}; back to ${to}`);
    return { kind: 'breach', from, to, reasons: verdict.reasons };
  }
  const to = nextRampStep(from, rollout);
  if (to === null) return rollout.autoPromote ? promoteWhenAllowed(state, rollout) : { kind: 'none' };
  state.abFraction = to;
  state.abTest.step = emptyArms();
  addStateEvent(state, `ramped the A/B fraction ${from} → ${to}`);
  return { kind: 'ramped', from, to };
}

/**
 * The rule that keeps a deployed model from `production` now, or null: an A/B period shorter than
 * `abTestSessionsBeforeProduction` learned sessions (`ab-test-period`), or one past the guardrails (`guardrails`).
 */
function productionRefusal(state: LearningState, rollout: RolloutConfig): { rule: 'ab-test-period' | 'guardrails'; message: string } | null {
  const served = state.abTest.sessionsServed;
  if (served < rollout.abTestSessionsBeforeProduction) {
    return { rule: 'ab-test-period', message: `production needs an ab_test period of ${rollout.abTestSessionsBeforeProduction} learned sessions; ${served} served so far` };
  }
  const verdict = checkGuardrails(state.abTest.total.learned, state.abTest.total.rules, rollout.guardrails);
  return verdict.withinGuardrails ? null : { rule: 'guardrails', message: `production refused: ${verdict.reasons.join('; ')}` };
}

/** `production` for the deployed model when the A/B period is long enough and within the guardrails (else nothing). */
function promoteWhenAllowed(state: LearningState, rollout: RolloutConfig): RampEvent {
  const deployed = state.deployed;
  if (deployed === null || (state.mode !== null && state.mode !== 'ab_test') || productionRefusal(state, rollout) !== null) return { kind: 'none' };
  const served = state.abTest.sessionsServed;
  state.mode = 'production';
  addStateEvent(state, `mode ab_test → production: model ${deployed.version} served ${served} learned sessions in ab_test within the guardrails (autoPromote)`);
  return { kind: 'promoted', version: deployed.version, learnedSessions: served };
}
