import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomically } from '@orchestra/learning-types/files';
import { learningModeSchema, safeValidate } from '@orchestra/learning-types';
import { z } from 'zod';
import { LearningConfigError } from './errors';
import { withFileLock } from './file-lock';

/** File name of the persisted state inside the data directory. */
export const STATE_FILE_NAME = 'orchestra.state.json';
/** Schema version of the state file. */
export const STATE_SCHEMA_VERSION = 1;

/** Running totals of one A/B arm: enough for mean reward, error rate and mean cost. */
export const armStatisticsSchema = z.object({
  sessions: z.number().int().nonnegative().default(0),
  rewardSum: z.number().finite().default(0),
  /** Sessions that ended failed. */
  failedSessions: z.number().int().nonnegative().default(0),
  costSum: z.number().finite().nonnegative().default(0),
  /** Sums of squares of reward and cost: the standard errors that size the guardrails to the sample. */
  rewardSquaredSum: z.number().finite().nonnegative().default(0),
  costSquaredSum: z.number().finite().nonnegative().default(0),
});
export type ArmStatistics = z.infer<typeof armStatisticsSchema>;

/** Both arms of an A/B comparison. */
export const armsSchema = z.object({
  learned: armStatisticsSchema.default(armStatisticsSchema.parse({})),
  rules: armStatisticsSchema.default(armStatisticsSchema.parse({})),
});
export type Arms = z.infer<typeof armsSchema>;

/** A model made the active policy by `deploy`. */
export const deployedModelSchema = z.object({
  version: z.string().min(1),
  /** The copy of the artifact inside `<dataDir>/models/` that the runtime loads. */
  directory: z.string().min(1),
  /** The directory it was deployed from. */
  source: z.string().min(1),
  deployedAt: z.iso.datetime({ offset: true }),
  createdAt: z.string().optional(),
  /** Whether the model's off-policy evaluation beat the rules (null: no evaluation in the manifest). */
  beatsRules: z.boolean().nullable(),
  /** Deployed with `force` despite a rollout rule. */
  forced: z.boolean().default(false),
  /**
   * Estimated learned − rules when it was deployed (reward points): its gate's estimate, or for a challenger that
   * replaced a model in production, that model's plus the challenger's re-look against it. Null: not known.
   */
  estimate: z.number().nullable().default(null),
});
export type DeployedModel = z.infer<typeof deployedModelSchema>;

/**
 * The exploration candidate: the last model `improve` trained whose deploy gate did not pass but did not find it
 * worse than the rules either. It acts on `candidateShare` of shadow sessions against the rules, or — chosen while a
 * model is deployed (`challenges`) — on `candidateShare` of production sessions against that model (see the policy
 * package's router).
 */
export const candidateModelSchema = z.object({
  version: z.string().min(1),
  /** The copy inside `<dataDir>/models/` that the runtime loads. */
  directory: z.string().min(1),
  source: z.string().min(1),
  since: z.iso.datetime({ offset: true }),
  /** The gate's estimate of learned − rules when the candidate was chosen (null: none in its manifest). */
  estimate: z.object({ value: z.number(), lower: z.number(), upper: z.number() }).nullable().default(null),
  /** Re-looks at it so far on the logs recorded while it explored (`improve`; each spends less of the error rate). */
  looks: z.number().int().nonnegative().default(0),
  /**
   * Each re-look's information (1 / SE² of its difference; null when that SE was 0) and the z bound it applied (null:
   * its logs did not support the candidate, so it could not deploy), in order: the next look's exact
   * group-sequential bound needs them. Shorter than `looks` (a state written before they were kept): Bonferroni bounds.
   */
  lookBounds: z
    .array(
      z.object({
        information: z.number().finite().positive().nullable(),
        bound: z.number().finite().nullable(),
        /** The one-sided error rate the look spent (absent in a state written before it was kept: `alpha / 2^(look+1)`). */
        spend: z.number().gt(0).lt(0.5).optional(),
        /** The fresh logs it was made on. */
        logs: z.number().int().positive().optional(),
      }),
    )
    .max(10_000)
    .default([]),
  /**
   * With a planned number of fresh logs (`relookLogs` of the config when it started exploring), its re-looks spend
   * their error by information fraction (the logs looked at over this), Lan–DeMets Pocock-type; once it is reached
   * the budget is spent and a candidate that did not pass is withdrawn. Null: by look index, `alpha / 2^(look+1)`.
   */
  plannedLogs: z.number().int().positive().nullable().default(null),
  /**
   * The error rate its re-looks may spend in all, in `REGATE_ALPHA`'s convention (twice the one-sided rate), fixed
   * when it started exploring: with the run's error budget (`gateErrorBudget: 'run'`), its share of the budget plus
   * what the last candidate that passed carried forward. Null: `REGATE_ALPHA` (a budget per candidate, or a state
   * written before it was kept).
   */
  alpha: z.number().gt(0).lt(1).nullable().default(null),
  /**
   * The deployed model it challenges (chosen in `ab_test` or `production`): it explores on production sessions and
   * its re-looks compare it with that model. Null: it explores on shadow sessions against the rules.
   */
  challenges: z.string().min(1).nullable().default(null),
});
export type CandidateModel = z.infer<typeof candidateModelSchema>;

/** A change the online drift detection found, and what the manager did about it. */
export const driftEventSchema = z.object({
  at: z.string(),
  /** Sessions this process had recorded when it was detected. */
  sessionsRecorded: z.number().int().nonnegative(),
  /** A model id, or `learned-arm`. */
  subject: z.string(),
  metric: z.enum(['errorRate', 'latency', 'success', 'learnedVsRules']),
  direction: z.enum(['up', 'down']),
  degraded: z.boolean(),
  baseline: z.number(),
  changed: z.number(),
  response: z.enum(['exploration', 'back-to-ab-test', 'demoted-to-shadow', 'none']),
});
export type DriftEvent = z.infer<typeof driftEventSchema>;

/** `<dataDir>/orchestra.state.json`: what `orchestra learning-mode`/`learning-deploy` persist for every process. */
export const learningStateSchema = z.object({
  schemaVersion: z.literal(STATE_SCHEMA_VERSION).default(STATE_SCHEMA_VERSION),
  /** Persisted mode; null = the configured one. */
  mode: learningModeSchema.nullable().default(null),
  /** Current A/B fraction sent to the learned policy; null = the configured/first ramp step. */
  abFraction: z.number().gt(0).max(1).nullable().default(null),
  deployed: deployedModelSchema.nullable().default(null),
  /** The exploration candidate of shadow mode (null: the rules act on every shadow session). */
  candidate: candidateModelSchema.nullable().default(null),
  /**
   * How the rules' exploration weighs its alternatives (head → choice → weight in [0.01, 1]), set by `improve` from
   * the last trained critic (`adaptiveExploration`); null: uniform. `from` is the version of the training that set them.
   */
  exploration: z
    .object({
      from: z.string().min(1),
      weights: z.record(z.string(), z.record(z.string(), z.number().min(0.01).max(1))),
    })
    .nullable()
    .default(null),
  /**
   * The run's error budget of the deploy gate (`gateErrorBudget: 'run'`): how many candidates have started exploring
   * in this data dir (the k-th gets 6/(π²k²) of `REGATE_ALPHA`), and the error rate the last candidate whose re-look
   * passed carries forward to the next one (the fallback procedure: a rejected hypothesis passes its level on).
   */
  gateBudget: z
    .object({ candidates: z.number().int().nonnegative().default(0), carried: z.number().min(0).lt(1).default(0) })
    .default({ candidates: 0, carried: 0 }),
  /** Earlier deployments, most recent last: `rollback` returns to the last one (or to the rules when empty). */
  previous: z.array(deployedModelSchema).default([]),
  abTest: z
    .object({
      /** Learned-arm sessions served in `ab_test` with the deployed model (the A/B period before production). */
      sessionsServed: z.number().int().nonnegative().default(0),
      /** Both arms since the current ramp step began. */
      step: armsSchema.default(armsSchema.parse({})),
      /** Both arms over the whole A/B period of the deployed model. */
      total: armsSchema.default(armsSchema.parse({})),
      /** The last guardrail breach, which sent the fraction back to the first ramp step. */
      lastBreach: z.object({ at: z.string(), reason: z.string() }).nullable().default(null),
    })
    .default({ sessionsServed: 0, step: armsSchema.parse({}), total: armsSchema.parse({}), lastBreach: null }),
  /** Changes the drift detection found (most recent last, capped at 100). */
  drift: z.object({ events: z.array(driftEventSchema).default([]) }).default({ events: [] }),
  /** Human-readable log of rollout events (mode changes, ramps, deployments), most recent last, capped. */
  events: z.array(z.object({ at: z.string(), message: z.string() })).default([]),
  updatedAt: z.string().optional(),
});
export type LearningState = z.infer<typeof learningStateSchema>;

/** Most events kept in the state file. */
const EVENT_LIMIT = 50;

/** A fresh state: nothing deployed, the configured mode. */
export function emptyLearningState(): LearningState {
  // zod hands out its `.default(...)` objects by reference: clone, so no two states share their arms or event log.
  return structuredClone(learningStateSchema.parse({}));
}

/** Appends an event to the state's log (capped). */
export function addStateEvent(state: LearningState, message: string, now = new Date()): void {
  state.events.push({ at: now.toISOString(), message });
  if (state.events.length > EVENT_LIMIT) state.events.splice(0, state.events.length - EVENT_LIMIT);
}

/**
 * Reads and writes the state file. Writes go through a lock file and an atomic rename, so several processes
 * (an orchestrator and the `orchestra` command) can share one data directory.
 */
export class LearningStateStore {
  /** Absolute path of the state file. */
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, STATE_FILE_NAME);
  }

  /** The persisted state, or a fresh one when the file does not exist. Throws `LearningConfigError` when it is corrupt. */
  async read(): Promise<LearningState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyLearningState();
      throw error;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new LearningConfigError({ source: this.path, field: '', message: 'state file is not valid JSON', cause: error });
    }
    const result = safeValidate(learningStateSchema, json, 'learning state');
    if (!result.success) {
      throw new LearningConfigError({ source: this.path, field: result.error.field, message: result.error.issues[0]?.message ?? 'invalid', cause: result.error });
    }
    return result.value;
  }

  /** Modification time of the state file in ms, or 0 when it does not exist (cheap: used to poll for changes). */
  async modifiedAt(): Promise<number> {
    try {
      return (await stat(this.path)).mtimeMs;
    } catch {
      return 0;
    }
  }

  /** Reads the state, lets `change` modify it (and return a value), and writes it back, all under the lock. */
  async update<T>(change: (state: LearningState) => T | Promise<T>): Promise<{ state: LearningState; result: T }> {
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    return withFileLock(`${this.path}.lock`, async () => {
      const state = await this.read();
      const result = await change(state);
      state.updatedAt = new Date().toISOString();
      const validated = learningStateSchema.parse(state);
      await writeFileAtomically(this.path, `${JSON.stringify(validated, null, 2)}\n`);
      return { state: validated, result };
    });
  }
}
