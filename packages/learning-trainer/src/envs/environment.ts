/** What one environment step returns (the Gymnasium step contract). */
export interface EnvironmentStep {
  observation: Float32Array;
  reward: number;
  /** The episode ended inside the task (e.g. the pole fell): no value beyond this step. */
  terminated: boolean;
  /** The episode was cut short from outside (a time limit): the state still has a value to bootstrap from. */
  truncated: boolean;
}

/** An action: one index per action head (a single-head environment also accepts a plain number). */
export type EnvironmentAction = number | ArrayLike<number>;

/**
 * The small environment interface online A2C trains against. `reset(seed)` starts an episode (re-seeding the
 * environment when a seed is given) and returns the first observation; `step` advances one step.
 */
export interface Environment {
  /** Length of every observation. */
  readonly observationSize: number;
  /** Number of choices of each action head (CartPole: `[2]`). */
  readonly actionHeads: readonly number[];
  reset(seed?: number): Float32Array;
  step(action: EnvironmentAction): EnvironmentStep;
}
