import { ActionSpace } from '@orchestra/learning-features';
import type { Action } from '@orchestra/learning-types';
import { describe, expect, it } from 'vitest';
import { ConstraintConfigurationError } from '../errors/constraint-configuration-error';
import { makeInput } from '../test-support/inputs';
import { SafetyGuard, type SafetyGuardEvent } from './safety-guard';

const unsafe: Action = {
  skills: [],
  agents: ['executor'],
  approach: 'parallel',
  parallelism: 4,
  timeoutMultiplier: 1,
  retryStrategy: 'retry_with_backoff',
  safetyLevel: 'permissive',
  models: { executor: 'glm-4.7' },
};

describe('SafetyGuard', () => {
  it.each([
    ['high-risk-not-permissive', makeInput({ context: { risk: 'high' } }), 'safety', 'permissive', 'strict'],
    ['security-not-permissive', makeInput({ context: { taskType: 'security', risk: 'low' } }), 'safety', 'permissive', 'strict'],
    ['security-needs-auditor', makeInput({ context: { domains: ['api', 'security'], risk: 'low' } }), 'team', 'executor', 'executor+auditor'],
    ['high-risk-complex-needs-auditor', makeInput({ context: { risk: 'high', complexity: 'complex' } }), 'team', 'executor', 'executor+auditor'],
    ['overload-caps-parallelism', makeInput({ system: { load: 0.95 } }), 'parallelism', '4', '2'],
  ] as const)('enforces %s: detects the violation and repairs it', (constraintId, input, head, from, to) => {
    const events: SafetyGuardEvent[] = [];
    const guard = new SafetyGuard({ onEvent: (event) => events.push(event) });
    expect(guard.checkAction(unsafe, input).map((violation) => violation.constraintId)).toContain(constraintId);
    const { action, repairs } = guard.repairAction(unsafe, input);
    expect(repairs).toContainEqual({ type: 'repaired', constraintId, head, from, to });
    expect(guard.checkAction(action, input)).toEqual([]);
    expect(events.filter((event) => event.constraintId === constraintId)).toHaveLength(1);
    expect(guard.statistics().repaired[constraintId]).toBe(1);
  });

  it('leaves a safe action and the models of roles it adds alone', () => {
    const guard = new SafetyGuard();
    const input = makeInput({ context: { taskType: 'security', risk: 'low' } });
    const { action, repairs } = guard.repairAction({ ...unsafe, parallelism: 1, approach: 'direct' }, input);
    expect(repairs.map((repair) => repair.constraintId)).toEqual(['security-not-permissive', 'security-needs-auditor']);
    expect(action.agents).toEqual(['executor', 'auditor']);
    expect(action.models).toEqual({ executor: 'glm-4.7', auditor: 'glm-4.7' });
    const safe = guard.repairAction(action, input);
    expect(safe.repairs).toEqual([]);
    expect(safe.action).toBe(action);
  });

  it('applies no constraint to a low-risk, non-security task under normal load', () => {
    const guard = new SafetyGuard();
    expect(guard.activeConstraints(makeInput({ context: { risk: 'low' } }))).toBe(0);
    expect(guard.checkAction(unsafe, makeInput({ context: { risk: 'low' } }))).toEqual([]);
  });

  it('masks forbidden choices together with the action space masks', () => {
    const guard = new SafetyGuard();
    const active = guard.activeConstraints(makeInput({ context: { risk: 'high', complexity: 'complex' } }));
    const out = new Uint8Array(8);
    expect(guard.allowedChoices(4, [0, 0, 0, 0, 0], active, out)).toBe(2);
    expect(Array.from(out.subarray(0, 3))).toEqual([1, 1, 0]);
    expect(guard.allowedChoices(5, [0, 0, 0, 0, 0], active, out)).toBe(4);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 0, 0, 1, 1]);
    // Parallelism above 1 needs a parallel approach (action-space mask), whatever the constraints.
    expect(guard.allowedChoices(1, [0], active, out)).toBe(1);
  });

  it('refuses constraint sets that could forbid every choice, and unknown labels', () => {
    const base = { kind: 'forbid', description: '', when: {}, head: 'safety' } as const;
    expect(
      () =>
        new SafetyGuard({
          constraints: [
            { ...base, id: 'a', labels: ['strict', 'balanced'], repairTo: 'permissive' },
            { ...base, id: 'b', labels: ['permissive'], repairTo: 'strict' },
          ],
        }),
    ).toThrow(ConstraintConfigurationError);
    expect(() => new SafetyGuard({ constraints: [{ ...base, id: 'c', labels: ['reckless'], repairTo: 'strict' }] })).toThrow(/no choice "reckless"/);
    expect(() => new SafetyGuard({ constraints: [{ ...base, id: 'd', head: 'parallelism', labels: ['1'], repairTo: '2' }] })).toThrow(ConstraintConfigurationError);
  });

  it('keeps deciding when the event callback throws', () => {
    const guard = new SafetyGuard({
      space: new ActionSpace(),
      onEvent: () => {
        throw new Error('logger down');
      },
    });
    expect(guard.repairAction(unsafe, makeInput({ context: { risk: 'high' } })).action.safetyLevel).toBe('strict');
  });
});
