import { createRng } from '@orchestra/learning-features';
import { experienceReward, type RewardConfig } from '@orchestra/learning-reward';
import type { Action, EnhancedSessionState, Outcome, SystemState, TaskContext } from '@orchestra/learning-types';
import { choiceToAction, countActions } from './action-grid';
import { runSession } from './session-player';
import { screenActions } from './surrogate';
import type { SimulatedTask } from './task-sampler';
import type { World } from './world-schema';

/** Turns a simulated session into the number to maximise. Default: `experienceReward(outcome).total`. */
export type RewardFunction = (outcome: Outcome, session: EnhancedSessionState) => number;

const defaultReward: RewardFunction = (outcome) => experienceReward(outcome).total;

/** Options of `expectedReward`. */
export interface ExpectedRewardOptions {
  /** Simulated sessions to average (default 512). */
  rollouts?: number;
  /** Seed of the rollouts; the same seed gives every action the same random streams (common random numbers). */
  seed?: number;
  /** Fixed system state; when absent each rollout draws one from the world. */
  system?: SystemState;
  reward?: RewardFunction;
}

/** A Monte-Carlo estimate: mean, standard error and the number of sessions behind it. */
export interface RewardEstimate {
  mean: number;
  standardError: number;
  rollouts: number;
}

function rolloutSeed(seed: number, rollout: number): number {
  return (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(rollout + 1, 0x85ebca6b)) | 0;
}

/**
 * Expected reward of `action` on `task`, by simulated rollouts scored with the reward package (exactly as for real
 * data). Rollout i of every action uses the same seed, so differences between actions have low variance.
 */
export function expectedReward(world: World, task: SimulatedTask, action: Action, options: ExpectedRewardOptions = {}): RewardEstimate {
  return accumulate(world, task, action, 0, options.rollouts ?? 512, options, { sum: 0, sumOfSquares: 0, count: 0 });
}

interface Accumulator {
  sum: number;
  sumOfSquares: number;
  count: number;
}

function accumulate(
  world: World,
  task: SimulatedTask,
  action: Action,
  from: number,
  to: number,
  options: ExpectedRewardOptions,
  into: Accumulator,
): RewardEstimate {
  const reward = options.reward ?? defaultReward;
  const seed = options.seed ?? 0;
  const sessionOptions = options.system === undefined ? { trustedAction: true } : { trustedAction: true, system: options.system };
  for (let rollout = from; rollout < to; rollout += 1) {
    const { session, outcome } = runSession(world, task, action, createRng(rolloutSeed(seed, rollout)), sessionOptions);
    const value = reward(outcome, session);
    into.sum += value;
    into.sumOfSquares += value * value;
    into.count += 1;
  }
  const mean = into.sum / into.count;
  const variance = into.count > 1 ? Math.max(0, (into.sumOfSquares - into.count * mean * mean) / (into.count - 1)) : 0;
  return { mean, standardError: Math.sqrt(variance / into.count), rollouts: into.count };
}

/** Options of `oracleAction`. */
export interface OracleOptions extends ExpectedRewardOptions {
  /** Rollouts for each finalist (default 128; every candidate first gets a quarter of them). */
  /** Actions ranked best by the closed-form screen that are then measured by rollouts (default 16). */
  candidates?: number;
  /** Reward configuration the closed-form screen assumes (default: the reward package's defaults). */
  rewardConfig?: RewardConfig;
}

/** The oracle's answer: the best action found, its measured expected reward, and the runners-up. */
export interface OracleResult {
  action: Action;
  expected: RewardEstimate;
  /** The screen's estimate for the chosen action (for diagnostics). */
  screenedReward: number;
  /** How many actions the closed-form screen scored (the whole discrete space). */
  actionsScreened: number;
  /** Every candidate measured by rollouts, best first. */
  candidates: Array<{ action: Action; expected: RewardEstimate; screenedReward: number }>;
}

/**
 * The action with the best expected reward for `task`: every action of the discrete space (the features package's
 * heads and bins; 315,000 for four models) is scored by a closed-form approximation of the session player, the best
 * `candidates` are measured with `rollouts` simulated sessions each (common random numbers, successive halving:
 * all candidates get a quarter of the rollouts, the best quarter the rest), and the best measured one wins.
 * It knows the true task context; it is the upper limit learning curves are drawn against.
 */
export function oracleAction(world: World, task: SimulatedTask, options: OracleOptions = {}): OracleResult {
  const candidateCount = Math.max(1, options.candidates ?? 16);
  const rollouts = Math.max(4, options.rollouts ?? 128);
  const screenOptions: { load?: number; rewardConfig?: RewardConfig; keep: number } = { keep: candidateCount };
  if (options.system !== undefined) screenOptions.load = options.system.load;
  if (options.rewardConfig !== undefined) screenOptions.rewardConfig = options.rewardConfig;
  const top = screenActions(world, task.trueContext, screenOptions);

  const firstStage = Math.max(2, Math.floor(rollouts / 4));
  const measured = top.map((entry) => {
    const action = choiceToAction(world, entry.choice);
    const accumulator: Accumulator = { sum: 0, sumOfSquares: 0, count: 0 };
    const expected = accumulate(world, task, action, 0, firstStage, options, accumulator);
    return { action, expected, screenedReward: entry.score, accumulator };
  });
  measured.sort((left, right) => right.expected.mean - left.expected.mean);
  const finalists = measured.slice(0, Math.max(1, Math.ceil(measured.length / 4)));
  for (const finalist of finalists) {
    finalist.expected = accumulate(world, task, finalist.action, firstStage, rollouts, options, finalist.accumulator);
  }
  finalists.sort((left, right) => right.expected.mean - left.expected.mean);
  const ordered = [...finalists, ...measured.slice(finalists.length)];
  const best = ordered[0]!;
  return {
    action: best.action,
    expected: best.expected,
    screenedReward: best.screenedReward,
    actionsScreened: countActions(world),
    candidates: ordered.map(({ action, expected, screenedReward }) => ({ action, expected, screenedReward })),
  };
}

/** The key under which `createOracle` caches answers: task type × complexity × risk × number of domains (× load). */
export function taskKind(context: TaskContext, system?: SystemState): string {
  const load = system === undefined ? 'any' : (Math.round(system.load * 10) / 10).toFixed(1);
  return `${context.taskType}|${context.complexity}|${context.risk}|${context.domains.length}|${load}`;
}

/** An oracle that remembers its answer per task kind (the world's mechanics depend on nothing finer). */
export interface CachedOracle {
  /** The oracle's action for `task` (computed once per kind; `system.load` is rounded to 0.1 when given). */
  actionFor(task: SimulatedTask, system?: SystemState): OracleResult;
  /** Kinds computed so far. */
  readonly size: number;
}

/**
 * Creates an oracle that caches per task kind. The first task of a kind stands for all tasks of that kind (their
 * estimated times differ, which moves expected rewards a little but, in the built-in worlds, rarely the best action).
 */
export function createOracle(world: World, options: Omit<OracleOptions, 'system'> = {}): CachedOracle {
  const cache = new Map<string, OracleResult>();
  return {
    actionFor(task, system) {
      const key = taskKind(task.trueContext, system);
      let result = cache.get(key);
      if (result === undefined) {
        const rounded = system === undefined ? undefined : { ...system, load: Number(key.split('|')[4]) };
        result = oracleAction(world, task, rounded === undefined ? options : { ...options, system: rounded });
        cache.set(key, result);
      }
      return result;
    },
    get size() {
      return cache.size;
    },
  };
}
