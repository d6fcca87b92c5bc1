import { randomUUID } from 'node:crypto';
import { defaultFeatureSchema, encodeState, type FeatureSchema } from '@orchestra/learning-features';
import { experienceReward, sessionReward, type RewardConfigInput } from '@orchestra/learning-reward';
import {
  EXPERIENCE_SCHEMA_VERSION,
  ValidationError,
  decisionSchema,
  experienceSchema,
  historySummarySchema,
  learningModeSchema,
  outcomeSchema,
  parseSessionState,
  systemStateSchema,
  taskContextSchema,
  validate,
  type DecisionInput,
  type EnhancedSessionState,
  type EnhancedSessionStateInput,
  type Experience,
  type HistorySummary,
  type LearningMode,
  type OutcomeInput,
  type SystemStateInput,
  type TaskContextInput,
} from '@orchestra/learning-types';
import type { ExperienceStore } from './experience-store';
import { outcomeFromSession } from './outcome-from-session';

/** The state a decision was made in, and optional facts about the run; given with the decision or beside it. */
export interface RecordDetails {
  context: TaskContextInput;
  system: SystemStateInput;
  history?: HistorySummary | undefined;
  task?: { description: string; files?: string[] } | undefined;
  /** Task-level facts; when given the reward is `experienceReward(outcome)`, else derived from the session. */
  outcome?: OutcomeInput | undefined;
  /** Overrides the collector's mode for this record. */
  mode?: LearningMode | undefined;
  sessionId?: string | undefined;
  /** When the session finished (default: now). */
  timestamp?: string | undefined;
  /** Experience id (default: a random UUID). */
  id?: string | undefined;
}

/** Options of `ExperienceCollector`. */
export interface ExperienceCollectorOptions {
  store: ExperienceStore;
  /** Learning mode; in `disabled` nothing is recorded. Default `disabled`, as for the whole learning layer. */
  mode?: LearningMode;
  featureSchema?: FeatureSchema;
  reward?: RewardConfigInput;
  /**
   * Which reward is stored: `auto` (default) = `experienceReward(outcome)` when an outcome is given, else
   * `sessionReward(session)`; `session` / `outcome` force one (an outcome derived from the session if none given).
   */
  rewardSource?: 'auto' | 'session' | 'outcome';
  /** Whether the raw session is kept in the experience (default true; per-model stats use it). */
  keepSession?: boolean;
  /** Budget for `resourceEfficiency` of outcomes derived from sessions. */
  budget?: { costUsd?: number; tokens?: number };
  /** Clock for timestamps (tests). */
  now?: () => Date;
}

/** Shortest decimal that reads back as the same float32, so feature vectors stay compact in JSON. */
function compactFloat32(value: number): number {
  if (Number.isInteger(value)) return value;
  for (let digits = 6; digits < 9; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return Number(value.toPrecision(9));
}

/**
 * Turns finished sessions into stored experiences: encodes the state (`encodeState` + the feature schema hash),
 * computes the reward and its breakdown, derives the outcome from the session when none is given, and appends the
 * validated `Experience` to the store. Records nothing in `disabled` mode.
 */
export class ExperienceCollector {
  private readonly store: ExperienceStore;
  private currentMode: LearningMode;
  private readonly featureSchema: FeatureSchema;
  private readonly options: ExperienceCollectorOptions;
  private readonly features: Float32Array;

  constructor(options: ExperienceCollectorOptions) {
    this.options = options;
    this.store = options.store;
    this.currentMode = validate(learningModeSchema, options.mode ?? 'disabled', 'LearningMode');
    this.featureSchema = options.featureSchema ?? defaultFeatureSchema;
    this.features = new Float32Array(this.featureSchema.size);
  }

  /** The mode records are made in (unless a record overrides it). */
  get mode(): LearningMode {
    return this.currentMode;
  }

  /** Changes the mode (e.g. when the manager moves from shadow to A/B test). */
  setMode(mode: LearningMode): void {
    this.currentMode = validate(learningModeSchema, mode, 'LearningMode');
  }

  /** Builds the experience of a finished session without storing it. */
  build(
    sessionInput: EnhancedSessionStateInput | EnhancedSessionState,
    decisionInput: DecisionInput & Partial<RecordDetails>,
    details: Partial<RecordDetails> = {},
  ): Experience {
    const merged: Partial<RecordDetails> = { ...decisionInput, ...details };
    if (merged.context === undefined || merged.system === undefined) {
      throw new ValidationError({
        what: 'RecordDetails',
        issues: [{ path: merged.context === undefined ? 'context' : 'system', message: 'required (with the decision or as details)' }],
        value: merged,
      });
    }
    const session = parseSessionState(sessionInput);
    const decision = validate(decisionSchema, decisionInput, 'Decision');
    const context = validate(taskContextSchema, merged.context, 'TaskContext');
    const system = validate(systemStateSchema, merged.system, 'SystemState');
    const history = merged.history === undefined ? undefined : validate(historySummarySchema, merged.history, 'HistorySummary');
    const mode = merged.mode ?? this.currentMode;

    encodeState({ context, system, history }, this.features, this.featureSchema);
    const features = Array.from(this.features, compactFloat32);

    const givenOutcome = merged.outcome === undefined ? undefined : validate(outcomeSchema, merged.outcome, 'Outcome');
    const outcome =
      givenOutcome ??
      outcomeFromSession(session, {
        estimatedDurationMs: context.estimatedTimeMinutes * 60_000,
        ...(this.options.budget === undefined ? {} : { budget: this.options.budget }),
      });
    const rewardSource = this.options.rewardSource ?? 'auto';
    const useSessionReward = rewardSource === 'session' || (rewardSource === 'auto' && givenOutcome === undefined);
    const reward = useSessionReward ? sessionReward(session, this.options.reward) : experienceReward(outcome, this.options.reward);

    const sessionId = merged.sessionId ?? session.sessionId;
    const task = merged.task === undefined ? undefined : { description: merged.task.description, files: merged.task.files ?? [] };
    return validate(
      experienceSchema,
      {
        schemaVersion: EXPERIENCE_SCHEMA_VERSION,
        id: merged.id ?? randomUUID(),
        timestamp: merged.timestamp ?? (this.options.now?.() ?? new Date()).toISOString(),
        ...(sessionId === undefined ? {} : { sessionId }),
        state: { featureSchemaHash: this.featureSchema.hash, features, context, system, ...(history === undefined ? {} : { history }) },
        action: decision.action,
        propensity: decision.propensity,
        policy: { source: decision.source, version: decision.policyVersion },
        mode,
        reward,
        outcome,
        ...(this.options.keepSession === false ? {} : { session }),
        ...(task === undefined ? {} : { task }),
      },
      'Experience',
    );
  }

  /**
   * Builds the experience of a finished session and appends it; resolves once the store acknowledged it.
   * Returns `null` (and touches nothing) in `disabled` mode. The state (`context`, `system`, `history?`, `task?`)
   * may come with the decision — as the facade's `LearningDecision` does — or as `details`, which win.
   *
   * @throws ValidationError when the session, decision or state is invalid; store errors from `append`.
   */
  async record(
    session: EnhancedSessionStateInput | EnhancedSessionState,
    decision: DecisionInput & Partial<RecordDetails>,
    details: Partial<RecordDetails> = {},
  ): Promise<Experience | null> {
    const mode = details.mode ?? decision.mode ?? this.currentMode;
    if (mode === 'disabled') return null;
    const experience = this.build(session, decision, details);
    // `build` validated the whole record; the store need not parse it a second time.
    await this.store.append(experience, { validated: true });
    return experience;
  }

  /** Flushes and closes the store. */
  async close(): Promise<void> {
    await this.store.close();
  }
}
