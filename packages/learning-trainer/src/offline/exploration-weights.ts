import type { ActionSpace } from '@orchestra/learning-features';
import { MIN_EXPLORATION_WEIGHT, type ExplorationWeights } from '@orchestra/learning-policy';
import { normalCdf } from '@orchestra/learning-types';
import type { ExperienceDataset } from './experience-dataset';
import { LinearCriticScorer, type LinearCritic } from './linear-critic';
import { forEachSingleHeadMove } from './q-distillation';

/** Options of `explorationWeightsOf`. */
export interface ExplorationWeightOptions {
  /** Rows read at most (evenly spaced over `rows`; default 1,000): the weights are averages, a sample suffices. */
  maxRows?: number;
  /** The smallest weight (default 0.05): an alternative the critic finds clearly worse is still tried that often. */
  floor?: number;
  /**
   * The action each row's moves start from (`rows × heads`, dataset layout): the rules' greedy actions, which their
   * exploration perturbs. Default: the logged actions.
   */
  base?: Int32Array;
  /** The stratifier's action of every row (dataset layout), required when the critic is `stratified`. */
  strata?: Int32Array;
}

/**
 * Exploration weights from a fitted critic (`RulesPolicy.setExplorationWeights`): for every head and choice, the
 * posterior probability that moving the rules' (or the logged) action's head to that choice raises the reward, Φ(mean / sd) of the
 * critic's gain, averaged over the rows where the move is possible, clamped to [`floor`, 1]. A choice the critic
 * knows nothing about scores ½ (as every choice does before any evidence, so the weights are then uniform); one it
 * finds likely better approaches 1, one clearly worse the floor. The explored sessions go where they can still
 * change the policy: the rules' uniform exploration spent most of them on alternatives already known to lose
 * (about 40 alternatives share ε, so each got ~15 sessions in 2,000 — too few to confirm a +17 team effect under a
 * session noise of ~80).
 */
export function explorationWeightsOf(critic: LinearCritic, dataset: ExperienceDataset, actionSpace: ActionSpace, rows: Int32Array, options: ExplorationWeightOptions = {}): ExplorationWeights {
  const maxRows = Math.max(1, Math.floor(options.maxRows ?? 1_000));
  const floor = Math.min(1, Math.max(MIN_EXPLORATION_WEIGHT, options.floor ?? 0.05));
  const { stateSize, headCount } = dataset;
  const scorer = new LinearCriticScorer(critic, actionSpace);
  const sums = actionSpace.heads.map((head) => new Float64Array(head.size));
  const counts = actionSpace.heads.map((head) => new Float64Array(head.size));
  const maximumHeadSize = Math.max(...actionSpace.heads.map((head) => head.size));
  const buffers = { mask: new Uint8Array(maximumHeadSize), scratch: new Uint8Array(maximumHeadSize), candidate: new Int32Array(headCount) };
  const base = new Int32Array(headCount);
  const stride = Math.max(1, rows.length / maxRows);
  for (let position = 0; position < rows.length; position += stride) {
    const row = rows[Math.floor(position)]!;
    scorer.setState(dataset.states.subarray(row * stateSize, (row + 1) * stateSize), options.strata?.subarray(row * headCount, (row + 1) * headCount));
    base.set((options.base ?? dataset.actions).subarray(row * headCount, (row + 1) * headCount));
    forEachSingleHeadMove(actionSpace, base, buffers, (head, choice, candidate) => {
      const gain = scorer.gain(base, candidate);
      sums[head]![choice]! += gain.deviation > 0 ? normalCdf(gain.mean / gain.deviation) : gain.mean > 0 ? 1 : gain.mean < 0 ? 0 : 0.5;
      counts[head]![choice]! += 1;
    });
  }
  const weights: Record<string, Record<string, number>> = {};
  actionSpace.heads.forEach((head, index) => {
    const byChoice: Record<string, number> = {};
    for (let choice = 0; choice < head.size; choice++) {
      const count = counts[index]![choice]!;
      if (count === 0) continue;
      byChoice[head.labels[choice]!] = Math.min(1, Math.max(floor, sums[index]![choice]! / count));
    }
    if (Object.keys(byChoice).length > 0) weights[head.name] = byChoice;
  });
  return weights as ExplorationWeights;
}
