import { randomUUID } from 'node:crypto';
import { defaultFeatureSchema, encodeState, type FeatureSchema } from '@orchestra/learning-features';
import { experienceReward, parsedSessionReward, type RewardConfigInput } from '@orchestra/learning-reward';
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
import type { ExperienceStore, SerializedExperience } from './experience-store';
import type { ExperienceStatsAccumulator } from './experience-stats';
import { ExperienceStoreError } from './errors';
import {
  experienceWithoutSessionSchema,
  isParsedSystemState,
  isParsedTaskContext,
  isStoredExperience,
  isBuiltExperienceWithoutSession,
  parsedDecisionFields,
} from './compiled-validator';
import { outcomeFromParsedSession } from './outcome-from-session';

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
  /**
   * The caller vouches that the session id was generated for this run and cannot be stored already (the facade's
   * own decisions): the duplicate check, which reads the store's ids once, is skipped.
   */
  newSession?: boolean | undefined;
  /**
   * The caller vouches that the session is already the output of `parseSessionState` (e.g. the facade's ingest,
   * which validated it while reading the file): it is not parsed again, and the built experience is validated
   * without re-validating its session — each record is validated once.
   */
  validatedSession?: boolean | undefined;
}

/** What `recordSession` did with one finished session. */
export type RecordOutcome =
  | { status: 'recorded'; experience: Experience }
  /**
   * Nothing stored: `disabled` mode, or `duplicate-session` (an experience of the same session id is already in
   * the store, e.g. when an ingest is re-run after a crash).
   */
  | { status: 'skipped'; reason: 'disabled' | 'duplicate-session'; sessionId?: string };

/** Options of `ExperienceBuilder`: how a finished session becomes an experience. */
export interface ExperienceBuilderOptions {
  /** The mode records are made in unless a record says otherwise (default `disabled`). */
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

/** Options of `ExperienceCollector`: the store, and how sessions become experiences. */
export interface ExperienceCollectorOptions extends ExperienceBuilderOptions {
  /** Where the experiences go. (`mode` `disabled`, the default as for the whole learning layer, records nothing.) */
  store: ExperienceStore;
}

/** Shortest decimal that reads back as the same float32, so feature vectors stay compact in JSON. */
function compactFloat32(value: number): number {
  if (Number.isInteger(value)) return value;
  let compact = compactValues.get(value);
  if (compact !== undefined) return compact;
  compact = Number(value.toPrecision(9));
  for (let digits = 6; digits < 9; digits += 1) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) {
      compact = candidate;
      break;
    }
  }
  // Feature values repeat across records (scaled counts, encoded categories): remember the last few thousand.
  if (compactValues.size >= COMPACT_VALUES_KEPT) compactValues.clear();
  compactValues.set(value, compact);
  return compact;
}

/** The fields `build` reads from the decision and the details; a field the details hold (even `undefined`) wins, as a spread would. */
const detailFields = ['context', 'system', 'history', 'task', 'outcome', 'mode', 'sessionId', 'timestamp', 'id', 'newSession', 'validatedSession'] as const;

/** `{ ...decision, ...details }` restricted to the fields of `RecordDetails` (a decision has many more, not copied). */
function mergeDetails(decision: object, details: object): Partial<RecordDetails> {
  const merged: Record<string, unknown> = {};
  for (const field of detailFields) {
    const source = Object.hasOwn(details, field) ? details : Object.hasOwn(decision, field) ? decision : undefined;
    if (source !== undefined) merged[field] = (source as Record<string, unknown>)[field];
  }
  return merged as Partial<RecordDetails>;
}

const COMPACT_VALUES_KEPT = 4096;
const compactValues = new Map<number, number>();

/**
 * Turns a finished session into an `Experience` without storing it: encodes the state (`encodeState` + the feature
 * schema hash), computes the reward and its breakdown, derives the outcome from the session when none is given, and
 * validates the record. `ExperienceCollector` builds with one; a worker thread can build with its own (the same
 * options give the same record, up to its id and timestamp).
 */
export class ExperienceBuilder {
  private currentMode: LearningMode;
  private readonly featureSchema: FeatureSchema;
  private readonly options: ExperienceBuilderOptions;
  private readonly features: Float32Array;

  constructor(options: ExperienceBuilderOptions = {}) {
    this.options = options;
    this.currentMode = validate(learningModeSchema, options.mode ?? 'disabled', 'LearningMode');
    this.featureSchema = options.featureSchema ?? defaultFeatureSchema;
    this.features = new Float32Array(this.featureSchema.size);
  }

  /** The mode records are made in (unless a record overrides it). */
  get mode(): LearningMode {
    return this.currentMode;
  }

  /** Changes the mode records are made in. */
  setMode(mode: LearningMode): void {
    this.currentMode = validate(learningModeSchema, mode, 'LearningMode');
  }

  /** Builds the experience of a finished session. */
  build(
    sessionInput: EnhancedSessionStateInput | EnhancedSessionState,
    decisionInput: DecisionInput & Partial<RecordDetails>,
    details: Partial<RecordDetails> = {},
  ): Experience {
    const merged = mergeDetails(decisionInput, details);
    if (merged.context === undefined || merged.system === undefined) {
      throw new ValidationError({
        what: 'RecordDetails',
        issues: [{ path: merged.context === undefined ? 'context' : 'system', message: 'required (with the decision or as details)' }],
        value: merged,
      });
    }
    const sessionValidated = merged.validatedSession === true;
    const session = sessionValidated ? (sessionInput as EnhancedSessionState) : parseSessionState(sessionInput);
    const decision = parsedDecisionFields(decisionInput) ?? validate(decisionSchema, decisionInput, 'Decision');
    // The compiled checks accept a context and system state already in their parsed form; zod decides otherwise.
    const context = isParsedTaskContext(merged.context) ? merged.context : validate(taskContextSchema, merged.context, 'TaskContext');
    const system = isParsedSystemState(merged.system) ? merged.system : validate(systemStateSchema, merged.system, 'SystemState');
    const history = merged.history === undefined ? undefined : validate(historySummarySchema, merged.history, 'HistorySummary');
    const mode = merged.mode ?? this.currentMode;

    encodeState({ context, system, history }, this.features, this.featureSchema);
    const features = new Array<number>(this.features.length);
    for (let index = 0; index < features.length; index += 1) features[index] = compactFloat32(this.features[index]!);

    const givenOutcome = merged.outcome === undefined ? undefined : validate(outcomeSchema, merged.outcome, 'Outcome');
    const outcome =
      givenOutcome ??
      outcomeFromParsedSession(session, {
        estimatedDurationMs: context.estimatedTimeMinutes * 60_000,
        ...(this.options.budget === undefined ? {} : { budget: this.options.budget }),
      });
    const rewardSource = this.options.rewardSource ?? 'auto';
    const useSessionReward = rewardSource === 'session' || (rewardSource === 'auto' && givenOutcome === undefined);
    // `session` is parsed (above, or vouched for): its reward needs no second validation.
    const reward = useSessionReward ? parsedSessionReward(session, this.options.reward) : experienceReward(outcome, this.options.reward);

    const sessionId = merged.sessionId ?? session.sessionId;
    const task = merged.task === undefined ? undefined : { description: merged.task.description, files: merged.task.files ?? [] };
    const keepSession = this.options.keepSession !== false;
    const candidate = {
      schemaVersion: EXPERIENCE_SCHEMA_VERSION,
      id: merged.id ?? randomUUID(),
      timestamp: merged.timestamp ?? (this.options.now?.() ?? new Date()).toISOString(),
      ...(sessionId === undefined ? {} : { sessionId }),
      state: { featureSchemaHash: this.featureSchema.hash, features, context, system, ...(history === undefined ? {} : { history }) },
      action: decision.action,
      propensity: decision.propensity,
      // The cost weight the decision was made under: its propensity is a probability under that weight.
      policy: { source: decision.source, version: decision.policyVersion, ...(decision.costWeight === undefined ? {} : { costWeight: decision.costWeight }) },
      mode,
      reward,
      outcome,
      ...(keepSession && !sessionValidated ? { session } : {}),
      ...(task === undefined ? {} : { task }),
    };
    // Validated once: the compiled check accepts a well-formed record; zod decides (and names the field) otherwise.
    // Without its session, the record's context, system state, history, action and outcome were validated above
    // (compiled checks or zod): the check covers the rest of it.
    const schema = sessionValidated ? experienceWithoutSessionSchema : experienceSchema;
    const compiled = sessionValidated ? isBuiltExperienceWithoutSession : isStoredExperience;
    const record = compiled(candidate) ? (candidate as Experience) : (validate(schema, candidate, 'Experience') as Experience);
    // A validated session is attached as it is: the rest of the record was just validated without it (the record
    // is this call's own object — the candidate or zod's copy of it — so it is completed in place).
    if (keepSession && sessionValidated) record.session = session;
    return record;
  }
}

/**
 * Turns finished sessions into stored experiences (`ExperienceBuilder`) and appends them to the store, each session
 * once. Records nothing in `disabled` mode.
 */
export class ExperienceCollector {
  private readonly store: ExperienceStore;
  private readonly builder: ExperienceBuilder;
  /** Session ids already in the store; read from it on the first record that has a session id. */
  private storedSessionIds: Promise<Set<string>> | undefined;

  constructor(options: ExperienceCollectorOptions) {
    this.store = options.store;
    this.builder = new ExperienceBuilder(options);
  }

  /** The mode records are made in (unless a record overrides it). */
  get mode(): LearningMode {
    return this.builder.mode;
  }

  /** Changes the mode (e.g. when the manager moves from shadow to A/B test). */
  setMode(mode: LearningMode): void {
    this.builder.setMode(mode);
  }

  /** Builds the experience of a finished session without storing it (`ExperienceBuilder.build`). */
  build(
    sessionInput: EnhancedSessionStateInput | EnhancedSessionState,
    decisionInput: DecisionInput & Partial<RecordDetails>,
    details: Partial<RecordDetails> = {},
  ): Experience {
    return this.builder.build(sessionInput, decisionInput, details);
  }

  /**
   * Builds the experience of a finished session and appends it; resolves once the store acknowledged it.
   * Returns `null` (and touches nothing) in `disabled` mode, or when the store already holds an experience of the
   * same session id (see `recordSession` to tell the two apart). The state (`context`, `system`, `history?`,
   * `task?`) may come with the decision — as the facade's `LearningDecision` does — or as `details`, which win.
   *
   * @throws ValidationError when the session, decision or state is invalid; store errors from `append`.
   */
  async record(
    session: EnhancedSessionStateInput | EnhancedSessionState,
    decision: DecisionInput & Partial<RecordDetails>,
    details: Partial<RecordDetails> = {},
  ): Promise<Experience | null> {
    const outcome = await this.recordSession(session, decision, details);
    return outcome.status === 'recorded' ? outcome.experience : null;
  }

  /**
   * Like `record`, but says why nothing was stored: a session whose id the store already holds is skipped
   * (`duplicate-session`), so re-running an ingest never stores a session twice.
   */
  async recordSession(
    session: EnhancedSessionStateInput | EnhancedSessionState,
    decision: DecisionInput & Partial<RecordDetails>,
    details: Partial<RecordDetails> = {},
  ): Promise<RecordOutcome> {
    const mode = details.mode ?? decision.mode ?? this.builder.mode;
    if (mode === 'disabled') return { status: 'skipped', reason: 'disabled' };
    const experience = this.build(session, decision, details);
    if (details.newSession === true || decision.newSession === true) {
      await this.store.append(experience, { validated: true });
      // Keep the ids read from the store (if they were) up to date.
      if (experience.sessionId !== undefined && this.storedSessionIds !== undefined) (await this.storedSessionIds).add(experience.sessionId);
      return { status: 'recorded', experience };
    }
    const [stored] = await this.appendNew([experience], { validated: true });
    if (stored === undefined) return { status: 'skipped', reason: 'duplicate-session', ...(experience.sessionId === undefined ? {} : { sessionId: experience.sessionId }) };
    return { status: 'recorded', experience };
  }

  /**
   * Appends experiences (e.g. an export read back) except those whose session id the store already holds or that
   * repeat one earlier in the list; returns the appended ones. Experiences without a session id are always appended.
   */
  async appendNew(experiences: readonly Experience[], options: { validated?: boolean } = {}): Promise<Experience[]> {
    // A store that keeps each session once by itself (a unique constraint) decides, across processes and hosts.
    if (this.store.appendNew !== undefined) return this.store.appendNew(experiences, { validated: options.validated === true });
    return this.appendFresh(experiences, (fresh) => this.store.append(fresh, { validated: options.validated === true }));
  }

  /**
   * `appendNew` for records serialised by the caller (`ExperienceStore.appendSerialized`, e.g. built on worker
   * threads): those whose session id the store already holds, or that repeat one earlier in the list, are skipped;
   * returns the appended ones. `stats` (of exactly `records`) go to the store only when none was skipped. Throws
   * `ExperienceStoreError` when the store cannot take serialised records.
   */
  async appendSerialized<T extends SerializedExperience>(records: readonly T[], stats?: ExperienceStatsAccumulator): Promise<T[]> {
    if (this.store.appendSerialized === undefined || this.store.appendNew !== undefined) {
      throw new ExperienceStoreError({ operation: 'append', path: '<store>', message: 'this store does not take serialised records (appendSerialized); append built experiences instead' });
    }
    const appendSerialized = this.store.appendSerialized.bind(this.store);
    return this.appendFresh(records, (fresh) => appendSerialized(fresh, fresh.length === records.length ? stats : undefined));
  }

  /**
   * Appends (`append`) the records whose session id the store does not hold and the list did not repeat before (all
   * records without one); returns them. The known ids follow: a failed append forgets its records' ids again.
   */
  private async appendFresh<T extends { sessionId?: string | undefined }>(records: readonly T[], append: (fresh: T[]) => Promise<unknown>): Promise<T[]> {
    const known = await this.knownSessionIds();
    const fresh: T[] = [];
    for (const record of records) {
      if (record.sessionId !== undefined) {
        if (known.has(record.sessionId)) continue;
        known.add(record.sessionId);
      }
      fresh.push(record);
    }
    if (fresh.length === 0) return fresh;
    try {
      await append(fresh);
    } catch (error) {
      // Not stored: a retry must not be skipped as a duplicate.
      for (const record of fresh) if (record.sessionId !== undefined) known.delete(record.sessionId);
      throw error;
    }
    return fresh;
  }

  /** Whether the store holds an experience of this session id. */
  async hasSession(sessionId: string): Promise<boolean> {
    if (this.store.hasSession !== undefined) return this.store.hasSession(sessionId);
    return (await this.knownSessionIds()).has(sessionId);
  }

  /**
   * Forgets the session ids read from the store, so the next record reads them again: call it after taking an
   * inter-process lock, when other processes may have appended since (the facade's ingest does).
   */
  forgetKnownSessions(): void {
    this.storedSessionIds = undefined;
  }

  private knownSessionIds(): Promise<Set<string>> {
    this.storedSessionIds ??= (async () => {
      const ids = new Set<string>();
      for await (const batch of this.store.read({ quarantine: false, view: 'original' }).batches()) {
        for (const experience of batch) if (experience.sessionId !== undefined) ids.add(experience.sessionId);
      }
      return ids;
    })();
    return this.storedSessionIds;
  }

  /** Flushes and closes the store. */
  async close(): Promise<void> {
    await this.store.close();
  }
}
