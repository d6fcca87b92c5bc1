import { SeededRandom } from '../networks/seeded-random';
import type { Environment, EnvironmentAction, EnvironmentStep } from './environment';

/** The classic CartPole constants (Gymnasium `CartPoleEnv`, v1 registration). */
export const cartPoleConstants = {
  gravity: 9.8,
  cartMass: 1.0,
  poleMass: 0.1,
  totalMass: 1.1,
  /** Half the pole's length. */
  halfPoleLength: 0.5,
  poleMassLength: 0.05,
  forceMagnitude: 10.0,
  timeStep: 0.02,
  /** 12 degrees in radians. */
  angleThreshold: (12 * 2 * Math.PI) / 360,
  positionThreshold: 2.4,
  maxEpisodeSteps: 500,
  rewardThreshold: 475,
} as const;

/** Options of a CartPole environment. */
export interface CartPoleOptions {
  /** Seed of the reset distribution when `reset` is called without one. */
  seed?: number;
  /** Time limit (the TimeLimit wrapper of `gymnasium.make`): 500 for CartPole-v1. */
  maxEpisodeSteps?: number;
}

/**
 * CartPole-v1 exactly as Gymnasium defines it: explicit Euler integration with τ = 0.02 s, force ±10, termination
 * when |x| > 2.4 or |θ| > 12° (strict, checked after the update), +1 reward on every step including the last, the
 * episode truncated at 500 steps, and reset to four independent draws from U(−0.05, 0.05). The state is float64;
 * observations are its float32 cast.
 */
export class CartPole implements Environment {
  readonly observationSize = 4;
  readonly actionHeads = [2] as const;
  /** Position, velocity, angle, angular velocity (float64). */
  readonly state = new Float64Array(4);
  private random: SeededRandom;
  private steps = 0;
  private done = true;
  private readonly maxEpisodeSteps: number;

  constructor(options: CartPoleOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 0);
    this.maxEpisodeSteps = options.maxEpisodeSteps ?? cartPoleConstants.maxEpisodeSteps;
  }

  reset(seed?: number): Float32Array {
    if (seed !== undefined) this.random = new SeededRandom(seed);
    for (let index = 0; index < 4; index++) this.state[index] = this.random.uniform(-0.05, 0.05);
    this.steps = 0;
    this.done = false;
    return Float32Array.from(this.state);
  }

  /** Sets the state directly (for tests and checks of the dynamics). */
  setState(position: number, velocity: number, angle: number, angularVelocity: number): void {
    this.state.set([position, velocity, angle, angularVelocity]);
    this.steps = 0;
    this.done = false;
  }

  step(action: EnvironmentAction): EnvironmentStep {
    const choice = typeof action === 'number' ? action : action[0];
    if (choice !== 0 && choice !== 1) throw new RangeError(`CartPole action must be 0 or 1, got ${String(choice)}`);
    if (this.done) {
      // Gymnasium warns and returns reward 0 when stepping a finished episode.
      return { observation: Float32Array.from(this.state), reward: 0, terminated: true, truncated: false };
    }
    const constants = cartPoleConstants;
    const [position, velocity, angle, angularVelocity] = this.state as unknown as [number, number, number, number];
    const force = choice === 1 ? constants.forceMagnitude : -constants.forceMagnitude;
    const cosine = Math.cos(angle);
    const sine = Math.sin(angle);
    const temporary = (force + constants.poleMassLength * angularVelocity * angularVelocity * sine) / constants.totalMass;
    const angularAcceleration =
      (constants.gravity * sine - cosine * temporary) /
      (constants.halfPoleLength * (4 / 3 - (constants.poleMass * cosine * cosine) / constants.totalMass));
    const acceleration = temporary - (constants.poleMassLength * angularAcceleration * cosine) / constants.totalMass;
    // Explicit Euler: every right-hand side uses the values from before the step.
    this.state[0] = position + constants.timeStep * velocity;
    this.state[1] = velocity + constants.timeStep * acceleration;
    this.state[2] = angle + constants.timeStep * angularVelocity;
    this.state[3] = angularVelocity + constants.timeStep * angularAcceleration;
    this.steps += 1;
    const newPosition = this.state[0]!;
    const newAngle = this.state[2]!;
    const terminated =
      newPosition < -constants.positionThreshold ||
      newPosition > constants.positionThreshold ||
      newAngle < -constants.angleThreshold ||
      newAngle > constants.angleThreshold;
    const truncated = !terminated && this.steps >= this.maxEpisodeSteps;
    this.done = terminated || truncated;
    return { observation: Float32Array.from(this.state), reward: 1, terminated, truncated };
  }
}
