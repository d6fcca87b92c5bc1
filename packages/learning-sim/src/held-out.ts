import { createRng } from '@orchestra/learning-features';
import { experienceReward } from '@orchestra/learning-reward';
import type { Action, SystemState } from '@orchestra/learning-types';
import type { RewardFunction } from './oracle';
import { sampleSystem, runSession } from './session-player';
import { meanWithInterval, percentile } from './statistics';
import { sampleTask, type SimulatedTask } from './task-sampler';
import type { World } from './world-schema';

/*
 * Held-out evaluation: fresh tasks drawn with their own seed, and a policy's sessions on them scored with the reward
 * package, with common random numbers so that policies are compared on the same tasks and the same random streams.
 */

/** One fresh held-out task: what the orchestrator sees, the load it runs under, and the seed of its session. */
export interface HeldOutTask {
  task: SimulatedTask;
  system: SystemState;
  /** Seed of the session's random stream: every policy's session of this task uses the same one. */
  sessionSeed: number;
}

/** Draws `count` held-out tasks from `world` with their own seed (disjoint from the learning loop's streams). */
export function drawHeldOutTasks(world: World, count: number, seed: number): HeldOutTask[] {
  const random = createRng((seed * 2_654_435_761 + 0x5eed) >>> 0);
  const tasks: HeldOutTask[] = [];
  for (let index = 0; index < count; index += 1) {
    const task = sampleTask(world, random);
    const system = sampleSystem(world, random);
    tasks.push({ task, system, sessionSeed: (seed * 1_000_003 + index * 7919 + 17) >>> 0 });
  }
  return tasks;
}

/** The measured performance of one policy on the held-out tasks (the `--json` contract's policy entry). */
export interface PolicyMetrics {
  meanReward: number;
  meanRewardCI: [number, number];
  successRate: number;
  costPerSession: number;
  p95LatencyMs: number;
  safetyViolations: number;
  /** Mean session duration (ms). */
  meanDurationMs: number;
}

/** Per-task results of one policy, kept for paired comparisons. */
export interface PolicyRun {
  metrics: PolicyMetrics;
  rewards: number[];
}

/**
 * Plays every held-out task once under the action `choose` returns, with the task's own session seed (common random
 * numbers: policies are compared on the same tasks and the same random streams), and scores it with the reward
 * package exactly as the collector does (or by `options.reward`). `p95LatencyMs` is the 95th percentile of every model call's latency.
 */
export function evaluateOnTasks(
  world: World,
  tasks: readonly HeldOutTask[],
  choose: (heldOut: HeldOutTask, index: number) => Action,
  options: { reward?: RewardFunction } = {},
): PolicyRun {
  const reward = options.reward ?? ((outcome) => experienceReward(outcome).total);
  const rewards: number[] = [];
  const latencies: number[] = [];
  let successes = 0;
  let cost = 0;
  let violations = 0;
  let duration = 0;
  tasks.forEach((heldOut, index) => {
    const action = choose(heldOut, index);
    const { outcome, session } = runSession(world, heldOut.task, action, createRng(heldOut.sessionSeed), { system: heldOut.system });
    rewards.push(reward(outcome, session));
    if (outcome.success) successes += 1;
    cost += outcome.totalCostUsd;
    violations += outcome.safetyViolations;
    duration += outcome.durationMs;
    for (const step of session.workflow) for (const usage of step.attempts) latencies.push(usage.latencyMs);
  });
  const rewardMean = meanWithInterval(rewards);
  const count = Math.max(1, tasks.length);
  return {
    rewards,
    metrics: {
      meanReward: rewardMean.mean,
      meanRewardCI: rewardMean.interval,
      successRate: successes / count,
      costPerSession: cost / count,
      p95LatencyMs: percentile(latencies, 0.95),
      safetyViolations: violations,
      meanDurationMs: duration / count,
    },
  };
}
