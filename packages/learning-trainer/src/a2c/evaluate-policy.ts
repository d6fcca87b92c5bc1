import type { Environment } from '../envs/environment';
import type { ActorCritic } from '../networks/actor-critic';
import { selectActions } from '../networks/factorised-policy';
import { SeededRandom } from '../networks/seeded-random';

/** Returns of evaluation episodes. */
export interface EvaluationResult {
  episodes: number;
  meanReturn: number;
  standardDeviation: number;
  minimumReturn: number;
  returns: number[];
}

/** Options of `evaluatePolicy`. */
export interface EvaluatePolicyOptions {
  /** Makes one environment; called once per parallel slot. */
  createEnvironment: (index: number) => Environment;
  episodes: number;
  seed: number;
  /** Most likely action of each head (true, the RL Zoo convention) or a sample from the policy. */
  deterministic?: boolean;
  /** Episodes run side by side, sharing one batched forward pass. */
  parallel?: number;
}

/** Runs whole episodes with the actor and reports their undiscounted returns. Episode i is reset with seed `seed + i`. */
export function evaluatePolicy(model: ActorCritic, options: EvaluatePolicyOptions): EvaluationResult {
  const { episodes, seed } = options;
  const deterministic = options.deterministic ?? true;
  const parallel = Math.min(options.parallel ?? 32, episodes);
  const random = new SeededRandom(seed ^ 0x5bd1e995);
  const environments = Array.from({ length: parallel }, (_, index) => options.createEnvironment(index));
  const stateSize = model.stateSize;
  const headCount = model.heads.sizes.length;
  const returns: number[] = [];
  const slotEpisode = new Array<number>(parallel).fill(-1);
  const slotReturn = new Array<number>(parallel).fill(0);
  const observations: Float32Array[] = environments.map(() => new Float32Array(stateSize));
  let started = 0;
  const startNext = (slot: number) => {
    if (started >= episodes) {
      slotEpisode[slot] = -1;
      return;
    }
    slotEpisode[slot] = started;
    slotReturn[slot] = 0;
    observations[slot] = environments[slot]!.reset(seed + started);
    started += 1;
  };
  for (let slot = 0; slot < parallel; slot++) startNext(slot);
  const actions = new Int32Array(parallel * headCount);
  const action = new Int32Array(headCount);
  while (slotEpisode.some((episode) => episode >= 0)) {
    const input = model.actor.input(parallel);
    for (let slot = 0; slot < parallel; slot++) input.set(observations[slot]!, slot * stateSize);
    const logits = model.actor.forward(parallel);
    selectActions(model.heads, logits, parallel, actions, deterministic ? undefined : random);
    for (let slot = 0; slot < parallel; slot++) {
      if (slotEpisode[slot]! < 0) continue;
      action.set(actions.subarray(slot * headCount, (slot + 1) * headCount));
      const step = environments[slot]!.step(action);
      slotReturn[slot]! += step.reward;
      observations[slot] = step.observation;
      if (step.terminated || step.truncated) {
        returns.push(slotReturn[slot]!);
        startNext(slot);
      }
    }
  }
  const meanReturn = returns.reduce((sum, value) => sum + value, 0) / returns.length;
  const variance = returns.reduce((sum, value) => sum + (value - meanReturn) ** 2, 0) / returns.length;
  return { episodes: returns.length, meanReturn, standardDeviation: Math.sqrt(variance), minimumReturn: Math.min(...returns), returns };
}
