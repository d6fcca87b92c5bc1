import { ImprovementSchedule } from '@orchestra/learning';
import { describe, expect, it } from 'vitest';
import { countSession, type DemoRun } from './demo-run';

/** The fields of a run that `countSession` reads and moves (the rest of a run is not needed here). */
function runServing(model: string): DemoRun {
  const messages: string[] = [];
  const schedule = new ImprovementSchedule({ every: 1000, firstAt: 2500, horizon: 10_000 });
  schedule.serving(7000, model, true);
  schedule.trained(7500, { challenging: true });
  return {
    sessionsSeen: 8000,
    schedule,
    learnedSessionsInAbTotal: 0,
    phaseRewards: { shadow: [], ab_test: [], production: [] },
    rampEvents: [],
    timeline: [],
    progress: (_phase: string, message: string) => messages.push(message),
  } as unknown as DemoRun;
}

describe('countSession', () => {
  it('follows a demotion by the rollout: the rules serve again, so the schedule retrains as without a model', () => {
    const run = runServing('demo-v2');
    countSession(run, 'ab_test', 'learned', { experience: null, reward: 90, ramp: { kind: 'demoted', from: 'demo-v2', to: null, reasons: ['mean cost 0.69 USD exceeds 1.1 × the rules’ 0.43 USD'] } });
    expect(run.schedule.model).toBeNull();
    expect(run.schedule.challengerSince).toBeNull();
    expect(run.schedule.productionSince).toBeNull();
    expect(run.schedule.due(8499)).toBeNull();
    expect(run.schedule.due(8500)).toBe('no-model');
    expect(run.timeline).toEqual([{ session: 8000, kind: 'breach', message: expect.stringMatching(/model demo-v2 demoted: .*mean cost 0\.69 USD.*now the rules \(shadow\)/) }]);
    expect(run.rampEvents).toHaveLength(1);
  });

  it('a demotion back to the previous model leaves that model serving', () => {
    const run = runServing('demo-v3');
    countSession(run, 'ab_test', 'learned', { experience: null, reward: 90, ramp: { kind: 'demoted', from: 'demo-v3', to: 'demo-v2', reasons: ['mean reward 80.00 is more than 5 below the rules’ 120.00'] } });
    expect(run.schedule.model).toBe('demo-v2');
  });

  it('follows a promotion by the library (rollout.autoPromote): production starts for the schedule and on the ramp log', () => {
    const run = runServing('demo-v2');
    const schedule = new ImprovementSchedule({ every: 1000, firstAt: 2500, horizon: 10_000 });
    schedule.serving(7000, 'demo-v2', false);
    Object.assign(run, { schedule });
    countSession(run, 'ab_test', 'learned', { experience: null, reward: 90, ramp: { kind: 'promoted', version: 'demo-v2', learnedSessions: 500 } });
    expect(run.schedule.productionSince).toBe(8000);
    expect(run.rampEvents).toEqual(['after 8000 sessions: production (500 learned sessions served in ab_test)']);
    expect(run.learnedSessionsInAbTotal).toBe(1);
  });
});

