import { z } from 'zod';
import { LearningConfigError } from './errors';

/** Options of `ImprovementSchedule` (validated: a bad value throws `LearningConfigError` naming it). */
export const improvementScheduleOptionsSchema = z.strictObject({
  /** Sessions between trainings while nothing else calls for one (the period). */
  every: z.number().int().min(1),
  /** Sessions recorded when the first training is due (the end of the shadow phase). */
  firstAt: z.number().int().min(1),
  /**
   * Total sessions when the run has an end (a benchmark, a budget): no scheduled training starts within `every / 2`
   * of it, no re-look or drift retraining within `every / 4`. Omitted: no end.
   */
  horizon: z.number().int().min(1).optional(),
  /**
   * Sessions between re-looks at the exploration candidate between trainings (`relookDue`, then
   * `LearningManager.relook`); worth it when its looks spend by information (`relookLogs`). Omitted: it is looked
   * at only when a training runs.
   */
  relookEvery: z.number().int().min(1).optional(),
});
export type ImprovementScheduleOptions = z.input<typeof improvementScheduleOptionsSchema>;

/**
 * Why a training is due (`ImprovementSchedule.due`), in the order they are checked:
 * - `drift`: drift detection found a change for the worse half a period ago;
 * - `challenger`: an exploration candidate has challenged the deployed model for half a period (its re-look);
 * - `first`: the shadow phase is over;
 * - `no-model`: nothing is deployed and a period has passed since the last training;
 * - `production`: the deployed model has served half a period in production and a period passed since the last training;
 * - `overdue`: two periods since the last training (e.g. a model held in its A/B period by guardrail breaches).
 */
export type ImprovementReason = 'drift' | 'challenger' | 'first' | 'no-model' | 'production' | 'overdue';

/**
 * When the continuous improvement loop trains (`LearningManager.improve`): a pure, deterministic clock counted in
 * recorded sessions, so what it decides never depends on wall-clock time. The caller tells it what happened
 * (`trained`, `serving`, `productionStarted`, `demoted`, `degraded`) and asks `due(sessions)` after each recorded
 * session; when a reason comes back it calls `improve()` and then `trained`.
 *
 * ```ts
 * const schedule = new ImprovementSchedule({ every: 400, firstAt: 500 });
 * // after each recorded session:
 * if (schedule.due(sessions) !== null) {
 *   const step = await learning.improve();
 *   schedule.trained(sessions, { challenging: step.candidate.model?.challenges != null });
 *   if (step.deployed !== null) schedule.serving(sessions, step.deployed.version, learning.mode === 'production');
 * }
 * ```
 *
 * With `relookEvery`, ask `relookDue(sessions)` when no training is due: a re-look at the exploration candidate
 * (`learning.relook()`) then follows, and `relooked` tells the schedule what it left.
 */
export class ImprovementSchedule {
  readonly every: number;
  readonly firstAt: number;
  readonly horizon: number | null;
  readonly relookEvery: number | null;
  #lastTrainingAt = 0;
  #lastLookAt = 0;
  #exploring = false;
  #model: string | null = null;
  #productionSince: number | null = null;
  #challengerSince: number | null = null;
  #retrainAfterDriftAt: number | null = null;

  constructor(options: ImprovementScheduleOptions) {
    const parsed = improvementScheduleOptionsSchema.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new LearningConfigError({ source: 'ImprovementSchedule options', field: issue.path.join('.'), message: issue.message });
    }
    this.every = parsed.data.every;
    this.firstAt = parsed.data.firstAt;
    this.horizon = parsed.data.horizon ?? null;
    this.relookEvery = parsed.data.relookEvery ?? null;
  }

  /** Whether an exploration candidate explores (as the last training or re-look left it). */
  get exploring(): boolean {
    return this.#exploring;
  }

  /** The model the schedule knows to be serving (null: the rules). */
  get model(): string | null {
    return this.#model;
  }

  /** Sessions recorded at the last training (0: none yet). */
  get lastTrainingAt(): number {
    return this.#lastTrainingAt;
  }

  /** Sessions recorded when production began for the model serving now (null: not in production). */
  get productionSince(): number | null {
    return this.#productionSince;
  }

  /** Sessions recorded when the exploration candidate challenging the deployed model started or was last re-looked at (null: none). */
  get challengerSince(): number | null {
    return this.#challengerSince;
  }

  /** Sessions recorded at which a retraining after drift is due (null: none scheduled). */
  get retrainAfterDriftAt(): number | null {
    return this.#retrainAfterDriftAt;
  }

  /** Sessions left before the horizon (infinite without one). */
  #left(sessions: number): number {
    return this.horizon === null ? Number.POSITIVE_INFINITY : this.horizon - sessions;
  }

  /** Why a training is due after `sessions` recorded sessions, or null. */
  due(sessions: number): ImprovementReason | null {
    const { every } = this;
    const left = this.#left(sessions);
    if (this.#retrainAfterDriftAt !== null && sessions >= this.#retrainAfterDriftAt && left >= every / 4) return 'drift';
    if (this.#challengerSince !== null && sessions - this.#challengerSince >= every / 2 && left >= every / 4) return 'challenger';
    if (sessions === this.firstAt) return 'first';
    if (sessions <= this.firstAt || left < every / 2) return null;
    const sinceTraining = sessions - this.#lastTrainingAt;
    if (this.#model === null && sinceTraining >= every) return 'no-model';
    if (this.#productionSince !== null && sessions - this.#productionSince >= every / 2 && sinceTraining >= every) return 'production';
    if (sinceTraining >= 2 * every) return 'overdue';
    return null;
  }

  /**
   * Whether a re-look at the exploration candidate between trainings is due after `sessions` sessions: with
   * `relookEvery`, a candidate exploring and that many sessions since the last training or re-look. Ask it when `due`
   * returned null (a training re-looks too). Up to the horizon: a look at the very end can still deploy.
   */
  relookDue(sessions: number): boolean {
    if (this.relookEvery === null || !this.#exploring || sessions <= this.firstAt) return false;
    if (this.horizon !== null && sessions > this.horizon) return false;
    return sessions - Math.max(this.#lastLookAt, this.#lastTrainingAt) >= this.relookEvery;
  }

  /**
   * A training (an `improve` step) ran after `sessions` sessions; `challenging`: the exploration candidate after it
   * challenges a deployed model (its re-look is then due half a period later); `exploring`: a candidate explores
   * after it (`step.candidate.model !== null`; needed only for `relookDue`). A drift retraining, once it ran, is no
   * longer pending.
   */
  trained(sessions: number, options: { challenging: boolean; exploring?: boolean; reason?: ImprovementReason | null }): void {
    if (options.reason === 'drift') this.#retrainAfterDriftAt = null;
    this.#lastTrainingAt = sessions;
    this.#challengerSince = options.challenging ? sessions : null;
    this.#exploring = options.exploring ?? false;
  }

  /**
   * A re-look between trainings (`LearningManager.relook`) ran after `sessions` sessions; `exploring`: a candidate
   * still explores after it (kept, rather than deployed or withdrawn). The trainings' own schedule is unchanged.
   */
  relooked(sessions: number, options: { exploring: boolean }): void {
    this.#lastLookAt = sessions;
    this.#exploring = options.exploring;
  }

  /** `model` serves from now on (a deployment; `inProduction`: it replaced a model in production). */
  serving(sessions: number, model: string, inProduction: boolean): void {
    this.#model = model;
    this.#productionSince = inProduction ? sessions : null;
  }

  /** The serving model moved to production after `sessions` sessions. */
  productionStarted(sessions: number): void {
    this.#productionSince = sessions;
  }

  /** The rollout's safety net withdrew the model: `to` serves (the previous model, or null: the rules), and its challenger is gone. */
  demoted(to: string | null): void {
    this.#model = to;
    this.#productionSince = null;
    this.#challengerSince = null;
    this.#exploring = false;
  }

  /**
   * Drift detection found a change for the worse after `sessions` sessions: a retraining is due half a period later
   * (the raised exploration around what changed has gathered evidence of the new world by then), unless one is
   * pending already. Returns whether it was scheduled.
   */
  degraded(sessions: number): boolean {
    if (this.#retrainAfterDriftAt !== null) return false;
    this.#retrainAfterDriftAt = sessions + Math.round(this.every / 2);
    return true;
  }
}
