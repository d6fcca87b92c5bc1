import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { rolloutConfigSchema } from './config';
import { RolloutRuleError } from './errors';
import { emptyLearningState, type LearningState } from './learning-state';
import { applyModeChange, checkGuardrails, failureExcessPValue, recordArmObservation } from './rollout';

const rollout = rolloutConfigSchema.parse({ sessionsPerStep: 3, abTestSessionsBeforeProduction: 6 });

function deployedState(): LearningState {
  const state = emptyLearningState();
  state.deployed = { version: 'v1', directory: '/d', source: '/s', deployedAt: '2026-11-25T18:00:00.000Z', beatsRules: true, forced: false, estimate: null };
  return state;
}

function ruleOf(action: () => void): string {
  const error = caughtError(action);
  if (error === undefined) return 'allowed';
  if (RolloutRuleError.isInstance(error)) return error.rule;
  throw error;
}

describe('guardrails', () => {
  it('passes a learned arm as good as the rules and names each breached guardrail', () => {
    const fixed = { ...rollout.guardrails, standardErrors: 0 };
    const rules = { sessions: 10, rewardSum: 1000, failedSessions: 1, costSum: 1, rewardSquaredSum: 0, costSquaredSum: 0 };
    expect(checkGuardrails({ sessions: 10, rewardSum: 990, failedSessions: 1, costSum: 1.05, rewardSquaredSum: 0, costSquaredSum: 0 }, rules, fixed).withinGuardrails).toBe(true);
    const verdict = checkGuardrails({ sessions: 10, rewardSum: 800, failedSessions: 4, costSum: 2, rewardSquaredSum: 0, costSquaredSum: 0 }, rules, fixed);
    expect(verdict.withinGuardrails).toBe(false);
    expect(verdict.reasons).toHaveLength(3);
    expect(verdict.reasons.join(' ')).toMatch(/mean reward.*error rate.*mean cost/);
  });

  it('sizes the thresholds to the sample: the same drop breaches over 400 sessions per arm, not over 10', () => {
    // Rewards with a standard deviation of 100 (±100 around the mean), a 20-point drop in the learned arm.
    const arm = (sessions: number, mean: number) => ({
      sessions,
      rewardSum: sessions * mean,
      rewardSquaredSum: sessions * (mean * mean + 100 * 100),
      failedSessions: 0,
      costSum: sessions * 0.1,
      costSquaredSum: sessions * 0.01,
    });
    expect(checkGuardrails(arm(10, 80), arm(10, 100), rollout.guardrails).withinGuardrails).toBe(true);
    const verdict = checkGuardrails(arm(400, 80), arm(400, 100), rollout.guardrails);
    expect(verdict.withinGuardrails).toBe(false);
    expect(verdict.reasons[0]).toMatch(/mean reward 80\.00 is more than 5 below the rules' 100\.00 \(2\.8 standard errors\)/);
    expect(verdict.learned.rewardVariance).toBeCloseTo((400 * 100 * 100) / 399, 6);
  });

  it('judges an excess of failed sessions by an exact test: a few rare failures are not a breach, a sustained excess is', () => {
    // Fisher's exact one-sided p-values (scipy.stats.fisher_exact, alternative 'greater').
    expect(failureExcessPValue(3, 40, 5, 256)).toBeCloseTo(0.079004, 5);
    expect(failureExcessPValue(30, 400, 8, 400)).toBeCloseTo(0.00017289, 7);
    expect(failureExcessPValue(6, 6, 0, 20)).toBeCloseTo(4.3435e-6, 9);
    expect(failureExcessPValue(0, 40, 5, 256)).toBe(1);
    expect(failureExcessPValue(0, 0, 5, 256)).toBe(1);
    const arm = (sessions: number, failed: number) => ({ sessions, rewardSum: sessions * 100, rewardSquaredSum: sessions * 100 * 100 + sessions, failedSessions: failed, costSum: sessions * 0.1, costSquaredSum: sessions * 0.01 + sessions * 1e-6 });
    // 7.5 % against 2.0 %: past the 5-point threshold, 2.0 standard errors by the normal approximation, p 0.079 exactly.
    expect(checkGuardrails(arm(40, 3), arm(256, 5), rollout.guardrails).withinGuardrails).toBe(true);
    const sustained = checkGuardrails(arm(400, 30), arm(400, 8), rollout.guardrails);
    expect(sustained.withinGuardrails).toBe(false);
    expect(sustained.reasons).toEqual(["error rate 7.5 % exceeds the rules' 2.0 % by more than 5.0 points"]);
    // Within the threshold it never breaches, however significant.
    expect(checkGuardrails(arm(4000, 240), arm(4000, 80), rollout.guardrails).withinGuardrails).toBe(true);
  });

  it('cannot pass without a rules arm to compare with', () => {
    const empty = { sessions: 0, rewardSum: 0, failedSessions: 0, costSum: 0, rewardSquaredSum: 0, costSquaredSum: 0 };
    expect(checkGuardrails({ ...empty, sessions: 5, rewardSum: 500 }, empty, rollout.guardrails).withinGuardrails).toBe(false);
  });
});

describe('mode changes', () => {
  it('allows learned modes without a deployed model (the rules decide), and logs that', () => {
    const state = emptyLearningState();
    applyModeChange(state, { mode: 'ab_test' }, rollout, 'shadow');
    expect(state.mode).toBe('ab_test');
    applyModeChange(state, { mode: 'production' }, rollout, 'ab_test');
    expect(state.mode).toBe('production');
    expect(state.events.filter((event) => event.message.includes('without a deployed model'))).toHaveLength(2);
    // With a model, production still needs its A/B period.
    expect(ruleOf(() => applyModeChange(deployedState(), { mode: 'production' }, rollout, 'ab_test'))).toBe('ab-test-period');
  });

  it('enters ab_test at the first ramp step and refuses to jump steps', () => {
    const state = deployedState();
    expect(ruleOf(() => applyModeChange(state, { mode: 'ab_test', fraction: 0.5 }, rollout, 'shadow'))).toBe('ramp-step');
    applyModeChange(state, { mode: 'ab_test' }, rollout, 'shadow');
    expect(state).toMatchObject({ mode: 'ab_test', abFraction: 0.1 });
    expect(ruleOf(() => applyModeChange(state, { mode: 'ab_test', fraction: 0.25 }, rollout, 'ab_test'))).toBe('ramp-step');
    applyModeChange(state, { mode: 'ab_test', fraction: 0.05 }, rollout, 'ab_test');
    expect(state.abFraction).toBe(0.05);
  });

  it('refuses production before the ab_test period, and on a guardrail breach', () => {
    const state = deployedState();
    state.mode = 'ab_test';
    expect(ruleOf(() => applyModeChange(state, { mode: 'production' }, rollout, 'ab_test'))).toBe('ab-test-period');
    state.abTest.sessionsServed = 6;
    state.abTest.total.learned = { sessions: 6, rewardSum: 0, failedSessions: 6, costSum: 0, rewardSquaredSum: 0, costSquaredSum: 0 };
    state.abTest.total.rules = { sessions: 20, rewardSum: 2000, failedSessions: 0, costSum: 0, rewardSquaredSum: 0, costSquaredSum: 0 };
    expect(ruleOf(() => applyModeChange(state, { mode: 'production' }, rollout, 'ab_test'))).toBe('guardrails');
    state.abTest.total.learned = { sessions: 6, rewardSum: 600, failedSessions: 0, costSum: 0, rewardSquaredSum: 0, costSquaredSum: 0 };
    expect(ruleOf(() => applyModeChange(state, { mode: 'production' }, rollout, 'ab_test'))).toBe('allowed');
    expect(state.mode).toBe('production');
  });
});

describe('automatic ramp', () => {
  it('ramps 10 → 25 → 50 → 100 while within the guardrails, one step per sessionsPerStep learned sessions', () => {
    const state = deployedState();
    applyModeChange(state, { mode: 'ab_test' }, rollout, 'shadow');
    const fractions: number[] = [];
    for (let index = 0; index < 40; index += 1) {
      recordArmObservation(state, { arm: 'rules', reward: 100, failed: false, costUsd: 0.1 }, rollout);
      const event = recordArmObservation(state, { arm: 'learned', reward: 110, failed: false, costUsd: 0.05 }, rollout);
      if (event.kind === 'ramped') fractions.push(event.to);
    }
    expect(fractions).toEqual([0.25, 0.5, 1]);
    expect(state.abTest.sessionsServed).toBe(40);
  });

  it('goes back to the first step when a step breaches but the whole A/B period does not, and logs it', () => {
    const state = deployedState();
    applyModeChange(state, { mode: 'ab_test' }, rollout, 'shadow');
    for (let index = 0; index < 30; index += 1) {
      recordArmObservation(state, { arm: 'rules', reward: 100, failed: false, costUsd: 0.1 }, rollout);
      recordArmObservation(state, { arm: 'learned', reward: 110, failed: false, costUsd: 0.1 }, rollout);
    }
    applyModeChange(state, { mode: 'ab_test', fraction: 0.5 }, rollout, 'ab_test');
    let last = recordArmObservation(state, { arm: 'learned', reward: -100, failed: false, costUsd: 0.1 }, rollout);
    last = recordArmObservation(state, { arm: 'learned', reward: -100, failed: false, costUsd: 0.1 }, rollout);
    last = recordArmObservation(state, { arm: 'learned', reward: -100, failed: false, costUsd: 0.1 }, rollout);
    expect(last.kind).toBe('breach');
    expect(state.abFraction).toBe(0.1);
    expect(state.deployed?.version).toBe('v1');
    expect(state.abTest.lastBreach?.reason).toMatch(/mean reward/);
  });

  it('withdraws the model when the whole A/B period breaches the guardrails (the safety net)', () => {
    const state = deployedState();
    state.previous.push({ ...state.deployed!, version: 'v0' });
    applyModeChange(state, { mode: 'ab_test' }, rollout, 'shadow');
    for (let index = 0; index < 5; index += 1) recordArmObservation(state, { arm: 'rules', reward: 100 + (index % 2) * 10, failed: false, costUsd: 0.1 }, rollout);
    let last = recordArmObservation(state, { arm: 'learned', reward: -100, failed: true, costUsd: 0.1 }, rollout);
    last = recordArmObservation(state, { arm: 'learned', reward: -90, failed: true, costUsd: 0.1 }, rollout);
    last = recordArmObservation(state, { arm: 'learned', reward: -100, failed: true, costUsd: 0.1 }, rollout);
    expect(last).toMatchObject({ kind: 'demoted', from: 'v1', to: 'v0' });
    expect(state.deployed?.version).toBe('v0');
    expect(state.events.some((event) => event.message.startsWith('demoted model v1'))).toBe(true);
    // With no previous model the rules take over in shadow.
    applyModeChange(state, { mode: 'ab_test' }, rollout, 'shadow');
    for (let index = 0; index < 5; index += 1) recordArmObservation(state, { arm: 'rules', reward: 100 + (index % 2) * 10, failed: false, costUsd: 0.1 }, rollout);
    for (let index = 0; index < 3; index += 1) last = recordArmObservation(state, { arm: 'learned', reward: -100 + index, failed: true, costUsd: 0.1 }, rollout);
    expect(last).toMatchObject({ kind: 'demoted', from: 'v0', to: null });
    expect(state.deployed).toBeNull();
    expect(state.mode).toBe('shadow');
  });

  it('with autoPromote, moves the model to production once its A/B period at the last step allows it, not before', () => {
    const promoting = rolloutConfigSchema.parse({ sessionsPerStep: 10, abTestSessionsBeforeProduction: 60, autoPromote: true });
    const state = deployedState();
    applyModeChange(state, { mode: 'ab_test' }, promoting, 'shadow');
    const events: Array<{ at: number; kind: string }> = [];
    for (let index = 0; index < 80; index += 1) {
      recordArmObservation(state, { arm: 'rules', reward: 100 + (index % 2) * 10, failed: false, costUsd: 0.1 }, promoting);
      const event = recordArmObservation(state, { arm: 'learned', reward: 110 + (index % 2) * 10, failed: false, costUsd: 0.05 }, promoting);
      if (event.kind !== 'none') events.push({ at: state.abTest.sessionsServed, kind: event.kind });
      if (event.kind === 'promoted') expect(event).toEqual({ kind: 'promoted', version: 'v1', learnedSessions: 60 });
    }
    // Ramped at 10, 20, 30 learned sessions; at 100 % from 30 on, production when the period reaches 60.
    expect(events).toEqual([
      { at: 10, kind: 'ramped' },
      { at: 20, kind: 'ramped' },
      { at: 30, kind: 'ramped' },
      { at: 60, kind: 'promoted' },
    ]);
    expect(state.mode).toBe('production');
    expect(state.events.some((event) => /ab_test → production: model v1 served 60 learned sessions/.test(event.message))).toBe(true);
  });

  it('with autoPromote, never promotes an A/B period past the guardrails, nor without autoPromote', () => {
    const promoting = rolloutConfigSchema.parse({ sessionsPerStep: 10, abTestSessionsBeforeProduction: 60, autoPromote: true, rampSteps: [1] });
    const arm = (sessions: number, reward: number, costUsd: number) => ({ sessions, rewardSum: sessions * reward, failedSessions: 0, costSum: sessions * costUsd, rewardSquaredSum: sessions * reward ** 2, costSquaredSum: sessions * costUsd ** 2 });
    const state = deployedState();
    applyModeChange(state, { mode: 'ab_test' }, promoting, 'shadow');
    // The last step is within the guardrails, the whole period is not: its mean cost is 3 × the rules'.
    state.abTest = { ...state.abTest, sessionsServed: 70, step: { learned: arm(20, 100, 0.05), rules: arm(0, 0, 0) }, total: { learned: arm(70, 100, 0.3), rules: arm(20, 100, 0.1) } };
    expect(recordArmObservation(state, { arm: 'learned', reward: 100, failed: false, costUsd: 0.05 }, promoting).kind).toBe('none');
    expect(state.mode).toBe('ab_test');
    // The same period at the rules' cost is promoted.
    state.abTest.total.learned = arm(70, 100, 0.1);
    expect(recordArmObservation(state, { arm: 'learned', reward: 100, failed: false, costUsd: 0.05 }, promoting)).toEqual({ kind: 'promoted', version: 'v1', learnedSessions: 72 });
    expect(state.mode).toBe('production');
    const plain = deployedState();
    const manual = rolloutConfigSchema.parse({ sessionsPerStep: 10, abTestSessionsBeforeProduction: 20, rampSteps: [1] });
    applyModeChange(plain, { mode: 'ab_test' }, manual, 'shadow');
    for (let index = 0; index < 40; index += 1) {
      recordArmObservation(plain, { arm: 'rules', reward: 100, failed: false, costUsd: 0.1 }, manual);
      expect(recordArmObservation(plain, { arm: 'learned', reward: 110, failed: false, costUsd: 0.1 }, manual).kind).toBe('none');
    }
    expect(plain.mode).toBe('ab_test');
  });

  it('does nothing with autoRamp off', () => {
    const manual = rolloutConfigSchema.parse({ sessionsPerStep: 1, autoRamp: false });
    const state = deployedState();
    applyModeChange(state, { mode: 'ab_test' }, manual, 'shadow');
    recordArmObservation(state, { arm: 'rules', reward: 1, failed: false, costUsd: 0 }, manual);
    expect(recordArmObservation(state, { arm: 'learned', reward: 1, failed: false, costUsd: 0 }, manual).kind).toBe('none');
    expect(state.abFraction).toBe(0.1);
  });
});
