import { describe, expect, it } from 'vitest';
import { CartPole, cartPoleConstants } from './cart-pole';

describe('CartPole', () => {
  it('takes one explicit-Euler step from rest exactly as the reference arithmetic says', () => {
    const environment = new CartPole();
    environment.setState(0, 0, 0, 0);
    const step = environment.step(1);
    expect(step.observation[0]).toBe(0);
    expect(step.observation[1]).toBeCloseTo(0.19512, 5);
    expect(step.observation[2]).toBe(0);
    expect(step.observation[3]).toBeCloseTo(-0.29268, 5);
    expect(environment.state[1]).toBeCloseTo(0.02 * (10 / 1.1 + (0.05 * 14.634146341463415) / 1.1), 12);
    expect(step).toMatchObject({ reward: 1, terminated: false, truncated: false });
  });

  it('resets every component within U(-0.05, 0.05), reproducibly for a seed', () => {
    const first = new CartPole().reset(7);
    const second = new CartPole().reset(7);
    expect(Array.from(first)).toEqual(Array.from(second));
    for (const value of first) expect(Math.abs(value)).toBeLessThan(0.05);
    expect(Array.from(new CartPole().reset(8))).not.toEqual(Array.from(first));
  });

  it('terminates strictly beyond 12 degrees and ±2.4, rewarding the terminating step', () => {
    const environment = new CartPole();
    environment.setState(0, 0, cartPoleConstants.angleThreshold - 1e-9, 1);
    const fallen = environment.step(0);
    expect(fallen).toMatchObject({ reward: 1, terminated: true, truncated: false });
    expect(environment.step(0)).toMatchObject({ reward: 0, terminated: true });
    environment.setState(2.4, 0, 0, 0);
    expect(environment.step(1).terminated).toBe(false); // x stays 2.4 this step (Euler uses the old velocity)
    expect(environment.step(1).terminated).toBe(true);
  });

  it('truncates (not terminates) at the 500-step limit', () => {
    const environment = new CartPole({ maxEpisodeSteps: 500 });
    environment.reset(1);
    let last = environment.step(0);
    let steps = 1;
    // Alternate pushes by the sign of the angle and angular velocity: a simple controller that survives 500 steps.
    while (!last.terminated && !last.truncated) {
      const [, , angle, angularVelocity] = last.observation as unknown as number[];
      last = environment.step(angle! + 0.5 * angularVelocity! > 0 ? 1 : 0);
      steps += 1;
    }
    expect(steps).toBe(500);
    expect(last).toMatchObject({ truncated: true, terminated: false, reward: 1 });
  });
});
