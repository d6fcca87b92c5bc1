import { parseTrainerConfig, type TrainerConfig, type TrainerConfigInput } from '../config/trainer-config';
import type { Environment } from '../envs/environment';
import { ActorCritic } from '../networks/actor-critic';
import { policyLossAndGradient, selectActions } from '../networks/factorised-policy';
import { SeededRandom } from '../networks/seeded-random';

/** Progress of online A2C, reported after every update. */
export interface A2cProgress {
  update: number;
  totalUpdates: number;
  environmentSteps: number;
  /** Mean return of the last (up to) 100 finished training episodes; NaN before the first one ends. */
  meanEpisodeReturn: number;
  episodes: number;
  policyLoss: number;
  valueLoss: number;
  entropy: number;
  /** Actor gradient norm before clipping. */
  gradientNorm: number;
}

/** Options of `trainA2c`. */
export interface TrainA2cOptions {
  /** Makes environment number `index` of the `config.a2c.environments` stepped together. */
  createEnvironment: (index: number) => Environment;
  config?: TrainerConfigInput;
  /** Number of updates (each of `environments × nSteps` transitions). */
  updates: number;
  /** Called after every update. */
  onProgress?: (progress: A2cProgress) => void;
  /** Called after every update; return true to stop early (e.g. once an evaluation passes). */
  shouldStop?: (progress: A2cProgress, model: ActorCritic) => boolean;
}

/** What `trainA2c` returns. */
export interface TrainA2cResult {
  model: ActorCritic;
  config: TrainerConfig;
  updates: number;
  environmentSteps: number;
  episodeReturns: number[];
  wallTimeMs: number;
}

/**
 * Synchronous advantage actor-critic (A2C): `environments` copies stepped together for `nSteps` steps with actions
 * sampled from the actor, n-step bootstrapped returns R_t = r_t + γ·R_{t+1} (cut at episode ends, bootstrapped with
 * V of the last observation), advantage A = R − V(s), loss = −mean(A·log π) + c_v·mean((R − V)²) − β·mean(H), one
 * Adam step per rollout.
 *
 * A truncated episode (time limit) is not a terminal state: its last reward gets γ·V(final observation) added, as
 * in Stable-Baselines3, so the time limit does not teach the critic that the state is worthless.
 */
export function trainA2c(options: TrainA2cOptions): TrainA2cResult {
  const started = performance.now();
  const config = parseTrainerConfig(options.config ?? {});
  const { environments: environmentCount, nSteps, gamma, normalizeAdvantage } = config.a2c;
  const environments = Array.from({ length: environmentCount }, (_, index) => options.createEnvironment(index));
  const first = environments[0]!;
  const stateSize = first.observationSize;
  const heads = { sizes: [...first.actionHeads] };
  const headCount = heads.sizes.length;
  const model = new ActorCritic({ stateSize, heads, config });
  const random = new SeededRandom(config.seed + 1);
  const batch = environmentCount * nSteps;

  // Rollout storage, step-major: row = step · environments + environment.
  const states = new Float32Array(batch * stateSize);
  const actions = new Int32Array(batch * headCount);
  const rewards = new Float64Array(batch);
  const dones = new Uint8Array(batch);
  const returns = new Float64Array(batch);
  const advantages = new Float64Array(batch);
  const truncatedRows: number[] = [];
  const truncatedObservations: Float32Array[] = [];
  const observations = environments.map((environment, index) => environment.reset(config.seed * 10_007 + index));
  const episodeReturn = new Float64Array(environmentCount);
  const episodeReturns: number[] = [];
  const stepActions = new Int32Array(environmentCount * headCount);
  const singleAction = new Int32Array(headCount);
  let environmentSteps = 0;
  let update = 0;

  for (update = 1; update <= options.updates; update++) {
    truncatedRows.length = 0;
    truncatedObservations.length = 0;
    for (let step = 0; step < nSteps; step++) {
      const input = model.actor.input(environmentCount);
      for (let index = 0; index < environmentCount; index++) input.set(observations[index]!, index * stateSize);
      states.set(input, step * environmentCount * stateSize);
      const logits = model.actor.forward(environmentCount);
      selectActions(heads, logits, environmentCount, stepActions, random);
      actions.set(stepActions, step * environmentCount * headCount);
      for (let index = 0; index < environmentCount; index++) {
        const row = step * environmentCount + index;
        singleAction.set(stepActions.subarray(index * headCount, (index + 1) * headCount));
        const result = environments[index]!.step(singleAction);
        rewards[row] = result.reward;
        episodeReturn[index]! += result.reward;
        const done = result.terminated || result.truncated;
        dones[row] = done ? 1 : 0;
        if (result.truncated && !result.terminated) {
          truncatedRows.push(row);
          truncatedObservations.push(result.observation);
        }
        if (done) {
          episodeReturns.push(episodeReturn[index]!);
          episodeReturn[index] = 0;
          observations[index] = environments[index]!.reset();
        } else {
          observations[index] = result.observation;
        }
      }
    }
    environmentSteps += batch;

    // Bootstrap values: V of each environment's current observation, then of every truncated final observation.
    const bootstrapCount = environmentCount + truncatedRows.length;
    const bootstrapInput = model.critic.input(bootstrapCount);
    observations.forEach((observation, index) => bootstrapInput.set(observation, index * stateSize));
    truncatedObservations.forEach((observation, index) => bootstrapInput.set(observation, (environmentCount + index) * stateSize));
    const bootstrapValues = Float64Array.from(model.critic.forward(bootstrapCount));
    truncatedRows.forEach((row, index) => {
      rewards[row]! += gamma * bootstrapValues[environmentCount + index]!;
    });
    for (let index = 0; index < environmentCount; index++) {
      let running = bootstrapValues[index]!;
      for (let step = nSteps - 1; step >= 0; step--) {
        const row = step * environmentCount + index;
        running = rewards[row]! + (dones[row] ? 0 : gamma * running);
        returns[row] = running;
      }
    }

    // Critic: values of the rollout states, squared-error gradient.
    model.critic.input(batch).set(states);
    const values = model.critic.forward(batch);
    const valueGradient = model.critic.outputGradient(batch);
    let valueLoss = 0;
    for (let row = 0; row < batch; row++) {
      const error = values[row]! - returns[row]!;
      valueLoss += error * error;
      valueGradient[row] = (config.valueCoefficient * 2 * error) / batch;
      advantages[row] = -error;
    }
    valueLoss /= batch;
    model.critic.backward(batch);
    if (normalizeAdvantage) standardise(advantages);

    // Actor: policy gradient with entropy bonus.
    model.actor.input(batch).set(states);
    const logits = model.actor.forward(batch);
    const policy = policyLossAndGradient(heads, logits, { batch, actions }, advantages, config.entropyCoefficient, model.actor.outputGradient(batch));
    model.actor.backward(batch);
    const { actorGradientNorm: gradientNorm } = model.applyGradients();

    const recent = episodeReturns.slice(-100);
    const progress: A2cProgress = {
      update,
      totalUpdates: options.updates,
      environmentSteps,
      meanEpisodeReturn: recent.length === 0 ? Number.NaN : recent.reduce((sum, value) => sum + value, 0) / recent.length,
      episodes: episodeReturns.length,
      policyLoss: policy.loss,
      valueLoss,
      entropy: policy.meanEntropy,
      gradientNorm,
    };
    options.onProgress?.(progress);
    if (options.shouldStop?.(progress, model)) break;
  }
  return {
    model,
    config,
    updates: Math.min(update, options.updates),
    environmentSteps,
    episodeReturns,
    wallTimeMs: performance.now() - started,
  };
}

function standardise(values: Float64Array): void {
  let mean = 0;
  for (const value of values) mean += value;
  mean /= values.length;
  let variance = 0;
  for (const value of values) variance += (value - mean) ** 2;
  const deviation = Math.sqrt(variance / values.length) + 1e-8;
  for (let index = 0; index < values.length; index++) values[index] = (values[index]! - mean) / deviation;
}
