import { join } from 'node:path';
import { type ImprovementReason, type ImprovementSchedule, type LearningManager, type RecordResult, type TrainReport } from '@orchestra/learning';
import type { HistoryIndex } from '@orchestra/learning-features';
import { loadModelArtifact, PolicyRouter, type RulesPolicy } from '@orchestra/learning-policy';
import type { TimelineEvent } from '@orchestra/learning-report';
import { evaluateOnTasks, meanWithInterval, pairedDifference, type HeldOutTask, type PolicyRun, type World } from '@orchestra/learning-sim';
import { learnedServing, type DemoOptions } from './demo-options';
import { policyInputOf } from './held-out-evaluation';
import { gateRoundOf, relookRoundOf, round, type DemoProgress, type DemoSummary, type OpeRound } from './demo-summary';

/*
 * One demo run's shared state — its settings, the library objects, and the counters and records the phases move —
 * and the steps of its loop: one session, one improvement step (train → gate → deploy), the evaluations on held-out
 * tasks. `runDemo` (run-demo.ts) sets a run up, plays its sessions, and summarises it.
 */

/** The settings of a run derived from its options. */
export interface DemoPlan {
  readonly options: DemoOptions;
  /** The world as scheduled (sessions play in it) and as it ends (the held-out evaluation and the oracle). */
  readonly scheduledWorld: World;
  readonly world: World;
  readonly dataDir: string;
  readonly total: number;
  readonly shadowSessions: number;
  readonly retrainEvery: number;
  /** Whether the rules' exploration is weighted by the critic after each training (`adaptiveExplorationFor`). */
  readonly adaptiveExploration: boolean;
  /** Sessions between re-looks at the exploration candidate between trainings (0: none) and the planned logs its looks spend over (0: by look index). */
  readonly relookEvery: number;
  readonly relookLogs: number;
  readonly sessionsPerStep: number;
  readonly abTestSessionsBeforeProduction: number;
  readonly driftEnabled: boolean;
  readonly trainerConfig: Record<string, unknown>;
  readonly curveTasks: readonly HeldOutTask[];
}

/** A run: its plan, the library objects, and what the phases count and record. */
export interface DemoRun extends DemoPlan {
  readonly learning: LearningManager;
  readonly history: HistoryIndex;
  readonly rules: RulesPolicy;
  readonly progress: (phase: DemoProgress['phase'], message: string) => void;
  sessionsSeen: number;
  previousMode: string | null;
  learnedSessionsInAbTotal: number;
  /** When the loop trains (the library's schedule): it also knows which model serves and since when it is in production. */
  readonly schedule: ImprovementSchedule;
  trainingMs: number;
  trainings: number;
  readonly ope: OpeRound[];
  readonly curve: Array<{ sessionsSeen: number; learned: PolicyRun }>;
  readonly rampEvents: string[];
  /** The report's timeline: every mode change, ramp step, breach, deployment, refusal and drift event, by session. */
  readonly timeline: TimelineEvent[];
  readonly gateReasons: Map<string, string | null>;
  readonly phaseRewards: { shadow: number[]; ab_test: number[]; production: number[] };
  readonly sessionRewards: number[];
  readonly sessionSuccesses: boolean[];
  readonly sessionModes: string[];
  readonly driftEvents: DemoSummary['drift']['events'];
  readonly retrainingsAfterDrift: number[];
  readonly driftEventsSeen: Set<string>;
}

/** The rules on `tasks`; `costWeight` undefined: the policies' default trade-off (the decisions of a run without the knob). */
export function evaluateRulesOn(run: DemoRun, tasks: readonly HeldOutTask[], costWeight?: number): PolicyRun {
  return evaluateOnTasks(run.world, tasks, (entry, index) => run.rules.decide({ ...policyInputOf(entry, run.history, `rules-${index}`), costWeight }).action);
}

/** The model in `directory`, greedy, on `tasks`, with the router's fallbacks. */
export async function evaluateModelOn(run: DemoRun, directory: string, tasks: readonly HeldOutTask[], costWeight?: number): Promise<{ run: PolicyRun; fallbacks: Record<string, number> }> {
  const router = new PolicyRouter({ mode: 'production', environment: {}, latencyBudgetMs: Number.POSITIVE_INFINITY, learnedOptions: { selection: 'argmax' } });
  router.setModel(await loadModelArtifact(directory));
  const measured = evaluateOnTasks(run.world, tasks, (entry, index) => router.decide({ ...policyInputOf(entry, run.history, `learned-${index}`), costWeight }).action);
  return { run: measured, fallbacks: router.statistics().fallbacks };
}

/**
 * A deployment starts a new A/B period (its counters restart) — or, for a challenger that replaced the deployed model
 * in production, a new production period.
 */
function startServing(run: DemoRun, model: string): void {
  run.schedule.serving(run.sessionsSeen, model, run.learning.mode === 'production');
}

type ImproveStep = Awaited<ReturnType<LearningManager['improve']>>;

/** The re-look at the exploration candidate on the logs it explored on (its own artifact, trained earlier). */
async function recordRelook(run: DemoRun, step: Pick<ImproveStep, 'regate' | 'candidate'>, curveRules: PolicyRun): Promise<void> {
  const relook = step.regate;
  if (relook === null) return;
  const { sessionsSeen } = run;
  const relookRun = (await evaluateModelOn(run, relook.candidateDirectory, run.curveTasks)).run;
  // A challenger's re-look compares it with the deployed model: so does what the held-out tasks measure.
  const baselineRun = relook.baseline === null ? curveRules : (await evaluateModelOn(run, relook.baseline.directory, run.curveTasks)).run;
  const relookMeasured = pairedDifference(relookRun.rewards, baselineRun.rewards);
  const { value, lower, upper } = relook.difference;
  run.ope.push(relookRoundOf(relook, sessionsSeen, step.candidate.status === 'kept', { learned: relookRun.metrics.meanReward, rules: baselineRun.metrics.meanReward, difference: relookMeasured.mean, ci: relookMeasured.interval }));
  const against = relook.baseline === null ? 'rules' : relook.baseline.version;
  const deployedTo = run.learning.mode === 'production' ? `replaces ${against} in production` : 'ab_test at the first ramp step';
  // After earlier looks that did not pass, the naive estimate is biased upward: the median-unbiased one is not.
  const adjusted = relook.passed && relook.medianUnbiased !== value ? ` (median-unbiased given the earlier looks: ${relook.medianUnbiased.toFixed(2)})` : '';
  const verdict = relook.passed ? `passed${adjusted}: deployed, ${deployedTo}` : step.candidate.status === 'kept' ? 'not passed; it keeps exploring' : 'not passed';
  run.timeline.push({ session: sessionsSeen, kind: relook.passed ? 'deploy' : 'refused', message: `re-look ${relook.look} at ${relook.version} on the ${relook.freshLogs} logs it explored on: learned − ${against} ${value.toFixed(2)} [${lower.toFixed(2)}, ${upper.toFixed(2)}] at ${(relook.confidence * 100).toFixed(2)} % — ${verdict}` });
  run.progress('train', `re-look ${relook.look} at ${relook.version} on ${relook.freshLogs} logs (it acted on ${relook.candidateActed}): learned − ${against} ${value.toFixed(2)} [${lower.toFixed(2)}, ${upper.toFixed(2)}] at ${(relook.confidence * 100).toFixed(2)} % — ${verdict}; measured ${relookMeasured.mean.toFixed(2)} [${relookMeasured.interval[0].toFixed(2)}, ${relookMeasured.interval[1].toFixed(2)}]`);
  if (relook.passed) startServing(run, relook.version);
}

/** One step of the library's loop: train → gate → deploy and start an A/B period only when the gate passes. */
async function trainAndDeploy(run: DemoRun, reason: ImprovementReason): Promise<void> {
  const { learning, options, sessionsSeen } = run;
  run.trainings += 1;
  const version = `demo-v${run.trainings}`;
  const output = join(run.dataDir, 'candidates', version);
  run.progress('train', `improving: training ${version} on ${sessionsSeen} logged sessions (linear critic, improvements where its lower bound gains, cloned by the actor) → deploy gate…`);
  const trainStarted = performance.now();
  const step = await learning.improve({
    output,
    version,
    trainerConfig: { ...run.trainerConfig, seed: options.seed + run.trainings },
    // How the runtime serves the candidate: the gate judges its greedy decisions (argmax, ε 0), as it judges the rules'.
    servedAs: learnedServing(options),
  });
  const report: TrainReport = step.train;
  const elapsed = performance.now() - trainStarted;
  run.trainingMs += elapsed;
  const curveRules = evaluateRulesOn(run, run.curveTasks);
  const { run: learnedRun } = await evaluateModelOn(run, output, run.curveTasks);
  run.curve.push({ sessionsSeen, learned: learnedRun });
  const measured = pairedDifference(learnedRun.rewards, curveRules.rewards);
  const relook = step.regate;
  const passed = step.deployed !== null && relook?.passed !== true;
  await recordRelook(run, step, curveRules);
  run.gateReasons.set(version, step.reason ?? null);
  run.timeline.push({ session: sessionsSeen, kind: passed ? 'deploy' : 'refused', message: passed ? `${version} passed the deploy gate: deployed, ab_test at the first ramp step` : `${version} refused by the deploy gate: ${step.reason ?? 'gate refused'}` });
  const round_ = gateRoundOf(version, sessionsSeen, report, {
    deployed: passed,
    explored: step.candidate.status === 'explored',
    measured: { learned: learnedRun.metrics.meanReward, rules: curveRules.metrics.meanReward, difference: measured.mean, ci: measured.interval },
    trainingMs: elapsed,
  });
  run.ope.push(round_);
  run.schedule.trained(sessionsSeen, { challenging: (step.candidate.model?.challenges ?? null) !== null, exploring: step.candidate.model !== null, reason });
  const trained = `${version}: ${report.epochs} epochs in ${(elapsed / 1000).toFixed(1)} s`;
  const measuredText = `measured on held-out tasks: learned − rules = ${measured.mean.toFixed(2)} [${measured.interval[0].toFixed(2)}, ${measured.interval[1].toFixed(2)}]`;
  if (relook?.passed === true) {
    run.progress('train', `${trained}; ${step.train.beatsRules === false ? 'its gate refused' : 'not evaluated'}; ${measuredText}`);
    run.progress('deploy', relookDeployment(run, relook));
    return;
  }
  if (!passed) {
    run.progress('train', `${trained}; ${step.reason ?? 'gate refused'}; not deployed (${run.schedule.model ?? 'the rules'} keeps acting)${explorationNote(run, step)}; ${measuredText}`);
    return;
  }
  const interval = (entry: { value: number; ci: [number, number] } | null) => (entry === null ? 'no estimate' : `${entry.value.toFixed(2)} [${entry.ci[0].toFixed(2)}, ${entry.ci[1].toFixed(2)}]`);
  run.progress('train', `${trained}; gate passed: estimated learned − rules ${interval(round_.difference)}; ${measuredText}`);
  startServing(run, version);
  run.progress('deploy', `deployed ${version}; mode ab_test at ${learning.abFraction * 100} % (ramp ${[0.1, 0.25, 0.5, 1].map((share) => `${share * 100} %`).join(' → ')} after ${run.sessionsPerStep} learned sessions per step within the guardrails)`);
}

/** The progress line of a candidate deployed by its re-look. */
function relookDeployment(run: DemoRun, relook: NonNullable<ImproveStep['regate']>): string {
  const { learning } = run;
  return `deployed ${relook.version} (re-look ${relook.look}); ${learning.mode === 'production' ? `it replaces ${relook.baseline?.version ?? 'the rules'} in production` : `mode ab_test at ${learning.abFraction * 100} %`}`;
}

/** A re-look at the exploration candidate between trainings (`learning.relook`): it deploys the candidate when it passes. */
async function relookBetweenTrainings(run: DemoRun): Promise<void> {
  const { learning, sessionsSeen } = run;
  const started = performance.now();
  const step = await learning.relook({ servedAs: learnedServing(run.options), trainerConfig: { ...run.trainerConfig, seed: run.options.seed + run.trainings } });
  run.trainingMs += performance.now() - started;
  run.schedule.relooked(sessionsSeen, { exploring: step.candidate.model !== null });
  if (step.regate === null) {
    if (step.candidate.status === 'withdrawn') run.progress('train', `the exploration candidate spent its re-looks' error budget without passing: withdrawn`);
    return;
  }
  await recordRelook(run, step, evaluateRulesOn(run, run.curveTasks));
  if (step.regate.passed) run.progress('deploy', relookDeployment(run, step.regate));
  else if (step.candidate.status === 'withdrawn') run.progress('train', `the exploration candidate ${step.regate.version} is withdrawn (found worse, or its error budget spent)`);
}

function explorationNote(run: DemoRun, step: ImproveStep): string {
  // A challenger's re-look was counted against the rules with the deployed model's value on the logs since its deployment.
  const against = step.deployedValue === null ? '' : ` (the challenger's re-look counted over the deployed model's ${step.deployedValue.toFixed(2)} against the rules since its deployment)`;
  switch (step.candidate.status) {
    case 'explored':
      return `; it explores on ${run.options.candidateShare * 100} % of ${step.candidate.model?.challenges == null ? 'shadow' : 'production'} sessions${against}`;
    case 'kept':
      return `; ${step.candidate.model?.version ?? 'the exploration candidate'} keeps exploring${against}`;
    case 'withdrawn':
      return '; the exploration candidate is withdrawn';
    default:
      return '';
  }
}

/** The library's drift events not seen yet: on the timeline, in the summary; a change for the worse schedules a retraining. */
export function recordDrift(run: DemoRun, index: number): void {
  const { learning } = run;
  for (const event of learning.driftEvents) {
    const key = `${event.at}|${event.sessionsRecorded}|${event.subject}|${event.metric}|${event.direction}`;
    if (run.driftEventsSeen.has(key)) continue;
    run.driftEventsSeen.add(key);
    run.timeline.push({ session: index, kind: 'drift', message: `drift: ${event.subject} ${event.metric} ${event.direction} (${round(event.baseline, 3)} → ${round(event.changed, 3)}); response: ${event.response}` });
    run.driftEvents.push({ session: index, subject: event.subject, metric: event.metric, direction: event.direction, degraded: event.degraded, baseline: round(event.baseline), changed: round(event.changed), response: event.response });
    run.progress(learning.mode === 'shadow' ? 'shadow' : learning.mode === 'production' ? 'production' : 'ab_test', `after ${index + 1} sessions: drift ${event.subject} ${event.metric} ${event.direction} (${round(event.baseline, 3)} → ${round(event.changed, 3)}); response: ${event.response}`);
    // A change for the worse: retrain half a period later (the raised exploration around what changed has
    // gathered evidence of the new world by then) instead of waiting for the schedule.
    if (event.degraded) run.schedule.degraded(index + 1);
  }
}

/** Counts a recorded session's phase and A/B figures, and puts the rollout's ramp steps and breaches on the timeline. */
export function countSession(run: DemoRun, mode: string, source: string, result: RecordResult): void {
  if (mode === 'shadow' || mode === 'ab_test' || mode === 'production') run.phaseRewards[mode].push(result.reward);
  if (mode === 'ab_test' && source === 'learned') run.learnedSessionsInAbTotal += 1;
  if (result.ramp.kind === 'promoted') {
    // The library's rollout (`autoPromote`) moved the model to production once its A/B period allowed it.
    run.schedule.productionStarted(run.sessionsSeen);
    run.rampEvents.push(`after ${run.sessionsSeen} sessions: production (${result.ramp.learnedSessions} learned sessions served in ab_test)`);
    run.progress('production', `production: the learned policy acts (sampling from its distribution: its own exploration feeds the next update)`);
  }
  if (result.ramp.kind === 'demoted') {
    // The rollout's safety net withdrew the model (its whole A/B period breached the guardrails): the previous model
    // serves, or the rules in shadow — and without a model the schedule retrains every period again.
    const message = `model ${result.ramp.from} demoted: its A/B period breached the guardrails (${result.ramp.reasons.join('; ')}); now ${result.ramp.to ?? 'the rules (shadow)'}`;
    run.schedule.demoted(result.ramp.to);
    run.rampEvents.push(`after ${run.sessionsSeen} sessions: ${message}`);
    run.timeline.push({ session: run.sessionsSeen, kind: 'breach', message });
    run.progress('ab_test', `after ${run.sessionsSeen} sessions: ${message}`);
  }
  if (result.ramp.kind === 'ramped' || result.ramp.kind === 'breach') {
    const message =
      result.ramp.kind === 'ramped'
        ? `A/B fraction ${result.ramp.from * 100} % → ${result.ramp.to * 100} %`
        : `guardrail breach (${result.ramp.reasons.join('; ')}); back to ${result.ramp.to * 100} %`;
    run.rampEvents.push(`after ${run.sessionsSeen} sessions: ${message}`);
    run.timeline.push({ session: run.sessionsSeen, kind: result.ramp.kind === 'ramped' ? 'ramp' : 'breach', message });
    run.progress('ab_test', `after ${run.sessionsSeen} sessions: ${message}`);
  }
}

/** Retrains when the library's schedule calls for it: after drift, a challenger's half period, the shadow phase, or the period. */
export async function retrainWhenDue(run: DemoRun): Promise<void> {
  const { sessionsSeen } = run;
  const reason = run.schedule.due(sessionsSeen);
  if (reason === null) {
    if (run.schedule.relookDue(sessionsSeen)) await relookBetweenTrainings(run);
    return;
  }
  if (reason === 'drift') run.retrainingsAfterDrift.push(sessionsSeen);
  if (reason === 'first') run.progress('shadow', `shadow phase done: ${run.shadowSessions} sessions, mean reward ${meanWithInterval(run.phaseRewards.shadow).mean.toFixed(2)}`);
  await trainAndDeploy(run, reason);
}
