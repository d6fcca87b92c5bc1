import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { ADAPTIVE_EXPLORATION_FROM, adaptiveExplorationFor, DemoArgumentError, learnedServing, parseDemoArguments, servedEpsilonOf, validateDemoOptions } from './demo-options';

describe('parseDemoArguments', () => {
  it('fills in the defaults', () => {
    expect(parseDemoArguments([])).toMatchObject({ sessions: 2000, seed: 1, json: false, evaluationTasks: 1000, exploration: 0.3, oracleWorker: true, explorationDesign: 'one', switchProbability: 0.35 });
    // Unset: the run's budget decides (`adaptiveExplorationFor`).
    expect(parseDemoArguments([])?.adaptiveExploration).toBeUndefined();
  });

  it('reads every flag (and ignores the -- pnpm passes through)', () => {
    const options = parseDemoArguments(['--', '--world', 'w.json', '--sessions', '5000', '--seed', '7', '--json', '--data-dir', 'd', '--eval-tasks', '200', '--exploration', '0.2', '--retrain-every', '400', '--relook-every', '50', '--relook-logs', '900', '--no-oracle-worker', '--candidate-share', '0.3', '--learned-exploration', '0.2', '--adaptive-exploration', 'on', '--gate-error-budget', 'run', '--exploration-design', 'factorial', '--switch-probability', '0.25', '--trainer-config', '{"offline":{"validationFraction":0.4}}']);
    expect(options).toMatchObject({ world: 'w.json', sessions: 5000, seed: 7, json: true, dataDir: 'd', evaluationTasks: 200, exploration: 0.2, retrainEvery: 400, relookEvery: 50, relookLogs: 900, oracleWorker: false, candidateShare: 0.3, learnedExploration: 0.2, adaptiveExploration: 'on', gateErrorBudget: 'run', explorationDesign: 'factorial', switchProbability: 0.25, trainerConfig: { offline: { validationFraction: 0.4 } } });
  });

  it('returns null for --help', () => {
    expect(parseDemoArguments(['-h'])).toBeNull();
  });

  it('names the bad flag', () => {
    const attempts: Array<[string[], RegExp]> = [
      [['--sessions', 'x'], /--sessions expects a number/],
      [['--sessions', '2.5'], /sessions/],
      [['--seed', '-1'], /seed/],
      [['--exploration', '2'], /exploration/],
      [['--candidate-share', '0.8'], /candidateShare/],
      [['--relook-every', '2.5'], /relookEvery/],
      [['--relook-logs', '2.5'], /relookLogs/],
      [['--learned-exploration', '1.5'], /learnedExploration/],
      [['--trainer-config', '{oops'], /--trainer-config expects a JSON object/],
      [['--trainer-config', '[1]'], /--trainer-config expects a JSON object/],
      [['--adaptive-exploration', 'yes'], /adaptiveExploration/],
      [['--gate-error-budget', 'none'], /gateErrorBudget/],
      [['--exploration-design', 'many'], /explorationDesign/],
      [['--switch-probability', '0'], /switchProbability/],
      [['--unknown'], /unknown/i],
    ];
    for (const [argv, message] of attempts) {
      const caught = caughtError(() => parseDemoArguments(argv));
      expect(DemoArgumentError.isInstance(caught)).toBe(true);
      expect((caught as Error).message).toMatch(message);
    }
  });

  it('takes the code-only session spacing and refuses a negative or infinite one', () => {
    expect(validateDemoOptions({}).sessionSpacingMs).toBeUndefined();
    expect(validateDemoOptions({ sessionSpacingMs: 1 }).sessionSpacingMs).toBe(1);
    expect(() => validateDemoOptions({ sessionSpacingMs: -1 })).toThrow(/sessionSpacingMs/);
    expect(() => validateDemoOptions({ sessionSpacingMs: Number.POSITIVE_INFINITY })).toThrow(/sessionSpacingMs/);
  });
});

describe('adaptiveExplorationFor', () => {
  it('weighs the exploration by the critic from 10,000 sessions unless the flag says otherwise', () => {
    expect(ADAPTIVE_EXPLORATION_FROM).toBe(10_000);
    expect(adaptiveExplorationFor(undefined, 2000)).toBe(false);
    expect(adaptiveExplorationFor(undefined, 9999)).toBe(false);
    expect(adaptiveExplorationFor(undefined, 10_000)).toBe(true);
    expect(adaptiveExplorationFor('off', 10_000)).toBe(false);
    expect(adaptiveExplorationFor('on', 2000)).toBe(true);
  });
});

describe('learnedServing', () => {
  it("serves argmax with the rules' ε unless the learned policy has its own, and no ε when it samples", () => {
    expect(learnedServing(validateDemoOptions({}))).toEqual({ selection: 'argmax', epsilon: 0.3 });
    expect(learnedServing(validateDemoOptions({ exploration: 0.2 }))).toEqual({ selection: 'argmax', epsilon: 0.2 });
    expect(learnedServing(validateDemoOptions({ exploration: 0.2, learnedExploration: 0 }))).toEqual({ selection: 'argmax', epsilon: 0 });
    expect(learnedServing(validateDemoOptions({ learnedSelection: 'sample', learnedExploration: 0.1 }))).toEqual({ selection: 'sample' });
    expect(servedEpsilonOf(validateDemoOptions({ learnedExploration: 0.1 }))).toBe(0.1);
    expect(servedEpsilonOf(validateDemoOptions({ learnedSelection: 'sample' }))).toBeNull();
  });
});
