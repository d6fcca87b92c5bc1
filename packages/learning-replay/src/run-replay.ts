import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeBaselines, summarizeLadders, trainedFallbackOrder, type Baselines, type PolicySummary } from './baselines';
import { ReplayOptionError } from './errors';
import { fallbackOrder } from './ladder';
import { learnFromReplay, type ReplayLearnerResult } from './replay-learner';
import { referenceCostOf, type ReplayScoring } from './replay-reward';
import type { ReplayTable } from './replay-table';
import type { TaskContext } from '@orchestra/learning-types';
import { actionHeadNames, type ActionHeadName } from '@orchestra/learning-features';
import { splitTasks } from './split-tasks';

/** Options of `runReplay`; every field has a documented default. */
export interface ReplayOptions {
  /** Share of the tasks in the train split (default 0.5). */
  trainShare?: number;
  /** Passes of the logging policy over the train tasks (default 1). */
  passes?: number;
  /** Longest ladder (default 3; 1 = routing to one model). */
  maxLadder?: number;
  /** Seed of the split, the logging policy, fractional outcomes and training (default 1). */
  seed?: number;
  /** Cost weight of the reward the learned policy is trained for and every policy is scored with (default 0.25). */
  costWeight?: number;
  /** Cost weights of the cost–quality curve: the learner is retrained for each (default 0, 0.25, 0.5, 1). */
  curveWeights?: readonly number[];
  /** ε of the logging policy (the rules' exploration; default 0.3). */
  exploration?: number;
  /**
   * The heads the logging policy explores (default `REPLAY_EXPLORED_HEADS`: the retry strategy and the executor's
   * model, the only decisions whose effect an outcome table reveals; `'all'`: every head, as in production).
   */
  exploredHeads?: readonly ActionHeadName[] | 'all';
  /**
   * Share of the logged sessions an exploration candidate acts on — the product's continuous loop
   * (`LearningConfig.candidateShare`, at most 0.5): `improve()` after every pass, its candidate explores on this share
   * of the next pass (default 0: the rules log every pass, `improve()` once at the end).
   */
  candidateShare?: number;
  /**
   * The fallback order the `fallback` retry strategy rotates through: `product` (default) — the product's default
   * (`fallbackOrder`: by tier, then catalog order); `train` — chosen on the train tasks with full information
   * (`trainedFallbackOrder`: the best static ladder first), what a user with the table can configure as
   * `@orchestra/learning-ai-sdk`'s `ladder`, so that the best static ladder is one the action space expresses.
   */
  fallbackOrder?: 'train' | 'product';
  /** Trainer configuration passed to the facade's `improve` (default: the product's). */
  trainerConfig?: Record<string, unknown>;
  /** Parent directory of the runs' data dirs (default: the OS temp dir); they are removed afterwards unless `keepData`. */
  workDir?: string;
  keepData?: boolean;
  onProgress?: (message: string) => void;
}

/**
 * The heads a replay's logging policy explores by default: the retry strategy (whether a failure escalates along the
 * fallback order) and the executor's model (where the ladder starts) — the only decisions whose effect an outcome
 * table reveals. Exploring the other heads (team, approach, timeout, …) spends sessions on choices that change
 * nothing here: on LLMRouter (seed 7, ε 1, 3 passes, train order) the learner reaches the best static ladder with
 * these two (0.644 against 0.645) and stays at the rules' ladder with every head explored.
 */
export const REPLAY_EXPLORED_HEADS: readonly ActionHeadName[] = Object.freeze(['retry', 'model_executor']);

/** The result of `runReplay` — the `--json` contract of `orchestra replay`. */
export interface ReplayResult {
  seed: number;
  tasks: { train: number; test: number };
  testTaskIds: string[];
  models: string[];
  /** What every policy achieved on the test tasks (exact expectations with full information). */
  policies: { learned: PolicySummary } & Omit<Baselines, 'chosen'>;
  /** The learned policy's ladder (model ids in order) for every test task. */
  learnedDecisions: Array<{ taskId: string; ladder: string[] }>;
  /** The learned policy retrained at each cost weight, measured on the test tasks. */
  curve: Array<{ costWeight: number; successRate: number; costPerTask: number; meanReward: number; gate: string }>;
  /** How the figures were made: cost unit, weights, ladder order, the gate's verdict, timings. */
  settings: {
    costWeight: number;
    referenceCostUsd: number;
    maxLadder: number;
    passes: number;
    trainShare: number;
    exploration: number;
    /** The heads the logging policy explored (`ReplayOptions.exploredHeads`). */
    exploredHeads: ActionHeadName[];
    candidateShare: number;
    /** How the fallback order was chosen (`ReplayOptions.fallbackOrder`). */
    fallbackOrderFrom: 'train' | 'product';
    /** The fallback order the `fallback` retry strategy rotates through (model ids). */
    fallbackOrder: string[];
    /** What the static baselines chose on the train tasks. */
    chosen: Baselines['chosen'];
  };
  gate: ReplayLearnerResult['gate'];
  fallbacks: Record<string, number>;
  experiences: number;
  timings: { loggingMs: number; trainingMs: number; totalMs: number };
}

function checkOption(option: string, value: number, valid: boolean, expected: string): void {
  if (!valid) throw new ReplayOptionError({ option, message: `expected ${expected}, got ${value}` });
}

/**
 * Replays an outcome table: seeded split into train and test; on train, the logged-bandit protocol through the
 * product's own loop (`learnFromReplay`: logging policy = the rules with exploration, exact propensities, the
 * product's trainer and deploy gate), `passes` times; on test, with full information, the learned policy against
 * cheapest, strongest, best single model, best static ladder, random and oracle; and the cost–quality curve of the
 * learned policy retrained at each of `curveWeights`. Deterministic for a seed.
 *
 * @throws ReplayOptionError for an option out of range (or a split that leaves train or test empty).
 */
export async function runReplay(table: ReplayTable, options: ReplayOptions = {}): Promise<ReplayResult> {
  const started = performance.now();
  const trainShare = options.trainShare ?? 0.5;
  const passes = options.passes ?? 1;
  const maxLadder = options.maxLadder ?? 3;
  const seed = options.seed ?? 1;
  const costWeight = options.costWeight ?? 0.25;
  const curveWeights = options.curveWeights ?? [0, 0.25, 0.5, 1];
  const exploration = options.exploration ?? 0.3;
  const candidateShare = options.candidateShare ?? 0;
  const exploredHeads = options.exploredHeads === 'all' ? [...actionHeadNames] : [...(options.exploredHeads ?? REPLAY_EXPLORED_HEADS)];
  const unknownHead = exploredHeads.find((head) => !(actionHeadNames as readonly string[]).includes(head));
  if (unknownHead !== undefined || exploredHeads.length === 0 || new Set(exploredHeads).size !== exploredHeads.length) {
    throw new ReplayOptionError({
      option: 'exploredHeads',
      message: `expected 'all' or distinct heads among ${actionHeadNames.join(', ')}; got ${JSON.stringify(options.exploredHeads)}`,
    });
  }
  const orderFrom = options.fallbackOrder ?? 'product';
  if (orderFrom !== 'train' && orderFrom !== 'product') throw new ReplayOptionError({ option: 'fallbackOrder', message: `expected "train" or "product", got ${JSON.stringify(orderFrom)}` });
  checkOption('trainShare', trainShare, trainShare > 0 && trainShare < 1, 'a share in (0, 1)');
  checkOption('passes', passes, Number.isInteger(passes) && passes >= 1, 'a positive integer');
  checkOption('maxLadder', maxLadder, Number.isInteger(maxLadder) && maxLadder >= 1, 'a positive integer');
  checkOption('seed', seed, Number.isInteger(seed), 'an integer');
  checkOption('exploration', exploration, exploration > 0 && exploration <= 1, 'ε in (0, 1] (without exploration the logs support no off-policy learning)');
  checkOption('candidateShare', candidateShare, candidateShare >= 0 && candidateShare <= 0.5, 'a share in [0, 0.5]');
  for (const weight of [costWeight, ...curveWeights]) checkOption('costWeight', weight, Number.isFinite(weight) && weight >= 0, 'a finite weight ≥ 0');
  const { train, test } = splitTasks(table.tasks.length, trainShare, seed);
  if (train.length === 0 || test.length === 0) {
    throw new ReplayOptionError({ option: 'trainShare', message: `${table.tasks.length} tasks split ${train.length}/${test.length}: train and test must both be non-empty` });
  }
  const referenceCostUsd = referenceCostOf(table, train);
  const scoringAt = (weight: number): ReplayScoring => ({ costWeight: weight, referenceCostUsd });
  const scoring = scoringAt(costWeight);
  const order = orderFrom === 'train' ? trainedFallbackOrder(table, train, scoring, maxLadder) : fallbackOrder(table.catalog);
  const baselines = computeBaselines(table, train, test, scoring, maxLadder, order);
  const workDir = await mkdtemp(join(options.workDir ?? tmpdir(), 'orchestra-replay-'));
  try {
    const contextCache = new Map<string, TaskContext>();
    const learnAt = (weight: number) =>
      learnFromReplay({
        table,
        train,
        test,
        scoring: scoringAt(weight),
        passes,
        maxLadder,
        order,
        exploration,
        exploredHeads,
        candidateShare,
        seed,
        dataDir: join(workDir, `cost-weight-${weight}`),
        contextCache,
        ...(options.trainerConfig === undefined ? {} : { trainerConfig: options.trainerConfig }),
        onProgress: (message) => options.onProgress?.(`cost weight ${weight}: ${message}`),
      });
    const main = await learnAt(costWeight);
    const curve: ReplayResult['curve'] = [];
    for (const weight of [...new Set(curveWeights)].sort((left, right) => left - right)) {
      const run = weight === costWeight ? main : await learnAt(weight);
      const measured = summarizeLadders(table, test, (_, position) => run.ladders[position]!, scoringAt(weight));
      curve.push({ costWeight: weight, ...measured, gate: run.gate.verdict });
    }
    return {
      seed,
      tasks: { train: train.length, test: test.length },
      testTaskIds: test.map((task) => table.tasks[task]!.id),
      models: [...table.modelIds],
      policies: {
        learned: summarizeLadders(table, test, (_, position) => main.ladders[position]!, scoring),
        cheapest: baselines.cheapest,
        strongest: baselines.strongest,
        bestSingle: baselines.bestSingle,
        bestLadder: baselines.bestLadder,
        bestFallbackLadder: baselines.bestFallbackLadder,
        random: baselines.random,
        oracle: baselines.oracle,
      },
      learnedDecisions: test.map((task, position) => ({ taskId: table.tasks[task]!.id, ladder: main.ladders[position]!.map((model) => table.modelIds[model]!) })),
      curve,
      settings: { costWeight, referenceCostUsd, maxLadder, passes, trainShare, exploration, exploredHeads, candidateShare, fallbackOrderFrom: orderFrom, fallbackOrder: order.map((model) => table.modelIds[model]!), chosen: baselines.chosen },
      gate: main.gate,
      fallbacks: main.fallbacks,
      experiences: main.experiences,
      timings: { loggingMs: main.loggingMs, trainingMs: main.trainingMs, totalMs: performance.now() - started },
    };
  } finally {
    if (options.keepData !== true) await rm(workDir, { recursive: true, force: true });
  }
}
