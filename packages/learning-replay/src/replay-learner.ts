import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CollectorSink, createLearning, DefaultLearningRuntime, loadVerifiedModel, OrchestratorIntegration, type DefaultRuntimeOptions, type LearningDecision, type LearningManager, type TaskInput } from '@orchestra/learning';
import { DEFAULT_COST_WEIGHT, type TaskContext } from '@orchestra/learning-types';
import { ActionSpace, createRng, type ActionHeadName, type SeededRandom } from '@orchestra/learning-features';
import { RulesPolicy, SafetyGuard, type GateDecision, type PolicyComparison } from '@orchestra/learning-policy';
import { ladderOfAction } from './ladder';
import { maxLadderCostOf, replayRewardConfig, type ReplayScoring } from './replay-reward';
import type { ReplayTable } from './replay-table';

/** Options of one learning run on a replay table (one cost weight). */
export interface ReplayLearnerOptions {
  table: ReplayTable;
  train: readonly number[];
  test: readonly number[];
  scoring: ReplayScoring;
  /** Passes over the train tasks (each task logged once per pass). */
  passes: number;
  maxLadder: number;
  /** Fallback order of the models (indices). */
  order: readonly number[];
  /** ε of the rules (the logging policy's exploration). */
  exploration: number;
  /** The heads the rules' exploration may change (default: every head; `runReplay` passes `REPLAY_EXPLORED_HEADS`). */
  exploredHeads?: readonly ActionHeadName[];
  /**
   * The product's continuous loop (`LearningConfig.candidateShare`, default 0): with a share > 0, `improve()` runs
   * after every pass but the last as well, and the candidate it trains — when the gate did not find it worse than the
   * rules — acts on this share of the next passes' sessions (exact mixture propensities), so the logs gather
   * evidence where the learner proposes changes; a re-look at it on those logs can deploy it. 0: the rules log every
   * pass and `improve()` runs once, at the end.
   */
  candidateShare?: number;
  seed: number;
  /** An empty directory: the run's data dir (buffer, state, candidate model). */
  dataDir: string;
  /** Trainer configuration passed to `improve` (the product's defaults otherwise). */
  trainerConfig?: Record<string, unknown>;
  /** Inferred task contexts by task text, shared between the runs of one replay (the inference is deterministic). */
  contextCache?: Map<string, TaskContext>;
  onProgress?: (message: string) => void;
}

/**
 * The default runtime with the task-context inference memoised per task text and files: a replay decides every task
 * several times (passes, test, one run per cost weight), and the inference is a pure function of them.
 */
class MemoisedContextRuntime extends DefaultLearningRuntime {
  readonly #cache: Map<string, TaskContext>;

  constructor(options: DefaultRuntimeOptions, cache: Map<string, TaskContext>) {
    super(options);
    this.#cache = cache;
  }

  override inferContext(task: TaskInput): TaskContext {
    if (task.context !== undefined) return super.inferContext(task);
    const key = `${task.description}\u0000${(task.files ?? []).join('\u0000')}`;
    let context = this.#cache.get(key);
    if (context === undefined) {
      context = super.inferContext(task);
      this.#cache.set(key, context);
    }
    return context;
  }
}

/** What one learning run produced. */
export interface ReplayLearnerResult {
  /** The learned ladder (model indices) per test task, in `test` order. */
  ladders: number[][];
  /** Experiences recorded (train tasks × passes). */
  experiences: number;
  /** The off-policy deploy gate's verdict on the trained policy (`improve`) and why it refused, if it did. */
  gate: { verdict: GateDecision; reason: string | null; ope: PolicyComparison | null };
  /** Test decisions the router did not take from the learned policy (fallbacks to the rules), by reason. */
  fallbacks: Record<string, number>;
  loggingMs: number;
  trainingMs: number;
}

/** Records are sent to the buffer this many at a time (their appends share one group commit). */
const RECORD_BATCH = 256;

/**
 * Plays the logged-bandit protocol on the train tasks through the product's own loop, trains and gates with the
 * product's learner, and returns the learned policy's ladders on the test tasks.
 *
 * 1. `createLearning` (shadow mode, the table's models as the catalog, the replay's reward) with the default runtime
 *    (rules with ε-exploration: the logging policy; exact propensities).
 * 2. For every train task, `passes` times: `decide` → the action's ladder (`ladderOfAction`) → only the outcomes of
 *    the models it tried are revealed (a fractional success drawn once per attempt from the seeded stream), as the
 *    design's session (one executor step, one attempt per model, a fallback rotation between them) built by
 *    `OrchestratorIntegration` → `record`.
 * 3. `improve()`: the product's trainer and deploy gate.
 * 4. The trained candidate is served greedily — loaded into the replay's runtime in production mode, not deployed
 *    (the gate's verdict stands) — and gives a ladder for every test task.
 */
export async function learnFromReplay(options: ReplayLearnerOptions): Promise<ReplayLearnerResult> {
  const { table, scoring } = options;
  const candidateShare = options.candidateShare ?? 0;
  const space = new ActionSpace(table.catalog);
  const rules = new RulesPolicy({ guard: new SafetyGuard({ space }), config: { seed: options.seed, ...(options.exploredHeads === undefined ? {} : { exploredHeads: [...options.exploredHeads] }) } });
  const runtime = new MemoisedContextRuntime(
    {
      seed: options.seed,
      // A replay must not depend on how fast this machine decides.
      latencyBudgetMs: Number.POSITIVE_INFINITY,
      exploration: { shadow: options.exploration, ab_test: options.exploration, production: 0 },
      candidateShare,
      rules,
      learnedOptions: { selection: 'argmax' },
    },
    options.contextCache ?? new Map(),
  );
  let now = Date.parse('2026-01-01T00:00:00Z');
  const clock = () => now;
  const reward = replayRewardConfig(scoring, maxLadderCostOf(table, options.maxLadder));
  await mkdir(options.dataDir, { recursive: true });
  const learning: LearningManager = await createLearning({
    cwd: options.dataDir,
    env: {},
    dataDir: options.dataDir,
    mode: 'shadow',
    models: table.catalog.models,
    reward,
    runtime,
    // A replay is a simulation: nothing is lost if it stops, so the buffer skips fsync.
    sink: new CollectorSink({ dataDir: options.dataDir, durability: 'none' }, { reward, now: () => new Date(now) }),
    clock,
    config: { seed: options.seed, exploration: options.exploration, candidateShare, reloadIntervalMs: 0 },
  });
  try {
    const improve = (name: string, output = join(options.dataDir, 'candidates', name)) =>
      learning.improve({
        output,
        version: `replay-${options.seed}-w${scoring.costWeight}${name === 'replay' ? '' : `-${name}`}`,
        allowFewExperiences: true,
        servedAs: { selection: 'argmax' },
        ...(options.trainerConfig === undefined ? {} : { trainerConfig: options.trainerConfig }),
      });
    let trainingMs = 0;
    const random: SeededRandom = createRng((options.seed * 2_654_435_761 + 0x7e91a) >>> 0);
    const loggingStarted = performance.now();
    let recorded = 0;
    for (let pass = 0; pass < options.passes; pass += 1) {
      for (let start = 0; start < options.train.length; start += RECORD_BATCH) {
        const pending: Promise<unknown>[] = [];
        for (const task of options.train.slice(start, start + RECORD_BATCH)) {
          const entry = table.tasks[task]!;
          const decision = learning.decide({ description: entry.text, files: entry.files ?? [], sessionId: `replay-${options.seed}-${pass}-${entry.id}` });
          const session = playLadder(table, task, ladderOfAction(decision.action, table.catalog, options.order, options.maxLadder), decision, random, () => now);
          now += 1000;
          pending.push(learning.record(session, decision));
        }
        await Promise.all(pending);
        recorded += pending.length;
      }
      options.onProgress?.(`pass ${pass + 1}/${options.passes}: ${recorded} experiences recorded`);
      if (candidateShare > 0 && pass + 1 < options.passes) {
        const started = performance.now();
        const step = await improve(`pass-${pass + 1}`);
        trainingMs += performance.now() - started;
        options.onProgress?.(`improve after pass ${pass + 1}: gate ${step.gate}; exploration candidate ${step.candidate.status}${step.regate === null ? '' : `; re-look ${step.regate.passed ? 'passed' : 'not passed'}`}`);
      }
    }
    const loggingMs = performance.now() - loggingStarted - trainingMs;

    const trainingStarted = performance.now();
    const output = join(options.dataDir, 'candidates', 'replay');
    const report = await improve('replay', output);
    trainingMs += performance.now() - trainingStarted;
    options.onProgress?.(`trained on ${recorded} experiences in ${(trainingMs / 1000).toFixed(1)} s; gate ${report.gate}${report.reason === null ? '' : ` (${report.reason})`}`);

    // The candidate is evaluated as production would serve it, without deploying it: this replay's own runtime serves
    // it directly, while the manager's mode and deployment stay what the gate decided. The manager still builds each
    // test task's input (context, system, history of the recorded sessions), as it would for a live decision.
    runtime.setModel(await loadVerifiedModel(output));
    const fallbacks: Record<string, number> = {};
    const ladders = options.test.map((task) => {
      const entry = table.tasks[task]!;
      const input = learning.decide({ description: entry.text, files: entry.files ?? [], sessionId: `replay-test-${options.seed}-${entry.id}` });
      const decision = runtime.decide(
        { context: input.context, system: input.system, ...(input.history === undefined ? {} : { history: input.history }), sessionId: input.sessionId, costWeight: input.costWeight ?? DEFAULT_COST_WEIGHT },
        { mode: 'production', abFraction: 0 },
      );
      if (decision.source !== 'learned') {
        const reason = decision.explanation.find((line) => line.startsWith('fallback')) ?? decision.source;
        fallbacks[reason] = (fallbacks[reason] ?? 0) + 1;
      }
      return ladderOfAction(decision.action, table.catalog, options.order, options.maxLadder);
    });
    return {
      ladders,
      experiences: recorded,
      gate: { verdict: report.gate, reason: report.reason, ope: report.train.ope },
      fallbacks,
      loggingMs,
      trainingMs,
    };
  } finally {
    await learning.close();
  }
}

/**
 * The session a ladder produces on a task, in the design's shape: one executor step, one attempt per model tried
 * (success revealed by the table, drawn from `random` when fractional; tokens, latency and cost as recorded), a
 * fallback rotation before each next model, and the step completed when an attempt succeeded.
 */
export function playLadder(table: ReplayTable, task: number, ladder: readonly number[], decision: Pick<LearningDecision, 'sessionId'>, random: SeededRandom, now: () => number) {
  const models = table.modelIds.length;
  const tracker = new OrchestratorIntegration({ sessionId: decision.sessionId, now: () => new Date(now()) });
  const step = tracker.stepStarted({ agent: 'executor', id: 'execute' });
  let succeeded = false;
  let previous: string | null = null;
  for (const model of ladder) {
    const cell = task * models + model;
    const probability = table.success[cell]!;
    if (Number.isNaN(probability)) continue;
    const modelId = table.modelIds[model]!;
    if (previous !== null) tracker.fallbackRotation(step, { from: previous, to: modelId });
    const success = probability >= 1 ? true : probability <= 0 ? false : random.next() < probability;
    const inputTokens = table.inputTokens[cell]!;
    const outputTokens = table.outputTokens[cell]!;
    tracker.modelAttempt(step, {
      model: modelId,
      ...(inputTokens >= 0 ? { inputTokens } : {}),
      ...(outputTokens >= 0 ? { outputTokens } : {}),
      latencyMs: table.latencyMs[cell]!,
      costUsd: table.costUsd[cell]!,
      success,
    });
    previous = modelId;
    if (success) {
      succeeded = true;
      break;
    }
  }
  tracker.stepEnded(step, succeeded ? 'completed' : 'failed');
  return tracker.finish(succeeded ? 'completed' : 'failed');
}
