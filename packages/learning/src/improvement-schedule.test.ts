import { describe, expect, it } from 'vitest';
import { LearningConfigError } from './errors';
import { ImprovementSchedule, type ImprovementReason } from './improvement-schedule';

/** Every session from `from` to `to` at which the schedule calls for a training, acting on each as a caller would. */
function trainingsBetween(schedule: ImprovementSchedule, from: number, to: number, challenging = false): Array<[number, ImprovementReason]> {
  const due: Array<[number, ImprovementReason]> = [];
  for (let sessions = from; sessions <= to; sessions++) {
    const reason = schedule.due(sessions);
    if (reason === null) continue;
    due.push([sessions, reason]);
    schedule.trained(sessions, { challenging, reason });
  }
  return due;
}

describe('ImprovementSchedule', () => {
  it('trains at the end of the shadow phase, then every period while nothing is deployed, never within half a period of the horizon', () => {
    const schedule = new ImprovementSchedule({ every: 400, firstAt: 500, horizon: 2000 });
    expect(trainingsBetween(schedule, 1, 2000)).toEqual([
      [500, 'first'],
      [900, 'no-model'],
      [1300, 'no-model'],
      [1700, 'no-model'],
    ]);
  });

  it('with relookEvery, calls for a re-look between trainings while a candidate explores, up to the horizon', () => {
    const schedule = new ImprovementSchedule({ every: 400, firstAt: 500, horizon: 2000, relookEvery: 100 });
    const looks: number[] = [];
    const trainings: number[] = [];
    for (let sessions = 1; sessions <= 2000; sessions++) {
      const reason = schedule.due(sessions);
      if (reason !== null) {
        trainings.push(sessions);
        // The first training finds nothing to explore; the later ones leave a candidate exploring.
        schedule.trained(sessions, { challenging: false, exploring: sessions > 500, reason });
      } else if (schedule.relookDue(sessions)) {
        looks.push(sessions);
        // The re-look at 1,500 withdraws the candidate: none until the next training.
        schedule.relooked(sessions, { exploring: sessions !== 1500 });
      }
    }
    expect(trainings).toEqual([500, 900, 1300, 1700]);
    expect(looks).toEqual([1000, 1100, 1200, 1400, 1500, 1800, 1900, 2000]);
    expect(schedule.exploring).toBe(true);
    // Without relookEvery, or once the model it challenged was demoted: none.
    const plain = new ImprovementSchedule({ every: 400, firstAt: 500 });
    plain.trained(900, { challenging: false, exploring: true });
    expect(plain.relookDue(1500)).toBe(false);
    schedule.demoted(null);
    expect(schedule.relookDue(2000)).toBe(false);
    expect(() => new ImprovementSchedule({ every: 400, firstAt: 500, relookEvery: 0 })).toThrow(/relookEvery/);
  });

  it('without a horizon it keeps training every period', () => {
    const schedule = new ImprovementSchedule({ every: 100, firstAt: 100 });
    expect(trainingsBetween(schedule, 1, 450).map(([sessions]) => sessions)).toEqual([100, 200, 300, 400]);
  });

  it('with a model in its A/B period waits two periods; in production, half a period of it and a period since the last training', () => {
    const schedule = new ImprovementSchedule({ every: 400, firstAt: 500, horizon: 10_000 });
    schedule.trained(900, { challenging: false });
    schedule.serving(900, 'v1', false);
    expect(schedule.due(1299)).toBeNull();
    expect(schedule.due(1300)).toBeNull(); // a model serves: no `no-model` retraining
    expect(schedule.due(1700)).toBe('overdue');
    schedule.trained(1100, { challenging: false });
    schedule.productionStarted(1250);
    expect(schedule.due(1449)).toBeNull();
    expect(schedule.due(1450)).toBeNull(); // half a period in production, but not a period since the last training
    schedule.trained(1000, { challenging: false });
    expect(schedule.due(1450)).toBe('production');
  });

  it('re-looks at a challenger half a period after it started, up to a quarter period before the horizon', () => {
    const schedule = new ImprovementSchedule({ every: 400, firstAt: 500, horizon: 2000 });
    schedule.serving(900, 'v1', false);
    schedule.productionStarted(1250);
    schedule.trained(1450, { challenging: true });
    expect(schedule.challengerSince).toBe(1450);
    expect(schedule.due(1649)).toBeNull();
    expect(schedule.due(1650)).toBe('challenger');
    schedule.trained(1700, { challenging: true });
    expect(schedule.due(1900)).toBe('challenger'); // 100 sessions left = a quarter period: still allowed
    schedule.trained(1710, { challenging: true });
    expect(schedule.due(1910)).toBeNull(); // 90 sessions left: too close to the end
    schedule.trained(1710, { challenging: false });
    expect(schedule.challengerSince).toBeNull();
  });

  it('retrains half a period after a change for the worse, once, and forgets it when that training ran', () => {
    const schedule = new ImprovementSchedule({ every: 400, firstAt: 500, horizon: 10_000 });
    schedule.trained(500, { challenging: false });
    schedule.serving(500, 'v1', false);
    expect(schedule.degraded(601)).toBe(true);
    expect(schedule.degraded(650)).toBe(false); // one is pending already
    expect(schedule.retrainAfterDriftAt).toBe(801);
    expect(schedule.due(800)).toBeNull();
    expect(schedule.due(801)).toBe('drift');
    schedule.trained(801, { challenging: false, reason: 'drift' });
    expect(schedule.retrainAfterDriftAt).toBeNull();
    expect(schedule.due(802)).toBeNull();
  });

  it('a demotion puts the previous model (or the rules) back and drops the challenger', () => {
    const schedule = new ImprovementSchedule({ every: 400, firstAt: 500 });
    schedule.serving(900, 'v2', true);
    schedule.trained(1000, { challenging: true });
    schedule.demoted(null);
    expect([schedule.model, schedule.productionSince, schedule.challengerSince]).toEqual([null, null, null]);
    expect(schedule.due(1399)).toBeNull();
    expect(schedule.due(1400)).toBe('no-model');
  });

  it('refuses bad options with a typed one-line error naming the field', () => {
    const bad = () => new ImprovementSchedule({ every: 0, firstAt: 500 });
    expect(bad).toThrow(LearningConfigError);
    expect(bad).toThrow(/at every: .*>=\s*1/);
    expect(() => new ImprovementSchedule({ every: 400, firstAt: 500, horizon: 1.5 })).toThrow(/at horizon/);
    expect(() => new ImprovementSchedule({ every: 400, firstAt: 500, extra: 1 } as never)).toThrow(LearningConfigError);
  });
});
