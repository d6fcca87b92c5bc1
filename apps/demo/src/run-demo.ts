import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLearning, DefaultLearningRuntime, RolloutRuleError, type LearningDecision, type TrainReport } from '@orchestra/learning';
import { createRng, HistoryIndex } from '@orchestra/learning-features';
import { loadModelArtifact, PolicyRouter, RulesPolicy } from '@orchestra/learning-policy';
import { writeLearningReport, type GateVerdict, type ReportExtrasInput, type TimelineEvent } from '@orchestra/learning-report';
import { runSession, sampleSystem, sampleTask, worldAtSession, worldChangePoints } from '@orchestra/learning-sim';
import { DEFAULT_COST_WEIGHT, type LearningMode } from '@orchestra/learning-types';
import { validateDemoOptions, type DemoOptionsInput } from './demo-options';
import { drawHeldOutTasks, evaluateOnTasks, policyInputOf, type HeldOutTask, type PolicyMetrics, type PolicyRun } from './held-out-evaluation';
import { DemoWorldError, loadWorld } from './load-world';
import { startOracle } from './oracle-actions';
import { defaultInferredContextOracleEffort, type InferredContextOracleEffort } from './oracle-on-inferred-context';
import { SimulatedClock } from './simulated-clock';
import { meanWithInterval, pairedDifference } from './statistics';

/**
 * Trainer settings of the demo: q-distillation with the linear critic (a Bayesian linear model factorised over the
 * action heads): each logged action is improved head by head where the lower confidence bound (mean − 1 sd) of the
 * gain is positive, at most 2 passes, and the actor clones the improved actions. Measured on the default world
 * (seed 11, one training on shadow logs, 1,000 held-out tasks): +4.3 [1.4, 7.2] after 6,000 sessions at −9 % cost,
 * ≈ 0 after 2,000 (README).
 */
export const demoTrainerConfig = {
  actor: { hiddenSizes: [256, 128] },
  critic: { hiddenSizes: [256, 128] },
  batchSize: 128,
  offline: { objective: 'q-distillation', rewardModelStructure: 'linear', behaviourCloningEpochs: 0, epochs: 25, earlyStoppingPatience: 5, improvementRounds: 2, rewardModelPessimism: 1 },
} as const;

/** Oracle search effort (candidates after the closed-form screen × rollouts each). */
export const demoOracleEffort = { candidates: 16, rollouts: 128 } as const;

/** One progress line of the demo. */
export interface DemoProgress {
  phase: 'setup' | 'shadow' | 'train' | 'deploy' | 'ab_test' | 'production' | 'evaluate' | 'report';
  message: string;
  /** Sessions simulated so far (of the budget). */
  sessionsSeen: number;
}

/** An off-policy estimate as the deploy gate made it (before deployment), next to what was then measured. */
export interface OpeRound {
  model: string;
  /** Sessions in the buffer the model was trained on. */
  sessionsSeen: number;
  estimator: string | null;
  /** Estimated mean reward of the learned policy and of the rules on the held-out (most recent) logs, with 95 % CIs. */
  learned: { value: number; ci: [number, number]; effectiveSampleSize: number } | null;
  rules: { value: number; ci: [number, number]; effectiveSampleSize: number } | null;
  difference: { value: number; ci: [number, number] } | null;
  beatsRules: boolean | null;
  /** Why no estimate could be made (e.g. too little overlap with the logging policy). */
  error: string | null;
  /** Deployed: only when the gate passed (`forced` is always false: the demo never overrides the gate). */
  deployed: boolean;
  /** Refused but not found worse than the rules: it became the exploration candidate of shadow mode. */
  explored: boolean;
  /**
   * A re-look at the exploration candidate (`model`, trained earlier) on the logs it explored on: which look (1, 2,
   * …) and at what confidence; null for the gate at training.
   */
  look: { index: number; confidence: number; freshLogs: number; candidateActed: number; supported: boolean } | null;
  forced: boolean;
  /** Measured afterwards on the held-out tasks: greedy learned − rules (mean and 95 % CI, same tasks). */
  measured: { learned: number; rules: number; difference: number; ci: [number, number] };
  trainingMs: number;
}

/** The cost weights of the cost–quality curve: 0, ½, 1, 2 and 4 × the default weight (`DEFAULT_COST_WEIGHT`, 1). */
export const demoCostWeights: readonly number[] = [0, 0.5, 1, 2, 4].map((factor) => factor * DEFAULT_COST_WEIGHT);

/** One point of a cost–quality curve: the held-out success rate and cost per session of decisions made with `costWeight`. */
export interface CostQualityPoint {
  costWeight: number;
  successRate: number;
  costPerSession: number;
  meanReward: number;
}

/** One point of the learning curve: held-out mean reward vs sessions seen. */
export interface LearningCurvePoint {
  sessionsSeen: number;
  rules: number;
  learned: number;
  oracle: number;
}

/** What `runDemo` returns; `--json` prints it (the contract other tools read). */
export interface DemoSummary {
  world: string;
  worldSource: string;
  seed: number;
  sessions: number;
  evaluationTasks: number;
  dataDir: string;
  reportPath: string;
  /**
   * `oracleOnInferredContext`: the oracle restricted to the inferred kind every policy perceives (one action per
   * inferred kind, the best in expectation over the true tasks perceived as that kind; see `oracleOnInferredContext`).
   */
  policies: { rules: PolicyMetrics; learned: PolicyMetrics; oracle: PolicyMetrics; oracleOnInferredContext: PolicyMetrics };
  /** (learned − rules) / (oracle − rules) on the held-out tasks. */
  gapClosed: number;
  /** (oracleOnInferredContext − rules) / (oracle − rules): the share of the gap a policy of the inferred kind alone can close. */
  gapClosedOnInferredContext: number;
  /** Paired learned − rules on the held-out tasks, with its 95 % CI. */
  learnedMinusRules: { mean: number; ci: [number, number] };
  /** Cost per session of the learned policy relative to the rules (0.3 = 30 % cheaper). */
  costReduction: number;
  ope: OpeRound[];
  learningCurve: LearningCurvePoint[];
  /**
   * The cost–quality knob of the policy that serves at the end (the deployed model, else the rules: `policies.learned`'s
   * policy), on the held-out tasks: one point per weight of `demoCostWeights`, decisions made with `costWeight` and
   * nothing retrained. The point at weight 1 is `policies.learned`.
   */
  costQualityCurve: CostQualityPoint[];
  /**
   * The knob of each policy on the same tasks: the rules, and the learned policy (the deployed model, else the last
   * trained candidate even though the gate refused it; null before any training). `monotone`: cost per session never
   * rises with the weight.
   */
  costQualityCurves: {
    served: 'rules' | 'learned';
    rules: { points: CostQualityPoint[]; monotone: boolean };
    learned: { model: string; deployed: boolean; points: CostQualityPoint[]; monotone: boolean } | null;
  };
  phases: {
    shadow: { sessions: number; meanReward: number };
    abTest: { sessions: number; learnedSessions: number; rampEvents: string[] };
    production: { sessions: number; meanReward: number };
    trainings: number;
    finalMode: LearningMode;
    finalModel: string | null;
    fallbacks: Record<string, number>;
  };
  goals: {
    beatsRulesWithCI: boolean;
    gapClosedAtLeast70Percent: boolean;
    cost30PercentLowerAtEqualOrBetterSuccess: boolean;
  };
  settings: { exploration: number; candidateShare: number; shadowSessions: number; retrainEvery: number; sessionsPerStep: number; abTestSessionsBeforeProduction: number; guardrails: { maxRewardDrop: number; maxErrorRateIncrease: number; maxCostRatio: number; standardErrors: number }; trainer: Record<string, unknown>; learnedSelection: 'argmax' | 'sample'; oracle: typeof demoOracleEffort & { kinds: number; inWorker: boolean; cpuMs: number; onInferredContext: InferredContextOracleEffort & { kinds: number; sessions: number; cpuMs: number } } };
  /** `costQualityMs`: the cost–quality curves (every policy re-deciding and re-playing the held-out tasks per weight). */
  timings: { totalMs: number; trainingMs: number; oracleWaitMs: number; costQualityMs: number; cpuMs: number };
  /**
   * Online drift detection: whether it ran, the world's scheduled changes, what was detected (session index, what,
   * the response) and the realised reward per window of sessions (the dip after a change and the recovery).
   */
  drift: {
    enabled: boolean;
    changes: Array<{ atSession: number; description: string | null }>;
    events: Array<{ session: number; subject: string; metric: string; direction: 'up' | 'down'; degraded: boolean; baseline: number; changed: number; response: string }>;
    /** Sessions at which the demo retrained early because drift detection found a change for the worse. */
    retrainingsAfterDrift: number[];
    windows: Array<{ from: number; to: number; meanReward: number; successRate: number; modes: string[] }>;
  };
}

/**
 * What the report shows beyond the data dir (whose state file says what is deployed): the held-out comparison, every
 * gate verdict, the timeline of the whole run (the state file keeps only the last events), the held-out curve.
 */
export function reportExtrasOf(summary: DemoSummary, timeline: readonly TimelineEvent[], gateReasons: ReadonlyMap<string, string | null>, learnedDeployed: boolean): ReportExtrasInput {
  const policy = (name: string, metrics: PolicyMetrics) => ({ name, meanReward: metrics.meanReward, ci: metrics.meanRewardCI, successRate: metrics.successRate, costPerSession: metrics.costPerSession });
  const estimate = (entry: { value: number; ci: [number, number]; effectiveSampleSize: number } | null) => (entry === null ? null : { value: entry.value, ci: entry.ci, effectiveSampleSize: entry.effectiveSampleSize });
  const gates: GateVerdict[] = summary.ope.map((round) => ({
    model: round.model,
    sessionsSeen: round.sessionsSeen,
    estimator: round.estimator,
    learned: estimate(round.learned),
    rules: estimate(round.rules),
    difference: round.difference,
    verdict: round.deployed ? 'passed' : round.difference === null ? 'not-evaluated' : 'refused',
    reason: round.error ?? gateReasons.get(round.model) ?? null,
    deployed: round.deployed,
  }));
  return {
    heldOut: {
      description: `${summary.evaluationTasks} fresh held-out tasks, the same for every policy (world ${summary.world} as it ends)`,
      // Without a deployed model the rules serve the "learned" arm: no learned row, no difference (it would read 0 ± 0).
      policies: [policy('rules', summary.policies.rules), ...(learnedDeployed ? [policy('learned', summary.policies.learned)] : []), policy('oracle', summary.policies.oracle), policy('oracle on inferred context', summary.policies.oracleOnInferredContext)],
      ...(learnedDeployed ? { difference: { mean: summary.learnedMinusRules.mean, ci: summary.learnedMinusRules.ci } } : {}),
      measured: true,
    },
    gates,
    events: [...timeline],
    heldOutCurve: summary.learningCurve,
    // The knob's curve of the policy that serves at the end (the rules while nothing is deployed).
    costWeightCurve: summary.costQualityCurve.map(({ costWeight, successRate, costPerSession }) => ({ costWeight, successRate, costPerSession })),
    costWeightCurvePolicy: learnedDeployed ? 'learned' : 'rules',
  };
}

async function prepareDataDir(requested: string | undefined): Promise<string> {
  if (requested === undefined) return mkdtemp(join(tmpdir(), 'orchestra-demo-'));
  const directory = resolve(requested);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const entries = await readdir(directory);
  if (entries.length > 0) throw new DemoWorldError({ path: directory, message: `data dir ${directory} is not empty; the demo starts from a fresh one` });
  return directory;
}

function mergeConfig(base: Record<string, unknown>, override: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = merged[key];
    merged[key] =
      typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object' && current !== null && !Array.isArray(current)
        ? mergeConfig(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return merged;
}

function round(value: number, digits = 4): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** Realised mean reward, success rate and modes per window of consecutive sessions. */
function rewardWindows(rewards: readonly number[], successes: readonly boolean[], modes: readonly string[], size: number): DemoSummary['drift']['windows'] {
  const windows: DemoSummary['drift']['windows'] = [];
  for (let from = 0; from < rewards.length; from += size) {
    const to = Math.min(rewards.length, from + size);
    const slice = rewards.slice(from, to);
    windows.push({
      from,
      to,
      meanReward: round(slice.reduce((sum, value) => sum + value, 0) / slice.length),
      successRate: round(successes.slice(from, to).filter(Boolean).length / slice.length),
      modes: [...new Set(modes.slice(from, to))],
    });
  }
  return windows;
}

/**
 * Runs the whole loop on one world: shadow phase → offline training → off-policy evaluation → A/B ramp → production
 * with periodic retraining → held-out evaluation of rules, learned policy (greedy) and oracle on the same fresh
 * tasks. Everything goes through the libraries a real orchestrator uses (`createLearning`, the simulator standing
 * in for the agents); writes `report.html` and `summary.json` into the data dir.
 */
export async function runDemo(input: DemoOptionsInput, onProgress: (progress: DemoProgress) => void = () => {}): Promise<DemoSummary> {
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const options = validateDemoOptions(input);
  const { world: scheduledWorld, name: worldName, source: worldSource } = await loadWorld(options.world);
  const changePoints = worldChangePoints(scheduledWorld);
  const driftEnabled = options.drift === 'on' || (options.drift === 'auto' && changePoints.length > 0);
  // Sessions play in the world as scheduled; the held-out evaluation (and the oracle) in the world as it ends.
  const world = worldAtSession(scheduledWorld, options.sessions);
  const dataDir = await prepareDataDir(options.dataDir);
  const total = options.sessions;
  const shadowSessions = Math.max(100, Math.round(total * options.shadowShare));
  const retrainEvery = options.retrainEvery ?? Math.max(400, Math.round(total / 5));
  const sessionsPerStep = options.sessionsPerStep ?? Math.max(20, Math.round(total / 100));
  const abTestSessionsBeforeProduction = sessionsPerStep * 5;
  let sessionsSeen = 0;
  const progress = (phase: DemoProgress['phase'], message: string) => onProgress({ phase, message, sessionsSeen });

  // The held-out tasks are drawn first, from their own stream, and the oracle starts on them at once (second core).
  const heldOut = drawHeldOutTasks(world, options.evaluationTasks, options.seed);
  const curveTasks = heldOut.slice(0, Math.min(heldOut.length, 500));
  const oracleAnswer = startOracle(
    { world, tasks: heldOut.map((entry) => entry.task), ...demoOracleEffort, seed: options.seed, inferredContext: defaultInferredContextOracleEffort },
    options.oracleWorker,
  );
  progress('setup', `world ${worldName} (${worldSource}); data dir ${dataDir}; budget ${total} sessions (shadow ${shadowSessions}, retrain every ${retrainEvery}); ${heldOut.length} held-out tasks`);

  // Simulated time: experience timestamps (and the history features decayed by them) never read the wall clock.
  const clock = new SimulatedClock();
  const runtime = new DefaultLearningRuntime({
    seed: options.seed,
    // No latency fallback: how long a decision took on a loaded machine must not change what the demo decides.
    latencyBudgetMs: Number.POSITIVE_INFINITY,
    exploration: { shadow: options.exploration, ab_test: options.exploration, production: 0 },
    candidateShare: options.candidateShare,
    learnedOptions: options.learnedSelection === 'argmax' ? { selection: 'argmax', epsilon: options.exploration, seed: options.seed } : { selection: 'sample', seed: options.seed },
  });
  const learning = await createLearning({
    cwd: dataDir,
    env: {},
    dataDir,
    runtime,
    clock: clock.read,
    // The mode is not pinned here (that would make the persisted mode, which the rollout rules move, ineffective).
    config: {
      seed: options.seed,
      exploration: options.exploration,
      candidateShare: options.candidateShare,
      reloadIntervalMs: 0,
      // The library's guardrails are sized to the sample (a breach must also exceed two standard errors), and a whole
      // A/B period past them withdraws the model.
      rollout: { sessionsPerStep, abTestSessionsBeforeProduction, autoRamp: true },
      drift: { enabled: driftEnabled },
    },
  });
  await learning.setMode('shadow');
  const history = new HistoryIndex();
  const taskRandom = createRng(options.seed);
  const sessionRandom = createRng((options.seed + 0x9e3779b9) >>> 0);
  const ope: OpeRound[] = [];
  const curve: Array<{ sessionsSeen: number; learned: PolicyRun }> = [];
  const rampEvents: string[] = [];
  // The report's timeline: every mode change, ramp step, breach, deployment, refusal and drift event, by session.
  const timeline: TimelineEvent[] = [];
  const gateReasons = new Map<string, string | null>();
  let previousMode: string | null = null;
  const phaseRewards = { shadow: [] as number[], ab_test: [] as number[], production: [] as number[] };
  let learnedSessionsInAb = 0;
  let learnedSessionsInAbTotal = 0;
  let productionSince: number | null = null;
  let abSessionsSinceDeploy = 0;
  let lastTrainingAt = 0;
  let trainingMs = 0;
  let trainings = 0;
  let currentModel: string | null = null;
  const rules = new RulesPolicy({ config: { epsilon: 0 } });
  const sessionRewards: number[] = [];
  const sessionSuccesses: boolean[] = [];
  const sessionModes: string[] = [];
  const driftEvents: DemoSummary['drift']['events'] = [];
  const retrainingsAfterDrift: number[] = [];
  const driftEventsSeen = new Set<string>();
  let retrainAfterDriftAt: number | null = null;
  const trainerConfig = mergeConfig(demoTrainerConfig, options.trainerConfig ?? {});

  // `costWeight` undefined: the policies' default trade-off (the decisions of a run without the knob).
  const evaluateRulesOn = (tasks: readonly HeldOutTask[], costWeight?: number) =>
    evaluateOnTasks(world, tasks, (entry, index) => rules.decide({ ...policyInputOf(entry, history, `rules-${index}`), costWeight }).action);
  const evaluateModelOn = async (directory: string, tasks: readonly HeldOutTask[], costWeight?: number) => {
    const router = new PolicyRouter({ mode: 'production', environment: {}, latencyBudgetMs: Number.POSITIVE_INFINITY, learnedOptions: { selection: 'argmax' } });
    router.setModel(await loadModelArtifact(directory));
    const run = evaluateOnTasks(world, tasks, (entry, index) => router.decide({ ...policyInputOf(entry, history, `learned-${index}`), costWeight }).action);
    return { run, fallbacks: router.statistics().fallbacks };
  };

  const trainAndDeploy = async () => {
    trainings += 1;
    const version = `demo-v${trainings}`;
    const output = join(dataDir, 'candidates', version);
    progress('train', `improving: training ${version} on ${sessionsSeen} logged sessions (linear critic, improvements where its lower bound gains, cloned by the actor) → deploy gate…`);
    const trainStarted = performance.now();
    // One step of the library's loop: train → gate → deploy and start an A/B period only when the gate passes.
    const step = await learning.improve({
      output,
      version,
      trainerConfig: { ...trainerConfig, seed: options.seed + trainings },
      // The gate judges the candidate as the runtime would serve it.
      servedAs: options.learnedSelection === 'argmax' ? { selection: 'argmax', epsilon: options.exploration } : { selection: 'sample' },
    });
    const report: TrainReport = step.train;
    const elapsed = performance.now() - trainStarted;
    trainingMs += elapsed;
    const comparison = report.ope as null | {
      estimator?: string;
      target?: { value: number; lower: number; upper: number; effectiveSampleSize: number };
      baseline?: { value: number; lower: number; upper: number; effectiveSampleSize: number };
      difference?: { value: number; lower: number; upper: number };
    };
    const curveRules = evaluateRulesOn(curveTasks);
    const { run: learnedRun } = await evaluateModelOn(output, curveTasks);
    curve.push({ sessionsSeen, learned: learnedRun });
    const measured = pairedDifference(learnedRun.rewards, curveRules.rewards);
    const relook = step.regate;
    const passed = step.deployed !== null && relook?.passed !== true;
    if (relook !== null) {
      // The re-look at the exploration candidate on the logs it explored on (its own artifact, trained earlier).
      const relookRun = (await evaluateModelOn(relook.candidateDirectory, curveTasks)).run;
      const relookMeasured = pairedDifference(relookRun.rewards, curveRules.rewards);
      const { value, lower, upper } = relook.difference;
      ope.push({
        model: relook.version,
        sessionsSeen,
        estimator: `doubly-robust re-look ${relook.look}`,
        learned: null,
        rules: null,
        difference: { value, ci: [lower, upper] },
        beatsRules: relook.passed,
        error: null,
        deployed: relook.passed,
        explored: step.candidate.status === 'kept',
        look: { index: relook.look, confidence: relook.confidence, freshLogs: relook.freshLogs, candidateActed: relook.candidateActed, supported: relook.supported },
        forced: false,
        measured: { learned: relookRun.metrics.meanReward, rules: curveRules.metrics.meanReward, difference: relookMeasured.mean, ci: relookMeasured.interval },
        trainingMs: 0,
      });
      const verdict = relook.passed ? 'passed: deployed, ab_test at the first ramp step' : step.candidate.status === 'kept' ? 'not passed; it keeps exploring' : 'not passed';
      timeline.push({ session: sessionsSeen, kind: relook.passed ? 'deploy' : 'refused', message: `re-look ${relook.look} at ${relook.version} on the ${relook.freshLogs} logs it explored on: ${value.toFixed(2)} [${lower.toFixed(2)}, ${upper.toFixed(2)}] at ${(relook.confidence * 100).toFixed(2)} % — ${verdict}` });
      progress('train', `re-look ${relook.look} at ${relook.version} on ${relook.freshLogs} logs (it acted on ${relook.candidateActed}): learned − rules ${value.toFixed(2)} [${lower.toFixed(2)}, ${upper.toFixed(2)}] at ${(relook.confidence * 100).toFixed(2)} % — ${verdict}; measured ${relookMeasured.mean.toFixed(2)} [${relookMeasured.interval[0].toFixed(2)}, ${relookMeasured.interval[1].toFixed(2)}]`);
      if (relook.passed) {
        currentModel = relook.version;
        learnedSessionsInAb = 0;
        abSessionsSinceDeploy = 0;
        productionSince = null;
      }
    }
    gateReasons.set(version, step.reason ?? null);
    timeline.push({ session: sessionsSeen, kind: passed ? 'deploy' : 'refused', message: passed ? `${version} passed the deploy gate: deployed, ab_test at the first ramp step` : `${version} refused by the deploy gate: ${step.reason ?? 'gate refused'}` });
    const round_: OpeRound = {
      model: version,
      sessionsSeen,
      estimator: comparison?.estimator ?? null,
      learned: comparison?.target === undefined ? null : { value: comparison.target.value, ci: [comparison.target.lower, comparison.target.upper], effectiveSampleSize: comparison.target.effectiveSampleSize },
      rules: comparison?.baseline === undefined ? null : { value: comparison.baseline.value, ci: [comparison.baseline.lower, comparison.baseline.upper], effectiveSampleSize: comparison.baseline.effectiveSampleSize },
      difference: comparison?.difference === undefined ? null : { value: comparison.difference.value, ci: [comparison.difference.lower, comparison.difference.upper] },
      beatsRules: report.beatsRules,
      error: report.opeError,
      deployed: passed,
      explored: step.candidate.status === 'explored',
      look: null,
      forced: false,
      measured: { learned: learnedRun.metrics.meanReward, rules: curveRules.metrics.meanReward, difference: measured.mean, ci: measured.interval },
      trainingMs: elapsed,
    };
    ope.push(round_);
    lastTrainingAt = sessionsSeen;
    const interval = (entry: { value: number; ci: [number, number] } | null) => (entry === null ? 'no estimate' : `${entry.value.toFixed(2)} [${entry.ci[0].toFixed(2)}, ${entry.ci[1].toFixed(2)}]`);
    const measuredText = `measured on held-out tasks: learned − rules = ${measured.mean.toFixed(2)} [${measured.interval[0].toFixed(2)}, ${measured.interval[1].toFixed(2)}]`;
    if (relook?.passed === true) {
      progress('train', `${version}: ${report.epochs} epochs in ${(elapsed / 1000).toFixed(1)} s; ${step.train.beatsRules === false ? 'its gate refused' : 'not evaluated'}; ${measuredText}`);
      progress('deploy', `deployed ${relook.version} (re-look ${relook.look}); mode ab_test at ${learning.abFraction * 100} %`);
      return;
    }
    if (!passed) {
      const exploring =
        step.candidate.status === 'explored'
          ? `; it explores on ${options.candidateShare * 100} % of shadow sessions`
          : step.candidate.status === 'kept'
            ? `; ${step.candidate.model?.version ?? 'the exploration candidate'} keeps exploring`
            : step.candidate.status === 'withdrawn'
              ? '; the exploration candidate is withdrawn'
              : '';
      progress('train', `${version}: ${report.epochs} epochs in ${(elapsed / 1000).toFixed(1)} s; ${step.reason ?? 'gate refused'}; not deployed (${currentModel ?? 'the rules'} keeps acting)${exploring}; ${measuredText}`);
      return;
    }
    progress('train', `${version}: ${report.epochs} epochs in ${(elapsed / 1000).toFixed(1)} s; gate passed: estimated learned − rules ${interval(round_.difference)}; ${measuredText}`);
    currentModel = version;
    learnedSessionsInAb = 0;
    abSessionsSinceDeploy = 0;
    productionSince = null;
    progress('deploy', `deployed ${version}; mode ab_test at ${learning.abFraction * 100} % (ramp ${[0.1, 0.25, 0.5, 1].map((step) => `${step * 100} %`).join(' → ')} after ${sessionsPerStep} learned sessions per step within the guardrails)`);
  };

  progress('shadow', `shadow phase: the rules act (ε = ${options.exploration}, exact propensities) and every session is recorded`);
  for (let index = 0; index < total; index += 1) {
    const task = sampleTask(world, taskRandom);
    const system = sampleSystem(world, taskRandom);
    const decision: LearningDecision = learning.decide({ description: task.description, files: task.files, system, sessionId: `demo-${options.seed}-${index}` });
    const simulated = runSession(worldAtSession(scheduledWorld, index), task, decision.action, sessionRandom, { system, sessionId: decision.sessionId });
    clock.advance(options.sessionSpacingMs ?? simulated.outcome.durationMs);
    const result = await learning.record(simulated.session, decision, { outcome: simulated.outcome });
    sessionRewards.push(result.reward);
    sessionSuccesses.push(simulated.outcome.success);
    sessionModes.push(decision.mode);
    if (previousMode !== null && decision.mode !== previousMode) {
      timeline.push({ session: index, kind: decision.mode === 'shadow' ? 'rollback' : 'mode', message: `mode ${previousMode} → ${decision.mode}${decision.mode === 'shadow' ? ' (the learned policy withdrawn)' : ''}` });
    }
    previousMode = decision.mode;
    if (driftEnabled) {
      for (const event of learning.driftEvents) {
        const key = `${event.at}|${event.sessionsRecorded}|${event.subject}|${event.metric}|${event.direction}`;
        if (driftEventsSeen.has(key)) continue;
        driftEventsSeen.add(key);
        timeline.push({ session: index, kind: 'drift', message: `drift: ${event.subject} ${event.metric} ${event.direction} (${round(event.baseline, 3)} → ${round(event.changed, 3)}); response: ${event.response}` });
        driftEvents.push({ session: index, subject: event.subject, metric: event.metric, direction: event.direction, degraded: event.degraded, baseline: round(event.baseline), changed: round(event.changed), response: event.response });
        progress(learning.mode === 'shadow' ? 'shadow' : learning.mode === 'production' ? 'production' : 'ab_test', `after ${index + 1} sessions: drift ${event.subject} ${event.metric} ${event.direction} (${round(event.baseline, 3)} → ${round(event.changed, 3)}); response: ${event.response}`);
        // A change for the worse: retrain half a period later (the raised exploration around what changed has
        // gathered evidence of the new world by then) instead of waiting for the schedule.
        if (event.degraded && retrainAfterDriftAt === null) retrainAfterDriftAt = index + 1 + Math.round(retrainEvery / 2);
      }
    }
    if (result.experience !== null) history.update(result.experience);
    sessionsSeen = index + 1;
    const mode = decision.mode;
    if (mode === 'shadow' || mode === 'ab_test' || mode === 'production') phaseRewards[mode].push(result.reward);
    if (mode === 'ab_test') {
      abSessionsSinceDeploy += 1;
      if (decision.source === 'learned') {
        learnedSessionsInAb += 1;
        learnedSessionsInAbTotal += 1;
      }
    }
    if (result.ramp.kind === 'ramped') {
      const line = `after ${sessionsSeen} sessions: A/B fraction ${result.ramp.from * 100} % → ${result.ramp.to * 100} %`;
      rampEvents.push(line);
      timeline.push({ session: sessionsSeen, kind: 'ramp', message: `A/B fraction ${result.ramp.from * 100} % → ${result.ramp.to * 100} %` });
      progress('ab_test', line);
    } else if (result.ramp.kind === 'breach') {
      const line = `after ${sessionsSeen} sessions: guardrail breach (${result.ramp.reasons.join('; ')}); back to ${result.ramp.to * 100} %`;
      rampEvents.push(line);
      timeline.push({ session: sessionsSeen, kind: 'breach', message: `guardrail breach (${result.ramp.reasons.join('; ')}); back to ${result.ramp.to * 100} %` });
      progress('ab_test', line);
    }
    if (mode === 'ab_test' && learning.abFraction >= 1 && learnedSessionsInAb >= abTestSessionsBeforeProduction && abSessionsSinceDeploy % 10 === 0) {
      try {
        await learning.setMode('production');
        productionSince = sessionsSeen;
        rampEvents.push(`after ${sessionsSeen} sessions: production (${learnedSessionsInAb} learned sessions served in ab_test)`);
        progress('production', `production: the learned policy acts (sampling from its distribution: its own exploration feeds the next update)`);
      } catch (error) {
        if (!RolloutRuleError.isInstance(error)) throw error;
      }
    }
    if (retrainAfterDriftAt !== null && sessionsSeen >= retrainAfterDriftAt && total - sessionsSeen >= retrainEvery / 4) {
      retrainAfterDriftAt = null;
      retrainingsAfterDrift.push(sessionsSeen);
      await trainAndDeploy();
    } else if (sessionsSeen === shadowSessions) {
      progress('shadow', `shadow phase done: ${shadowSessions} sessions, mean reward ${meanWithInterval(phaseRewards.shadow).mean.toFixed(2)}`);
      await trainAndDeploy();
    } else if (
      sessionsSeen > shadowSessions &&
      total - sessionsSeen >= retrainEvery / 2 &&
      // Retrain once a model has served half a period in production; one stuck in its A/B period (guardrail
      // breaches) is replaced after two periods.
      // Without a deployed model (the gate refused), retrain every period on the grown logs.
      ((currentModel === null && sessionsSeen - lastTrainingAt >= retrainEvery) ||
        (productionSince !== null && sessionsSeen - productionSince >= retrainEvery / 2 && sessionsSeen - lastTrainingAt >= retrainEvery) ||
        sessionsSeen - lastTrainingAt >= 2 * retrainEvery)
    ) {
      await trainAndDeploy();
    }
    if (sessionsSeen % Math.max(100, Math.round(total / 20)) === 0) {
      progress(learning.mode === 'production' ? 'production' : learning.mode === 'ab_test' ? 'ab_test' : 'shadow', `${sessionsSeen}/${total} sessions; mode ${learning.mode}${learning.mode === 'ab_test' ? ` at ${learning.abFraction * 100} %` : ''}`);
    }
  }
  const finalMode = learning.mode;
  const finalModelDirectory = learning.deployed?.directory ?? null;

  // Final held-out evaluation: the same fresh tasks for the three policies.
  progress('evaluate', `held-out evaluation on ${heldOut.length} fresh tasks (rules, learned greedy, oracle)…`);
  const rulesRun = evaluateRulesOn(heldOut);
  let learnedRun: PolicyRun;
  let fallbacks: Record<string, number> = {};
  if (finalModelDirectory === null) {
    learnedRun = rulesRun;
  } else {
    const evaluated = await evaluateModelOn(finalModelDirectory, heldOut);
    learnedRun = evaluated.run;
    fallbacks = { ...evaluated.fallbacks };
  }
  // The cost–quality knob on the same held-out tasks: decisions made with each weight, nothing retrained.
  progress('evaluate', `cost–quality curve: the rules${trainings > 0 ? ' and the learned policy' : ''} at cost weights ${demoCostWeights.join(', ')}…`);
  const pointOf = (costWeight: number, run: PolicyRun): CostQualityPoint => ({
    costWeight,
    successRate: run.metrics.successRate,
    costPerSession: run.metrics.costPerSession,
    meanReward: run.metrics.meanReward,
  });
  const monotone = (points: readonly CostQualityPoint[]) => points.every((point, index) => index === 0 || point.costPerSession <= points[index - 1]!.costPerSession);
  const costQualityStarted = performance.now();
  const rulesCurve = demoCostWeights.map((costWeight) => pointOf(costWeight, evaluateRulesOn(heldOut, costWeight)));
  const learnedCurveModel = finalModelDirectory ?? (trainings > 0 ? join(dataDir, 'candidates', `demo-v${trainings}`) : null);
  const learnedCurvePoints: CostQualityPoint[] = [];
  if (learnedCurveModel !== null) {
    for (const costWeight of demoCostWeights) learnedCurvePoints.push(pointOf(costWeight, (await evaluateModelOn(learnedCurveModel, heldOut, costWeight)).run));
  }
  const costQualityCurves: DemoSummary['costQualityCurves'] = {
    served: finalModelDirectory === null ? 'rules' : 'learned',
    rules: { points: rulesCurve, monotone: monotone(rulesCurve) },
    learned:
      learnedCurveModel === null
        ? null
        : { model: finalModelDirectory === null ? `demo-v${trainings}` : (currentModel ?? 'deployed'), deployed: finalModelDirectory !== null, points: learnedCurvePoints, monotone: monotone(learnedCurvePoints) },
  };
  const costQualityCurve = finalModelDirectory === null ? rulesCurve : learnedCurvePoints;
  const costQualityMs = performance.now() - costQualityStarted;

  const oracleWaitStarted = performance.now();
  const answer = await oracleAnswer();
  const oracleWaitMs = performance.now() - oracleWaitStarted;
  const oracleRun = evaluateOnTasks(world, heldOut, (_entry, index) => answer.actions[index]!);
  const learningGuardrails = { ...learning.config.rollout.guardrails };
  const onInferred = answer.onInferredContext;
  if (onInferred === null) throw new Error('the oracle job was asked for the inferred-context oracle and returned none');
  const inferredOracleRun = evaluateOnTasks(world, heldOut, (_entry, index) => onInferred.actions[index]!);
  await learning.close();

  const gap = oracleRun.metrics.meanReward - rulesRun.metrics.meanReward;
  const gapClosed = gap === 0 ? 0 : (learnedRun.metrics.meanReward - rulesRun.metrics.meanReward) / gap;
  const gapClosedOnInferredContext = gap === 0 ? 0 : (inferredOracleRun.metrics.meanReward - rulesRun.metrics.meanReward) / gap;
  const difference = pairedDifference(learnedRun.rewards, rulesRun.rewards);
  const costReduction = rulesRun.metrics.costPerSession === 0 ? 0 : 1 - learnedRun.metrics.costPerSession / rulesRun.metrics.costPerSession;

  // Learning curve: the rules and the oracle on the curve tasks (constant policies), the learned policy after every training.
  const curveCount = curveTasks.length;
  const meanOf = (values: number[]) => meanWithInterval(values.slice(0, curveCount)).mean;
  const learningCurve: LearningCurvePoint[] = [
    { sessionsSeen: 0, rules: meanOf(rulesRun.rewards), learned: meanOf(rulesRun.rewards), oracle: meanOf(oracleRun.rewards) },
    ...curve.map((point) => ({ sessionsSeen: point.sessionsSeen, rules: meanOf(rulesRun.rewards), learned: point.learned.metrics.meanReward, oracle: meanOf(oracleRun.rewards) })),
    { sessionsSeen: total, rules: meanOf(rulesRun.rewards), learned: meanOf(learnedRun.rewards), oracle: meanOf(oracleRun.rewards) },
  ];

  const reportPath = join(dataDir, 'report.html');

  const cpu = process.cpuUsage(cpuStarted);
  const summary: DemoSummary = {
    world: worldName,
    worldSource,
    seed: options.seed,
    sessions: total,
    evaluationTasks: heldOut.length,
    dataDir,
    reportPath,
    policies: { rules: rulesRun.metrics, learned: learnedRun.metrics, oracle: oracleRun.metrics, oracleOnInferredContext: inferredOracleRun.metrics },
    gapClosed: round(gapClosed),
    gapClosedOnInferredContext: round(gapClosedOnInferredContext),
    learnedMinusRules: { mean: difference.mean, ci: difference.interval },
    costReduction: round(costReduction),
    ope,
    learningCurve,
    costQualityCurve,
    costQualityCurves,
    phases: {
      shadow: { sessions: phaseRewards.shadow.length, meanReward: meanWithInterval(phaseRewards.shadow).mean },
      abTest: { sessions: phaseRewards.ab_test.length, learnedSessions: learnedSessionsInAbTotal, rampEvents },
      production: { sessions: phaseRewards.production.length, meanReward: meanWithInterval(phaseRewards.production).mean },
      trainings,
      finalMode,
      finalModel: currentModel,
      fallbacks,
    },
    goals: {
      beatsRulesWithCI: difference.interval[0] > 0,
      gapClosedAtLeast70Percent: gapClosed >= 0.7,
      cost30PercentLowerAtEqualOrBetterSuccess: costReduction >= 0.3 && learnedRun.metrics.successRate >= rulesRun.metrics.successRate,
    },
    settings: {
      exploration: options.exploration,
      candidateShare: options.candidateShare,
      shadowSessions,
      retrainEvery,
      sessionsPerStep,
      abTestSessionsBeforeProduction,
      guardrails: learningGuardrails,
      trainer: trainerConfig,
      learnedSelection: options.learnedSelection,
      oracle: {
        ...demoOracleEffort,
        kinds: answer.kinds,
        inWorker: answer.inWorker,
        cpuMs: answer.cpuMs,
        onInferredContext: { ...defaultInferredContextOracleEffort, kinds: onInferred.kinds, sessions: onInferred.sessions, cpuMs: onInferred.cpuMs },
      },
    },
    timings: { totalMs: performance.now() - started, trainingMs, oracleWaitMs, costQualityMs, cpuMs: (cpu.user + cpu.system) / 1000 },
    drift: {
      enabled: driftEnabled,
      changes: (scheduledWorld.schedule ?? []).map((change) => ({ atSession: change.atSession, description: change.description ?? null })),
      events: driftEvents,
      retrainingsAfterDrift,
      windows: rewardWindows(sessionRewards, sessionSuccesses, sessionModes, Math.max(100, Math.round(total / 20))),
    },
  };
  progress('report', 'writing report.html and summary.json…');
  await writeLearningReport({
    dataDir,
    output: reportPath,
    title: `Orchestra Learning demo — ${worldName}, ${total} sessions, seed ${options.seed}`,
    mode: finalMode,
    extras: reportExtrasOf(summary, timeline, gateReasons, finalModelDirectory !== null),
  });
  await writeFile(join(dataDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
  return summary;
}
