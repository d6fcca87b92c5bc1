import { join } from 'node:path';
import type { LearningMode } from '@orchestra/learning-types';
import type { CandidateModel, DeployedModel } from './learning-state';
import type { TrainOptions, TrainReport } from './train';

/** Options of `LearningManager.improve`: those of `train`, with the output directory optional. */
export interface ImproveOptions extends Omit<TrainOptions, 'output'> {
  /** Where the candidate is written (default `<dataDir>/candidates/<version>`). */
  output?: string;
}

/** What one improvement step did: the training report, the gate's verdict, and the deployment when it passed. */
export interface ImproveReport {
  train: TrainReport;
  /** The deploy gate's verdict on the candidate (`train.beatsRules === true`). */
  gate: 'passed' | 'refused' | 'not-evaluated';
  /** Why the candidate was not deployed (null when it was). */
  reason: string | null;
  /** The deployed model when the gate passed, else null (the current policy keeps acting). */
  deployed: DeployedModel | null;
  /**
   * The exploration candidate after the step: with `candidateShare` > 0, a refused candidate the gate did not find
   * worse than the rules acts on that share of shadow sessions (`explored`); one it found worse, or could not
   * evaluate, withdraws the previous one (`withdrawn`); a deployment retires it (`retired`).
   */
  candidate: { status: 'explored' | 'withdrawn' | 'retired' | 'none'; model: CandidateModel | null };
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
  readonly candidate: CandidateModel | null;
  /** Share of shadow sessions an exploration candidate acts on (0: none is chosen). */
  readonly candidateShare: number;
  setMode(mode: LearningMode, options?: { fraction?: number }): Promise<unknown>;
}

/**
 * One step of the continuous improvement loop: train a candidate on the logged experiences → the deploy gate (the
 * trainer's off-policy comparison with the rules on the most recent logs) → when it passes, deploy it (never past
 * the gate) and start its A/B period at the first ramp step, from where the rollout rules ramp it by its measured
 * arm and its guardrails. When the gate refuses, nothing changes: the current policy keeps acting and logging, and
 * the next step trains on more data — and, with `candidateShare` > 0, a candidate the gate could not tell from the
 * rules (its interval covers zero from above) becomes the exploration candidate of shadow mode, acting on that share
 * of sessions so that the logs overlap with what the learner proposes next; one the gate found worse withdraws it.
 */
export async function improvePolicy(manager: Improvable, options: ImproveOptions = {}): Promise<ImproveReport> {
  const version = options.version ?? `learned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  const output = options.output ?? join(manager.dataDir, 'candidates', version);
  const train = await manager.train({ ...options, version, output });
  if (train.beatsRules !== true) {
    const difference = (train.ope as { difference?: { value: number; lower: number; upper: number } } | null)?.difference;
    const reason =
      train.beatsRules === false && difference !== undefined
        ? `the gate refused: estimated learned − rules ${difference.value.toFixed(2)} [${difference.lower.toFixed(2)}, ${difference.upper.toFixed(2)}] does not exclude 0`
        : `the gate could not evaluate the candidate: ${train.opeError ?? 'no estimate'}`;
    // Explore with a candidate the gate could not tell from the rules; never with one it found worse.
    const explorable = manager.candidateShare > 0 && train.beatsRules === false && difference !== undefined && difference.upper > 0;
    let candidate: ImproveReport['candidate'];
    if (explorable) {
      candidate = { status: 'explored', model: await manager.explore(output, { value: difference.value, lower: difference.lower, upper: difference.upper }) };
    } else if (manager.candidate !== null) {
      await manager.explore(null, null);
      candidate = { status: 'withdrawn', model: null };
    } else {
      candidate = { status: 'none', model: null };
    }
    return { train, gate: train.beatsRules === false ? 'refused' : 'not-evaluated', reason, deployed: null, candidate, mode: manager.mode, abFraction: manager.abFraction };
  }
  const hadCandidate = manager.candidate !== null;
  const deployed = await manager.deploy(output);
  if (manager.mode !== 'ab_test') await manager.setMode('ab_test', { fraction: manager.firstRampStep });
  return { train, gate: 'passed', reason: null, deployed, candidate: { status: hadCandidate ? 'retired' : 'none', model: null }, mode: manager.mode, abFraction: manager.abFraction };
}
