import { join } from 'node:path';
import type { LearningMode } from '@orchestra/learning-types';
import type { GateDecision } from '@orchestra/learning-policy';
import type { CandidateModel, DeployedModel } from './learning-state';
import { relookErrorLeft, type RegateReport } from './regate';
import type { TrainOptions, TrainReport } from './train';

/** Options of `LearningManager.improve`: those of `train`, with the output directory optional. */
export interface ImproveOptions extends Omit<TrainOptions, 'output'> {
  /** Where the candidate is written (default `<dataDir>/candidates/<version>`). */
  output?: string;
}

/** What one improvement step did: the training report, the gate's verdict, and the deployment when it passed. */
export interface ImproveReport {
  train: TrainReport;
  /** The deploy gate's verdict: `passed` when the new candidate (`train.beatsRules === true`) or a re-look at the exploration candidate (`regate.passed`) did. */
  gate: GateDecision;
  /** Why nothing was deployed (null when something was). */
  reason: string | null;
  /** The deployed model when the gate passed, else null (the current policy keeps acting). */
  deployed: DeployedModel | null;
  /**
   * The re-look at the exploration candidate this step made (null: none — no candidate, no share, too few logs since
   * it started exploring, or the new candidate passed first). It values the candidate on the logs it explored on.
   */
  regate: RegateReport | null;
  /**
   * The exploration candidate after the step: with `candidateShare` > 0, one whose re-look is promising (estimate
   * above 0, not found worse) keeps exploring so its evidence accumulates (`kept`; also when it could not be
   * re-looked at yet) unless the upper end of the new candidate's interval at training is above that re-look's; otherwise a
   * refused new candidate the gate did not find worse than the rules replaces it (`explored`); one it found worse, or
   * could not evaluate, withdraws the previous one (`withdrawn`); a deployment retires it (`retired`).
   */
  candidate: { status: 'explored' | 'kept' | 'withdrawn' | 'retired' | 'none'; model: CandidateModel | null };
  /**
   * The deployed model's learned − rules a challenger's re-look was counted with against the new candidate
   * (`Improvable.deployedValue`); null when no such comparison was made.
   */
  deployedValue: number | null;
  /** The mode after the step (a deployment starts an A/B period at the first ramp step). */
  mode: LearningMode;
  abFraction: number;
}

/** The parts of `LearningManager` one improvement step uses. */
export interface Improvable {
  readonly dataDir: string;
  readonly mode: LearningMode;
  readonly abFraction: number;
  readonly firstRampStep: number;
  train(options: TrainOptions): Promise<TrainReport>;
  deploy(directory: string): Promise<DeployedModel>;
  explore(directory: string | null, estimate: CandidateModel['estimate']): Promise<CandidateModel | null>;
  /** A re-look at the exploration candidate on the logs since it started exploring (null when none is possible). */
  regate(options: { output: string; servedAs?: TrainOptions['servedAs']; trainerConfig?: Record<string, unknown> }): Promise<RegateReport | null>;
  readonly candidate: CandidateModel | null;
  /** The candidate no longer explores where it was chosen to (another model serves now, or none): it is replaced or withdrawn. */
  readonly candidateStale: boolean;
  /**
   * The deployed model's learned − rules for a challenger's comparison: re-estimated on the logs since its deployment
   * (`revalueDeployedModel`), else its gate estimate (`DeployedModel.estimate`); null when none is deployed or neither
   * is known.
   */
  deployedValue(options: { servedAs?: TrainOptions['servedAs']; trainerConfig?: Record<string, unknown> }): Promise<number | null>;
  /** Share of shadow (and, for a challenger, production) sessions an exploration candidate acts on (0: none is chosen). */
  readonly candidateShare: number;
  setMode(mode: LearningMode, options?: { fraction?: number }): Promise<unknown>;
  /** Takes the training's exploration weights for the rules (`adaptiveExploration`; a no-op when it is off). */
  adaptExploration(train: TrainReport): Promise<void>;
}

/**
 * One step of the continuous improvement loop: train a candidate on the logged experiences → the deploy gate (the
 * trainer's off-policy comparison with the rules on logs none of whose rewards chose the candidate's actions).
 * Without an exploration share (`candidateShare` 0) a candidate that passes is deployed (never past the gate) and
 * starts its A/B period at the first ramp step, from where the rollout rules ramp it by its measured arm and its
 * guardrails. With a share, the gate at training only screens: the step re-looks at the exploration candidate on the
 * logs recorded while it acted on its share of shadow sessions (which support its actions, so the estimate needs no
 * critic to fill in what the logs cannot show), and only a re-look that passes deploys. Otherwise nothing changes for
 * the serving policy: a promising candidate keeps exploring, or a new candidate the gate did not find worse than the
 * rules (the upper end of its interval above 0) becomes the exploration candidate; one it found worse withdraws it.
 * Once a model is deployed the loop goes on: a candidate chosen then challenges it — it acts on the same share of
 * production sessions in the deployed model's place, its re-looks compare it with that model, and one that passes
 * replaces it in production (`deploy`); a candidate whose model is no longer deployed (or that was chosen for shadow
 * mode while a model now serves) is replaced or withdrawn.
 */
export async function improvePolicy(manager: Improvable, options: ImproveOptions = {}): Promise<ImproveReport> {
  const version = options.version ?? `learned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const output = options.output ?? join(manager.dataDir, 'candidates', version);
  // With an exploration share, a deployment needs evidence from logs that support the candidate (a re-look): the gate
  // at training values the actions the logger never took by the critic alone, and linear critics share their
  // misspecification (measured: a candidate it passed at +10.4 [4.5, 16.3] then measured +0.3). Its verdict then only
  // chooses what explores. Without a share, it is the only gate there is.
  const exploring = manager.candidateShare > 0;
  const train = await manager.train({ ...options, version, output, ...(exploring ? { trainerConfig: screeningTrainerConfig(options.trainerConfig) } : {}) });
  await manager.adaptExploration(train);
  if (train.beatsRules === true && !exploring) return deployAndStartAbTest(manager, train, output, null);
  const previous = manager.candidate;
  const stale = manager.candidateStale;
  // How a re-look (and the deployed model's revaluation) judges a model: as the step's candidate is served and trained.
  const lookOptions = {
    ...(options.servedAs === undefined ? {} : { servedAs: options.servedAs }),
    ...(options.trainerConfig === undefined ? {} : { trainerConfig: options.trainerConfig }),
  };
  let regate: RegateReport | null = null;
  if (previous !== null && exploring && !stale) {
    const regateOutput = relookOutput(manager.dataDir, previous);
    regate = await manager.regate({ output: regateOutput, ...lookOptions });
    if (regate !== null && regate.passed && regate.directory !== null) return deployAndStartAbTest(manager, train, regate.directory, regate);
  }
  const difference = train.ope?.difference;
  const reason =
    train.beatsRules === true && difference !== undefined
      ? `the gate at training estimated learned − rules ${difference.value.toFixed(2)} [${difference.lower.toFixed(2)}, ${difference.upper.toFixed(2)}]; with an exploration share a deployment needs a re-look on logs where the candidate acted`
      : train.beatsRules === false && difference !== undefined
        ? `the gate refused: estimated learned − rules ${difference.value.toFixed(2)} [${difference.lower.toFixed(2)}, ${difference.upper.toFixed(2)}] does not exclude 0`
        : `the gate could not evaluate the candidate: ${train.opeError ?? 'no estimate'}`;
  // Explore with a candidate the gate could not tell from the rules; never with one it found worse.
  const explorable = exploring && train.beatsRules !== null && difference !== undefined && difference.upper > 0;
  // Keep a candidate whose re-look is promising (or that could not be re-looked at yet): its evidence accumulates —
  // unless the new candidate could be better than the kept one: the upper end of its interval at training above the
  // upper end of the kept one's re-look. Then the new one explores. Optimism, as in any bandit choosing what to try:
  // which candidate explores is not a deployment (only its own re-looks deploy it), and a new candidate's interval at
  // training is wide (the critic fills in the actions no log took), so its point estimate hides what it could be.
  // Measured (demo README, "Which candidate explores"): replayed over 63 switch-or-keep decisions of three 2,000-session
  // matrices (`bench:switches`), the 9 it changed let explore candidates that measured +109.5 more in sum; a +28.1
  // candidate at −16.4 [−48.9, 16.0] had stayed behind a kept one at +1.6 [−9.8, 12.9] that measured −0.8. In full,
  // the same 15 ends on never-run seeds, 4 of 8 runs above the rules against 2 where the rules differed.
  // A challenger's re-look is against the deployed model: against the rules it is worth that model's value more — as
  // the logs since its deployment measure it, not the look that deployed it (that look passed, so it reads high: a
  // model deployed at +21.1 that measured +9.2 let a challenger at −1.8 against it hold the share for 2,500 sessions).
  const deployedValue =
    explorable && regate !== null && regate.baseline !== null
      ? await manager.deployedValue(lookOptions)
      : null;
  const relookUpperVsRules = regate === null ? 0 : regate.difference.upper + (deployedValue ?? 0);
  const outdone = explorable && regate !== null && difference !== undefined && difference.upper > relookUpperVsRules;
  // A candidate whose re-looks spent their budget (by information, `relookLogs`) can never pass: it makes way.
  const spent = manager.candidate !== null && relookErrorLeft(manager.candidate) === 0;
  const keep = previous !== null && exploring && !stale && !spent && (regate === null || (regate.difference.value > 0 && regate.difference.upper > 0)) && !outdone;
  let candidate: ImproveReport['candidate'];
  if (keep) {
    candidate = { status: 'kept', model: manager.candidate };
  } else if (explorable) {
    candidate = { status: 'explored', model: await manager.explore(output, { value: difference.value, lower: difference.lower, upper: difference.upper }) };
  } else if (manager.candidate !== null) {
    await manager.explore(null, null);
    candidate = { status: 'withdrawn', model: null };
  } else {
    candidate = { status: 'none', model: null };
  }
  return { train, gate: train.beatsRules === null ? 'not-evaluated' : 'refused', reason, deployed: null, regate, candidate, deployedValue, mode: manager.mode, abFraction: manager.abFraction };
}

/** What a re-look between trainings did (`LearningManager.relook`). */
export interface RelookReport {
  /** The re-look (null: none was possible — no candidate, no share, a stale one, or no new logs since the last look). */
  regate: RegateReport | null;
  /** The deployed candidate when its re-look passed, else null. */
  deployed: DeployedModel | null;
  /**
   * The exploration candidate after it: `kept` (it goes on exploring), `withdrawn` (its re-look found it worse — the
   * upper end of its interval below 0 — or it spent its error budget without passing; the next training chooses
   * another), `retired` (deployed), or `none` (there was none).
   */
  candidate: { status: 'kept' | 'withdrawn' | 'retired' | 'none'; model: CandidateModel | null };
  mode: LearningMode;
  abFraction: number;
}

/**
 * A re-look at the exploration candidate without training (`LearningManager.relook`): when it passes, the candidate
 * is deployed and an A/B period starts (or, a challenger, it replaces the deployed model in production), exactly as
 * in `improvePolicy`. Worth calling between trainings when the candidate's looks spend by information (`relookLogs`):
 * a look on few new logs then spends little of the error budget, so looking often costs no error and a candidate
 * deploys as soon as its evidence suffices. With look-index spending every look halves what the next may spend.
 */
export async function relookCandidate(manager: Improvable, options: { output?: string; servedAs?: TrainOptions['servedAs']; trainerConfig?: Record<string, unknown> } = {}): Promise<RelookReport> {
  const previous = manager.candidate;
  const done = (regate: RegateReport | null, candidate: RelookReport['candidate']): RelookReport => ({ regate, deployed: null, candidate, mode: manager.mode, abFraction: manager.abFraction });
  if (previous === null || manager.candidateShare <= 0 || manager.candidateStale) return done(null, { status: previous === null ? 'none' : 'kept', model: previous });
  const output = options.output ?? relookOutput(manager.dataDir, previous);
  const regate = await manager.regate({
    output,
    ...(options.servedAs === undefined ? {} : { servedAs: options.servedAs }),
    ...(options.trainerConfig === undefined ? {} : { trainerConfig: options.trainerConfig }),
  });
  if (regate !== null && regate.passed && regate.directory !== null) {
    const deployed = await deployAndServe(manager, regate.directory);
    return { regate, deployed, candidate: { status: 'retired', model: null }, mode: manager.mode, abFraction: manager.abFraction };
  }
  const current = manager.candidate;
  if (current !== null && (relookErrorLeft(current) === 0 || (regate !== null && regate.difference.upper < 0))) {
    await manager.explore(null, null);
    return done(regate, { status: 'withdrawn', model: null });
  }
  return done(regate, { status: current === null ? 'none' : 'kept', model: current });
}

async function deployAndStartAbTest(manager: Improvable, train: TrainReport, directory: string, regate: RegateReport | null): Promise<ImproveReport> {
  const hadCandidate = manager.candidate !== null;
  const deployed = await deployAndServe(manager, directory);
  return { train, gate: 'passed', reason: null, deployed, regate, candidate: { status: hadCandidate ? 'retired' : 'none', model: null }, deployedValue: null, mode: manager.mode, abFraction: manager.abFraction };
}

/**
 * Deploys a model that passed its gate. A challenger that beat the deployed model on production logs replaces it in
 * production (`deploy`); any other deployment starts an A/B period (from production, `deploy` itself went back to ab_test).
 */
async function deployAndServe(manager: Improvable, directory: string): Promise<DeployedModel> {
  const deployed = await manager.deploy(directory);
  if (manager.mode !== 'ab_test' && manager.mode !== 'production') await manager.setMode('ab_test', { fraction: manager.firstRampStep });
  return deployed;
}

/** Where a re-look writes the candidate that passed: `<dataDir>/candidates/<version>--look-<n>`. */
function relookOutput(dataDir: string, candidate: CandidateModel): string {
  return join(dataDir, 'candidates', `${candidate.version.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 80)}--look-${candidate.looks + 1}`);
}

/**
 * The trainer configuration of a training whose gate only screens (an exploration share is set, so only a re-look on
 * fresh logs deploys): the critic that chooses the candidate's actions gets every training row (`gateShare` 0) instead
 * of giving half of them to an independent gate critic, whose independence only a deploying gate needs; the screen
 * then values the candidate on the held-out rows with critics cross-fitted on them. An explicit `offline.gateShare`
 * of the caller stands. Measured (`pnpm --filter @orchestra/demo bench:offline --world default --seed 3 --sessions
 * 10000`, 1,000 held-out tasks): the served candidate's learned − rules −0.87 [−1.81, 0.06] with the split, +5.59
 * [2.83, 8.36] with every row to the chooser.
 */
function screeningTrainerConfig(trainerConfig: Record<string, unknown> | undefined): Record<string, unknown> {
  const offline = (trainerConfig?.offline ?? {}) as Record<string, unknown>;
  if (offline.gateShare !== undefined) return { ...trainerConfig };
  return { ...trainerConfig, offline: { ...offline, gateShare: 0 } };
}
