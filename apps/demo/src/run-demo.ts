import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLearning, DefaultLearningRuntime, ImprovementSchedule, type LearningDecision, type LearningManager } from '@orchestra/learning';
import { createRng, HistoryIndex } from '@orchestra/learning-features';
import { RulesPolicy } from '@orchestra/learning-policy';
import { writeLearningReport } from '@orchestra/learning-report';
import {
  drawHeldOutTasks,
  evaluateOnTasks,
  meanWithInterval,
  runSession,
  sampleSystem,
  sampleTask,
  worldAtSession,
  worldChangePoints,
  type HeldOutTask,
  type PolicyRun,
} from '@orchestra/learning-sim';
import { adaptiveExplorationFor, explorationDesignOf, learnedServing, servedEpsilonOf, validateDemoOptions, type DemoOptions, type DemoOptionsInput } from './demo-options';
import { countSession, evaluateModelOn, evaluateRulesOn, recordDrift, retrainWhenDue, type DemoPlan, type DemoRun } from './demo-run';
import { DemoWorldError, loadWorld } from './load-world';
import { startOracle, type OracleAnswer } from './oracle-actions';
import { defaultInferredContextOracleEffort } from './oracle-on-inferred-context';
import { SimulatedClock } from './simulated-clock';
import {
  demoCostWeights,
  demoOracleEffort,
  demoTrainerConfig,
  costQualityCurvesOf,
  heldOutFigures,
  reportExtrasOf,
  rewardWindows,
  round,
  servedRewardOf,
  type DemoProgress,
  type DemoSummary,
} from './demo-summary';

export * from './demo-summary';

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

/** The run's sizes from its options and its world. */
async function planOf(options: DemoOptions): Promise<DemoPlan & { worldName: string; worldSource: string; heldOut: HeldOutTask[] }> {
  const { world: scheduledWorld, name: worldName, source: worldSource } = await loadWorld(options.world);
  const changePoints = worldChangePoints(scheduledWorld);
  const total = options.sessions;
  const sessionsPerStep = options.sessionsPerStep ?? Math.max(20, Math.round(total / 100));
  // Sessions play in the world as scheduled; the held-out evaluation (and the oracle) in the world as it ends.
  const world = worldAtSession(scheduledWorld, options.sessions);
  const dataDir = await prepareDataDir(options.dataDir);
  // The held-out tasks are drawn first, from their own stream.
  const heldOut = drawHeldOutTasks(world, options.evaluationTasks, options.seed);
  // A fifth of the run, between 400 and 1,000 sessions: at 10,000 sessions a training every 1,000 (instead of 2,000)
  // lifted the default world from the rules to +6.52 and +9.48 on two never-run seeds (demo README).
  const retrainEvery = options.retrainEvery ?? Math.min(1000, Math.max(400, Math.round(total / 5)));
  return {
    options,
    scheduledWorld,
    world,
    worldName,
    worldSource,
    dataDir,
    total,
    shadowSessions: Math.max(100, Math.round(total * options.shadowShare)),
    retrainEvery,
    adaptiveExploration: adaptiveExplorationFor(options.adaptiveExploration, total),
    // Re-looks between trainings, spending by information over three periods' logs: 6 of 15 never-run 2,000-session
    // cases beat the rules with a CI above 0 instead of 3 (demo README, "Re-looks between trainings").
    relookEvery: options.relookEvery ?? Math.max(1, Math.round(retrainEvery / 4)),
    relookLogs: options.relookLogs ?? Math.max(100, 3 * retrainEvery),
    sessionsPerStep,
    abTestSessionsBeforeProduction: sessionsPerStep * 5,
    driftEnabled: options.drift === 'on' || (options.drift === 'auto' && changePoints.length > 0),
    trainerConfig: mergeConfig(demoTrainerConfig, options.trainerConfig ?? {}),
    heldOut,
    curveTasks: heldOut.slice(0, Math.min(heldOut.length, 500)),
  };
}

/** The facade as the demo's orchestrator opens it: the default runtime, simulated time, the rollout sized to the run. */
async function openLearning(plan: DemoPlan, clock: SimulatedClock): Promise<LearningManager> {
  const { options, dataDir } = plan;
  const runtime = new DefaultLearningRuntime({
    seed: options.seed,
    // No latency fallback: how long a decision took on a loaded machine must not change what the demo decides.
    latencyBudgetMs: Number.POSITIVE_INFINITY,
    exploration: { shadow: options.exploration, ab_test: options.exploration, production: 0 },
    candidateShare: options.candidateShare,
    explorationDesign: explorationDesignOf(options),
    learnedOptions: { ...learnedServing(options), seed: options.seed },
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
      adaptiveExploration: plan.adaptiveExploration,
      gateErrorBudget: options.gateErrorBudget,
      relookLogs: plan.relookLogs === 0 ? null : plan.relookLogs,
      reloadIntervalMs: 0,
      // The library's guardrails are sized to the sample (a breach must also exceed two standard errors), and a whole
      // A/B period past them withdraws the model.
      rollout: { sessionsPerStep: plan.sessionsPerStep, abTestSessionsBeforeProduction: plan.abTestSessionsBeforeProduction, autoRamp: true, autoPromote: true },
      drift: { enabled: plan.driftEnabled },
    },
  });
  await learning.setMode('shadow');
  return learning;
}

/** A run with empty counters. */
function startRun(plan: DemoPlan, learning: LearningManager, onProgress: (progress: DemoProgress) => void): DemoRun {
  const run: DemoRun = {
    ...plan,
    learning,
    history: new HistoryIndex(),
    rules: new RulesPolicy({ config: { epsilon: 0 } }),
    progress: (phase, message) => onProgress({ phase, message, sessionsSeen: run.sessionsSeen }),
    sessionsSeen: 0,
    previousMode: null,
    learnedSessionsInAbTotal: 0,
    trainingMs: 0,
    trainings: 0,
    schedule: new ImprovementSchedule({ every: plan.retrainEvery, firstAt: plan.shadowSessions, horizon: plan.total, ...(plan.relookEvery === 0 ? {} : { relookEvery: plan.relookEvery }) }),
    ope: [],
    curve: [],
    rampEvents: [],
    timeline: [],
    gateReasons: new Map(),
    phaseRewards: { shadow: [], ab_test: [], production: [] },
    sessionRewards: [],
    sessionSuccesses: [],
    sessionModes: [],
    driftEvents: [],
    retrainingsAfterDrift: [],
    driftEventsSeen: new Set(),
  };
  return run;
}

/** Plays session `index`: decide, simulate, record, then whatever the rollout and the schedule call for. */
async function playSession(run: DemoRun, index: number, clock: SimulatedClock, random: { task: ReturnType<typeof createRng>; session: ReturnType<typeof createRng> }): Promise<void> {
  const { learning, world, options } = run;
  const task = sampleTask(world, random.task);
  const system = sampleSystem(world, random.task);
  const decision: LearningDecision = learning.decide({ description: task.description, files: task.files, system, sessionId: `demo-${options.seed}-${index}` });
  const simulated = runSession(worldAtSession(run.scheduledWorld, index), task, decision.action, random.session, { system, sessionId: decision.sessionId });
  clock.advance(options.sessionSpacingMs ?? simulated.outcome.durationMs);
  const result = await learning.record(simulated.session, decision, { outcome: simulated.outcome });
  run.sessionRewards.push(result.reward);
  run.sessionSuccesses.push(simulated.outcome.success);
  run.sessionModes.push(decision.mode);
  if (run.previousMode !== null && decision.mode !== run.previousMode) {
    run.timeline.push({ session: index, kind: decision.mode === 'shadow' ? 'rollback' : 'mode', message: `mode ${run.previousMode} → ${decision.mode}${decision.mode === 'shadow' ? ' (the learned policy withdrawn)' : ''}` });
  }
  run.previousMode = decision.mode;
  if (run.driftEnabled) recordDrift(run, index);
  if (result.experience !== null) run.history.update(result.experience);
  run.sessionsSeen = index + 1;
  countSession(run, decision.mode, decision.source, result);
  await retrainWhenDue(run);
  const { sessionsSeen, total } = run;
  if (sessionsSeen % Math.max(100, Math.round(total / 20)) === 0) {
    run.progress(learning.mode === 'production' ? 'production' : learning.mode === 'ab_test' ? 'ab_test' : 'shadow', `${sessionsSeen}/${total} sessions; mode ${learning.mode}${learning.mode === 'ab_test' ? ` at ${learning.abFraction * 100} %` : ''}`);
  }
}

/** The held-out evaluation: rules, the learned policy (greedy) and the oracle on the same fresh tasks, and the cost–quality curves. */
async function evaluateHeldOut(run: DemoRun, heldOut: readonly HeldOutTask[], oracleAnswer: () => Promise<OracleAnswer>) {
  const { learning, world, trainings, dataDir } = run;
  const finalModelDirectory = learning.deployed?.directory ?? null;
  run.progress('evaluate', `held-out evaluation on ${heldOut.length} fresh tasks (rules, learned greedy, oracle)…`);
  const rulesRun = evaluateRulesOn(run, heldOut);
  let learnedRun: PolicyRun = rulesRun;
  let fallbacks: Record<string, number> = {};
  if (finalModelDirectory !== null) {
    const evaluated = await evaluateModelOn(run, finalModelDirectory, heldOut);
    learnedRun = evaluated.run;
    fallbacks = { ...evaluated.fallbacks };
  }
  // The cost–quality knob on the same held-out tasks: decisions made with each weight, nothing retrained.
  run.progress('evaluate', `cost–quality curve: the rules${trainings > 0 ? ' and the learned policy' : ''} at cost weights ${demoCostWeights.join(', ')}…`);
  const costQualityStarted = performance.now();
  const learnedCurveModel = finalModelDirectory ?? (trainings > 0 ? join(dataDir, 'candidates', `demo-v${trainings}`) : null);
  const costQualityCurves = await costQualityCurvesOf(
    (costWeight) => evaluateRulesOn(run, heldOut, costWeight),
    learnedCurveModel === null
      ? null
      : {
          model: finalModelDirectory === null ? `demo-v${trainings}` : (run.schedule.model ?? 'deployed'),
          deployed: finalModelDirectory !== null,
          at: async (costWeight) => (await evaluateModelOn(run, learnedCurveModel, heldOut, costWeight)).run,
        },
  );
  const costQualityMs = performance.now() - costQualityStarted;
  const oracleWaitStarted = performance.now();
  const answer = await oracleAnswer();
  const oracleWaitMs = performance.now() - oracleWaitStarted;
  const oracleRun = evaluateOnTasks(world, heldOut, (_entry, index) => answer.actions[index]!);
  const onInferred = answer.onInferredContext;
  if (onInferred === null) throw new Error('the oracle job was asked for the inferred-context oracle and returned none');
  const inferredOracleRun = evaluateOnTasks(world, heldOut, (_entry, index) => onInferred.actions[index]!);
  return { finalModelDirectory, rulesRun, learnedRun, fallbacks, costQualityCurves, costQualityMs, answer, onInferred, oracleRun, inferredOracleRun, oracleWaitMs };
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
  const plan = await planOf(options);
  const { world, worldName, worldSource, dataDir, total, heldOut } = plan;
  // The oracle starts on the held-out tasks at once (second core).
  const oracleAnswer = startOracle(
    { world, tasks: heldOut.map((entry) => entry.task), ...demoOracleEffort, seed: options.seed, inferredContext: defaultInferredContextOracleEffort },
    options.oracleWorker,
  );
  onProgress({
    phase: 'setup',
    message: `world ${worldName} (${worldSource}); data dir ${dataDir}; budget ${total} sessions (shadow ${plan.shadowSessions}, retrain every ${plan.retrainEvery}); ${heldOut.length} held-out tasks`,
    sessionsSeen: 0,
  });
  // Simulated time: experience timestamps (and the history features decayed by them) never read the wall clock.
  const clock = new SimulatedClock();
  const learning = await openLearning(plan, clock);
  const run = startRun(plan, learning, onProgress);
  const random = { task: createRng(options.seed), session: createRng((options.seed + 0x9e3779b9) >>> 0) };
  run.progress('shadow', `shadow phase: the rules act (ε = ${options.exploration}, exact propensities) and every session is recorded`);
  for (let index = 0; index < total; index += 1) await playSession(run, index, clock, random);
  const finalMode = learning.mode;
  const deployedRevalued = await revaluedAtEnd(learning, plan);
  const evaluated = await evaluateHeldOut(run, heldOut, oracleAnswer);
  const learningGuardrails = { ...learning.config.rollout.guardrails };
  await learning.close();
  const summary = summaryOf(run, evaluated, { worldName, worldSource, finalMode, learningGuardrails, started, cpuStarted, heldOut, deployedRevalued });
  run.progress('report', 'writing report.html and summary.json…');
  await writeLearningReport({
    dataDir,
    output: summary.reportPath,
    title: `Orchestra Learning demo — ${worldName}, ${total} sessions, seed ${options.seed}`,
    mode: finalMode,
    extras: reportExtrasOf(summary, run.timeline, run.gateReasons, evaluated.finalModelDirectory !== null),
  });
  await writeFile(join(dataDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
  return summary;
}

/**
 * The model serving at the end, re-estimated on the logs recorded since its deployment (`revalueDeployed`, judged as
 * `improve` judges it), or null (nothing deployed, or fewer than 100 logs since).
 */
async function revaluedAtEnd(learning: LearningManager, plan: DemoPlan): Promise<DemoSummary['deployedRevalued']> {
  const revalued = await learning.revalueDeployed({ servedAs: learnedServing(plan.options), trainerConfig: { ...plan.trainerConfig, seed: plan.options.seed } });
  if (revalued === null) return null;
  const { version, difference, logs } = revalued;
  return { version, value: difference.value, ci: [difference.lower, difference.upper], logs };
}

/** The `--json` summary of a finished run. */
function summaryOf(
  run: DemoRun,
  evaluated: Awaited<ReturnType<typeof evaluateHeldOut>>,
  context: {
    worldName: string;
    worldSource: string;
    finalMode: DemoSummary['phases']['finalMode'];
    learningGuardrails: DemoSummary['settings']['guardrails'];
    started: number;
    cpuStarted: NodeJS.CpuUsage;
    heldOut: readonly HeldOutTask[];
    deployedRevalued: DemoSummary['deployedRevalued'];
  },
): DemoSummary {
  const { options, total, dataDir, scheduledWorld, phaseRewards, trainings, trainingMs } = run;
  const { worldName, worldSource, finalMode, learningGuardrails, started, cpuStarted, heldOut } = context;
  const { rulesRun, learnedRun, oracleRun, inferredOracleRun, fallbacks, costQualityCurves, costQualityMs, answer, onInferred, oracleWaitMs } = evaluated;
  const { gapClosed, gapClosedOnInferredContext, difference, costReduction, learningCurve } = heldOutFigures(
    { rules: rulesRun, learned: learnedRun, oracle: oracleRun, oracleOnInferredContext: inferredOracleRun },
    run.curve,
    run.curveTasks.length,
    total,
  );
  const costQualityCurve = costQualityCurves.learned?.deployed === true ? costQualityCurves.learned.points : costQualityCurves.rules.points;
  const reportPath = join(dataDir, 'report.html');
  const cpu = process.cpuUsage(cpuStarted);
  return {
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
    deployedRevalued: context.deployedRevalued,
    costReduction: round(costReduction),
    ope: run.ope,
    learningCurve,
    costQualityCurve,
    costQualityCurves,
    phases: {
      shadow: { sessions: phaseRewards.shadow.length, meanReward: meanWithInterval(phaseRewards.shadow).mean },
      abTest: { sessions: phaseRewards.ab_test.length, learnedSessions: run.learnedSessionsInAbTotal, rampEvents: run.rampEvents, meanReward: meanWithInterval(phaseRewards.ab_test).mean },
      production: { sessions: phaseRewards.production.length, meanReward: meanWithInterval(phaseRewards.production).mean },
      served: servedRewardOf(phaseRewards),
      trainings,
      finalMode,
      finalModel: run.schedule.model,
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
      adaptiveExploration: run.adaptiveExploration,
      gateErrorBudget: options.gateErrorBudget,
      explorationDesign: explorationDesignOf(options),
      shadowSessions: run.shadowSessions,
      retrainEvery: run.retrainEvery,
      relookEvery: run.relookEvery,
      relookLogs: run.relookLogs,
      sessionsPerStep: run.sessionsPerStep,
      abTestSessionsBeforeProduction: run.abTestSessionsBeforeProduction,
      guardrails: learningGuardrails,
      trainer: run.trainerConfig,
      learnedSelection: options.learnedSelection,
      learnedExploration: servedEpsilonOf(options),
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
      enabled: run.driftEnabled,
      changes: (scheduledWorld.schedule ?? []).map((change) => ({ atSession: change.atSession, description: change.description ?? null })),
      events: run.driftEvents,
      retrainingsAfterDrift: run.retrainingsAfterDrift,
      windows: rewardWindows(run.sessionRewards, run.sessionSuccesses, run.sessionModes, Math.max(100, Math.round(total / 20))),
    },
  };
}
