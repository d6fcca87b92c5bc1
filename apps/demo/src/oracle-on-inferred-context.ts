import { createRng } from '@orchestra/learning-features';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import { expectedReward, sampleTask, taskKind, type CachedOracle, type SimulatedTask, type World } from '@orchestra/learning-sim';
import type { Action } from '@orchestra/learning-types';

/** Effort of `oracleOnInferredContext` (every number bounds its cost; see there). */
export interface InferredContextOracleEffort {
  /** Tasks drawn from the world (own stream) to estimate which true kinds hide behind an inferred kind. */
  calibrationTasks: number;
  /** Most candidate actions measured per inferred kind (the true oracle's actions of its most frequent true kinds). */
  candidates: number;
  /** Most true kinds (the most frequent) an inferred kind's expected reward is averaged over. */
  trueKinds: number;
  /** Rollouts per (candidate, true kind); common random numbers across candidates. */
  rollouts: number;
}

/**
 * The demo's effort: ≤ inferred kinds × 4 × 10 × 16 simulated sessions (≈ 100k for 1,000 held-out tasks), plus the
 * true oracle for the candidates' true kinds that the held-out tasks did not already need.
 */
export const defaultInferredContextOracleEffort: InferredContextOracleEffort = { calibrationTasks: 20_000, candidates: 4, trueKinds: 10, rollouts: 16 };

/** The oracle's answer on the inferred context: one action per task, and how many inferred kinds were searched. */
export interface InferredContextOracleAnswer {
  actions: Action[];
  /** Distinct inferred kinds among the tasks. */
  kinds: number;
  /** Simulated sessions spent measuring candidates. */
  sessions: number;
}

/** The kind of a task as every policy perceives it: type × complexity × risk × number of domains of `inferTaskContext`. */
export function inferredKindOf(task: Pick<SimulatedTask, 'description' | 'files'>): string {
  return taskKind(inferTaskContext({ description: task.description, files: task.files }).context);
}

interface TrueKindEntry {
  count: number;
  /** The first task of this true kind: it stands for all of them (as in `createOracle`). */
  task: SimulatedTask;
}

/**
 * The simulator's oracle restricted to what the policies perceive: for every *inferred* kind (type × complexity ×
 * risk × number of domains of `inferTaskContext` on the task's text and files) one action, the one with the best
 * expected reward over the true tasks that are perceived as that kind:
 *
 *   a*(k) = argmax over candidates a of  Σ_t P(true kind t | inferred kind k) · E[reward | t, a]
 *
 * - P(t | k) is estimated from `calibrationTasks` tasks drawn from the world on their own stream (not the evaluated
 *   tasks), restricted to the `trueKinds` most frequent t and renormalised; an inferred kind absent from the
 *   calibration sample uses the true kinds of its own tasks instead.
 * - Candidates are the true-context oracle's actions (`trueOracle`, cached per true kind) for the `candidates` most
 *   frequent true kinds of k in the calibration sample. Nothing about the evaluated tasks beyond their inferred kind
 *   enters the choice (an inferred kind absent from the calibration sample, which is rare, falls back to the true
 *   kinds of its own tasks).
 * - E[reward | t, a] is the mean of `rollouts` simulated sessions of the first calibration task of kind t (common
 *   random numbers: every candidate gets the same streams), load drawn from the world as for the true oracle.
 *
 * It is the information ceiling of any policy that decides from the inferred kind alone (up to the candidate set and
 * the rollout noise); comparing it with the true oracle separates perception from learning. Cost: at most
 * inferred kinds × `candidates` × `trueKinds` × `rollouts` sessions, the true oracle for at most inferred kinds ×
 * `candidates` true kinds (cached: most are the evaluated tasks' own kinds), and the calibration draw.
 */
export function oracleOnInferredContext(
  world: World,
  tasks: readonly SimulatedTask[],
  trueOracle: CachedOracle,
  options: InferredContextOracleEffort & { seed: number },
): InferredContextOracleAnswer {
  const calibration = new Map<string, Map<string, TrueKindEntry>>();
  const random = createRng((options.seed * 2_246_822_519 + 0xca1b) >>> 0);
  for (let index = 0; index < options.calibrationTasks; index += 1) {
    const task = sampleTask(world, random);
    const inferred = inferredKindOf(task);
    const kinds = calibration.get(inferred) ?? new Map<string, TrueKindEntry>();
    calibration.set(inferred, kinds);
    const trueKind = taskKind(task.trueContext);
    const entry = kinds.get(trueKind);
    if (entry === undefined) kinds.set(trueKind, { count: 1, task });
    else entry.count += 1;
  }

  const groups = new Map<string, number[]>();
  tasks.forEach((task, index) => {
    const inferred = inferredKindOf(task);
    const members = groups.get(inferred) ?? [];
    members.push(index);
    groups.set(inferred, members);
  });

  const actions: Action[] = new Array<Action>(tasks.length);
  let sessions = 0;
  for (const [inferred, members] of groups) {
    // The tasks' own true kinds: the fallback for an inferred kind the calibration sample never produced.
    const own = new Map<string, TrueKindEntry>();
    for (const index of members) {
      const task = tasks[index]!;
      const trueKind = taskKind(task.trueContext);
      const entry = own.get(trueKind);
      if (entry === undefined) own.set(trueKind, { count: 1, task });
      else entry.count += 1;
    }
    const sample = calibration.get(inferred) ?? own;
    const weighted = [...sample.entries()].sort((left, right) => right[1].count - left[1].count || (left[0] < right[0] ? -1 : 1)).slice(0, Math.max(1, options.trueKinds));
    const total = weighted.reduce((sum, [, entry]) => sum + entry.count, 0);

    const candidates: Action[] = [];
    const seen = new Set<string>();
    for (const [, entry] of weighted) {
      const action = trueOracle.actionFor(entry.task).action;
      const key = JSON.stringify(action);
      if (seen.has(key)) continue;
      seen.add(key);
      candidates.push(action);
      if (candidates.length >= Math.max(1, options.candidates)) break;
    }

    let best = candidates[0]!;
    if (candidates.length > 1) {
      let bestValue = Number.NEGATIVE_INFINITY;
      for (const action of candidates) {
        let value = 0;
        for (const [, entry] of weighted) {
          value += (entry.count / total) * expectedReward(world, entry.task, action, { rollouts: options.rollouts, seed: options.seed }).mean;
          sessions += options.rollouts;
        }
        if (value > bestValue) {
          bestValue = value;
          best = action;
        }
      }
    }
    for (const index of members) actions[index] = best;
  }
  return { actions, kinds: groups.size, sessions };
}
