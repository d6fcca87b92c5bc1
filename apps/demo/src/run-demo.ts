/*
 * Longer than 400 lines, for now: `runDemo` is one simulation loop whose phases (shadow, training rounds, A/B ramp,
 * production, held-out evaluation) share about twenty counters and the timeline; its summary types, the gate and
 * re-look rounds, the cost–quality curves and the held-out figures are in demo-summary.ts. The loop itself splits
 * once those counters are one object of their own.
 */
import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createLearning, DefaultLearningRuntime, RolloutRuleError, type LearningDecision, type TrainReport } from '@orchestra/learning';
import { createRng, HistoryIndex } from '@orchestra/learning-features';
import { loadModelArtifact, PolicyRouter, RulesPolicy } from '@orchestra/learning-policy';
import { writeLearningReport, type TimelineEvent } from '@orchestra/learning-report';
import {
  drawHeldOutTasks,
  evaluateOnTasks,
  meanWithInterval,
  pairedDifference,
  runSession,
  sampleSystem,
  sampleTask,
  worldAtSession,
  worldChangePoints,
  type HeldOutTask,
  type PolicyRun,
} from '@orchestra/learning-sim';
import { validateDemoOptions, type DemoOptionsInput } from './demo-options';
import { policyInputOf } from './held-out-evaluation';
import { DemoWorldError, loadWorld } from './load-world';
import { startOracle } from './oracle-actions';
import { defaultInferredContextOracleEffort } from './oracle-on-inferred-context';
import { SimulatedClock } from './simulated-clock';
import {
  demoCostWeights,
  demoOracleEffort,
  demoTrainerConfig,
  costQualityCurvesOf,
  gateRoundOf,
  heldOutFigures,
  relookRoundOf,
  reportExtrasOf,
  rewardWindows,
  round,
  type DemoProgress,
  type DemoSummary,
  type OpeRound,
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
      ope.push(relookRoundOf(relook, sessionsSeen, step.candidate.status === 'kept', { learned: relookRun.metrics.meanReward, rules: curveRules.metrics.meanReward, difference: relookMeasured.mean, ci: relookMeasured.interval }));
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
    const round_ = gateRoundOf(version, sessionsSeen, report, {
      deployed: passed,
      explored: step.candidate.status === 'explored',
      measured: { learned: learnedRun.metrics.meanReward, rules: curveRules.metrics.meanReward, difference: measured.mean, ci: measured.interval },
      trainingMs: elapsed,
    });
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
    if (result.ramp.kind === 'ramped' || result.ramp.kind === 'breach') {
      const message =
        result.ramp.kind === 'ramped'
          ? `A/B fraction ${result.ramp.from * 100} % → ${result.ramp.to * 100} %`
          : `guardrail breach (${result.ramp.reasons.join('; ')}); back to ${result.ramp.to * 100} %`;
      rampEvents.push(`after ${sessionsSeen} sessions: ${message}`);
      timeline.push({ session: sessionsSeen, kind: result.ramp.kind === 'ramped' ? 'ramp' : 'breach', message });
      progress('ab_test', `after ${sessionsSeen} sessions: ${message}`);
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
  const costQualityStarted = performance.now();
  const learnedCurveModel = finalModelDirectory ?? (trainings > 0 ? join(dataDir, 'candidates', `demo-v${trainings}`) : null);
  const costQualityCurves = await costQualityCurvesOf(
    (costWeight) => evaluateRulesOn(heldOut, costWeight),
    learnedCurveModel === null
      ? null
      : {
          model: finalModelDirectory === null ? `demo-v${trainings}` : (currentModel ?? 'deployed'),
          deployed: finalModelDirectory !== null,
          at: async (costWeight) => (await evaluateModelOn(learnedCurveModel, heldOut, costWeight)).run,
        },
  );
  const costQualityCurve = costQualityCurves.learned?.deployed === true ? costQualityCurves.learned.points : costQualityCurves.rules.points;
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

  const { gapClosed, gapClosedOnInferredContext, difference, costReduction, learningCurve } = heldOutFigures(
    { rules: rulesRun, learned: learnedRun, oracle: oracleRun, oracleOnInferredContext: inferredOracleRun },
    curve,
    curveTasks.length,
    total,
  );

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
