import type { Experience } from '@orchestra/learning-types';
import type { ExperienceStream } from './experience-stream';
import { z } from 'zod';
import { ExactSum } from './exact-sum';
import { LatencySketch, latencySketchStateSchema } from './latency-sketch';

/** Count, success rate and mean reward of a group of experiences (rates are `null` for an empty group). */
export interface GroupStats {
  count: number;
  successRate: number | null;
  meanReward: number | null;
}

/** Per-model figures, from the raw session's model calls when the experience keeps one, else from `outcome.models`. */
export interface ModelStats {
  attempts: number;
  successes: number;
  successRate: number | null;
  /** Tokens of the calls seen in sessions. */
  tokens: number;
  /** Cost in USD of the calls seen in sessions. */
  costUsd: number;
  /** Call latency quantiles (DDSketch, 1 % relative accuracy) over the calls seen in sessions; `null` when no session had this model. */
  latencyMs: { p50: number | null; p95: number | null } | null;
  /** Failed calls by error code. */
  errorCodes: Record<string, number>;
  /** Times a step moved from this model to another one after a failed call. */
  fallbackRotations: number;
}

/**
 * What `orchestra learning-stats --json` prints. The keys `totalExperiences`, `meanReward`, `successRate`,
 * `byTaskType`, `byDomain`, `byModel`, `bySource`, `byMode` and `quarantined` are a contract.
 */
export interface ExperienceStats {
  totalExperiences: number;
  meanReward: number | null;
  successRate: number | null;
  /** By `state.context.taskType`. */
  byTaskType: Record<string, GroupStats>;
  /** By primary domain (`state.context.domains[0]`), so the groups add up to the total. */
  byDomain: Record<string, GroupStats>;
  byModel: Record<string, ModelStats>;
  /** By policy source (`rules` / `learned`). */
  bySource: Record<string, GroupStats>;
  byMode: Record<string, GroupStats>;
  /** Invalid lines met during the pass (each recorded in the quarantine file). */
  quarantined: number;
  totalCostUsd: number;
  totalTokens: number;
  /** Sum of `outcome.fallbackRotations`. */
  fallbackRotations: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
}

const count = z.number().int().nonnegative();
const exactSumState = z.array(z.number().refine(Number.isFinite, 'must be finite')).max(64);
const groupStateSchema = z.object({ count, successes: count, rewardSum: exactSumState });
const modelStateSchema = z.object({
  attempts: count,
  successes: count,
  tokens: exactSumState,
  costUsd: exactSumState,
  latencyMs: latencySketchStateSchema,
  errorCodes: z.array(z.tuple([z.string(), count])),
  fallbackRotations: count,
});
const instantStateSchema = z.object({ time: z.number().refine(Number.isFinite, 'must be finite'), timestamp: z.string() }).nullable();
// Maps are kept as [key, value] pairs: a key such as "__proto__" stays data, never an object's prototype.
const pairs = <T extends z.ZodType>(value: T) => z.array(z.tuple([z.string(), value]));

/** Serialised `ExperienceStatsAccumulator` (what a segment summary keeps): mergeable, exact. */
export const experienceStatsStateSchema = z.object({
  overall: groupStateSchema,
  byTaskType: pairs(groupStateSchema),
  byDomain: pairs(groupStateSchema),
  bySource: pairs(groupStateSchema),
  byMode: pairs(groupStateSchema),
  byModel: pairs(modelStateSchema),
  totalCostUsd: exactSumState,
  totalTokens: exactSumState,
  fallbackRotations: count,
  first: instantStateSchema,
  last: instantStateSchema,
  quarantined: count,
});
export type ExperienceStatsState = z.infer<typeof experienceStatsStateSchema>;

class GroupAccumulator {
  count = 0;
  successes = 0;
  rewardSum = new ExactSum();

  add(success: boolean, reward: number): void {
    this.count += 1;
    if (success) this.successes += 1;
    this.rewardSum.add(reward);
  }

  merge(other: GroupAccumulator): void {
    this.count += other.count;
    this.successes += other.successes;
    this.rewardSum.merge(other.rewardSum);
  }

  result(): GroupStats {
    return {
      count: this.count,
      successRate: this.count === 0 ? null : this.successes / this.count,
      meanReward: this.count === 0 ? null : this.rewardSum.value() / this.count,
    };
  }

  toJSON(): z.infer<typeof groupStateSchema> {
    return { count: this.count, successes: this.successes, rewardSum: this.rewardSum.toJSON() };
  }

  static from(state: z.infer<typeof groupStateSchema>): GroupAccumulator {
    const group = new GroupAccumulator();
    group.count = state.count;
    group.successes = state.successes;
    group.rewardSum = ExactSum.from(state.rewardSum);
    return group;
  }
}

class ModelAccumulator {
  attempts = 0;
  successes = 0;
  tokens = new ExactSum();
  costUsd = new ExactSum();
  fallbackRotations = 0;
  errorCodes = new Map<string, number>();
  latency = new LatencySketch();

  merge(other: ModelAccumulator): void {
    this.attempts += other.attempts;
    this.successes += other.successes;
    this.tokens.merge(other.tokens);
    this.costUsd.merge(other.costUsd);
    this.fallbackRotations += other.fallbackRotations;
    for (const [code, times] of other.errorCodes) this.errorCodes.set(code, (this.errorCodes.get(code) ?? 0) + times);
    this.latency.merge(other.latency);
  }

  result(): ModelStats {
    const errorCodes: Record<string, number> = {};
    for (const code of [...this.errorCodes.keys()].sort()) errorCodes[code] = this.errorCodes.get(code)!;
    return {
      attempts: this.attempts,
      successes: this.successes,
      successRate: this.attempts === 0 ? null : this.successes / this.attempts,
      tokens: this.tokens.value(),
      costUsd: this.costUsd.value(),
      latencyMs: this.latency.count === 0 ? null : { p50: this.latency.quantile(0.5), p95: this.latency.quantile(0.95) },
      errorCodes,
      fallbackRotations: this.fallbackRotations,
    };
  }

  toJSON(): z.infer<typeof modelStateSchema> {
    return {
      attempts: this.attempts,
      successes: this.successes,
      tokens: this.tokens.toJSON(),
      costUsd: this.costUsd.toJSON(),
      latencyMs: this.latency.toJSON(),
      errorCodes: [...this.errorCodes],
      fallbackRotations: this.fallbackRotations,
    };
  }

  static from(state: z.infer<typeof modelStateSchema>): ModelAccumulator {
    const model = new ModelAccumulator();
    model.attempts = state.attempts;
    model.successes = state.successes;
    model.tokens = ExactSum.from(state.tokens);
    model.costUsd = ExactSum.from(state.costUsd);
    model.fallbackRotations = state.fallbackRotations;
    model.errorCodes = new Map(state.errorCodes);
    model.latency = LatencySketch.from(state.latencyMs);
    return model;
  }
}

function groupOf(groups: Map<string, GroupAccumulator>, key: string): GroupAccumulator {
  let group = groups.get(key);
  if (group === undefined) {
    group = new GroupAccumulator();
    groups.set(key, group);
  }
  return group;
}

function sortedRecord<T, R>(map: Map<string, T>, convert: (value: T) => R): Record<string, R> {
  const record: Record<string, R> = {};
  for (const key of [...map.keys()].sort()) {
    // defineProperty: a group named "__proto__" is an own key of the result, not its prototype.
    Object.defineProperty(record, key, { value: convert(map.get(key)!), enumerable: true, writable: true, configurable: true });
  }
  return record;
}

function mergeGroups(into: Map<string, GroupAccumulator>, from: Map<string, GroupAccumulator>): void {
  for (const [key, group] of from) groupOf(into, key).merge(group);
}

function groupsFrom(entries: readonly [string, z.infer<typeof groupStateSchema>][]): Map<string, GroupAccumulator> {
  return new Map(entries.map(([key, state]) => [key, GroupAccumulator.from(state)]));
}

function groupsJSON(groups: Map<string, GroupAccumulator>): [string, z.infer<typeof groupStateSchema>][] {
  return [...groups].map(([key, group]) => [key, group.toJSON()]);
}

interface Instant {
  time: number;
  timestamp: string;
}

/**
 * Accumulates `ExperienceStats` one experience at a time in memory bounded by the number of distinct task types,
 * domains, models, sources and modes — not by the number of experiences (latency quantiles by DDSketch). Mergeable
 * and exact: sums are exact (`ExactSum`) and sketches merge bin by bin, so accumulators of parts of a buffer,
 * merged in buffer order, give exactly the statistics of one pass (segment summaries rely on it). `toJSON` /
 * `ExperienceStatsAccumulator.from` serialise it.
 */
/**
 * The fields of an experience the statistics read: a whole `Experience`, or one without its feature vector (what a
 * caller that serialised the record elsewhere keeps, `SerializedExperience.summary`).
 */
export type ExperienceStatsInput = Pick<Experience, 'outcome' | 'reward' | 'policy' | 'mode' | 'timestamp' | 'session'> & { state: Pick<Experience['state'], 'context'> };

export class ExperienceStatsAccumulator {
  private overall = new GroupAccumulator();
  private byTaskType = new Map<string, GroupAccumulator>();
  private byDomain = new Map<string, GroupAccumulator>();
  private bySource = new Map<string, GroupAccumulator>();
  private byMode = new Map<string, GroupAccumulator>();
  private byModel = new Map<string, ModelAccumulator>();
  private totalCostUsd = new ExactSum();
  private totalTokens = new ExactSum();
  private fallbackRotations = 0;
  private first: Instant | null = null;
  private last: Instant | null = null;
  /** Invalid lines met while reading; set by `computeExperienceStats` or by hand. */
  quarantined = 0;

  /** Experiences added so far. */
  get count(): number {
    return this.overall.count;
  }

  private model(name: string): ModelAccumulator {
    let model = this.byModel.get(name);
    if (model === undefined) {
      model = new ModelAccumulator();
      this.byModel.set(name, model);
    }
    return model;
  }

  /** Adds one (validated) experience. */
  add(experience: ExperienceStatsInput): void {
    const success = experience.outcome.success;
    const reward = experience.reward.total;
    this.overall.add(success, reward);
    const context = experience.state.context;
    groupOf(this.byTaskType, context.taskType).add(success, reward);
    groupOf(this.byDomain, context.domains[0]!).add(success, reward);
    groupOf(this.bySource, experience.policy.source).add(success, reward);
    groupOf(this.byMode, experience.mode).add(success, reward);
    this.totalCostUsd.add(experience.outcome.totalCostUsd);
    this.totalTokens.add(experience.outcome.totalTokens);
    this.fallbackRotations += experience.outcome.fallbackRotations;
    const time = Date.parse(experience.timestamp);
    // Strict comparisons: of equal instants the first one seen stays, in one pass as in merged summaries.
    if (this.first === null || time < this.first.time) this.first = { time, timestamp: experience.timestamp };
    if (this.last === null || time > this.last.time) this.last = { time, timestamp: experience.timestamp };
    const session = experience.session;
    if (session !== undefined && session.workflow.some((step) => step.attempts.length > 0)) {
      for (const step of session.workflow) {
        let previous: { model: string; success: boolean } | undefined;
        for (const usage of step.attempts) {
          const model = this.model(usage.modelId);
          model.attempts += 1;
          if (usage.success) model.successes += 1;
          model.tokens.add(usage.tokensUsed);
          model.costUsd.add(usage.estimatedCost ?? 0);
          model.latency.add(usage.latencyMs);
          if (usage.errorCode !== undefined) model.errorCodes.set(usage.errorCode, (model.errorCodes.get(usage.errorCode) ?? 0) + 1);
          if (previous !== undefined && !previous.success && previous.model !== usage.modelId) this.model(previous.model).fallbackRotations += 1;
          previous = { model: usage.modelId, success: usage.success };
        }
      }
      return;
    }
    for (const entry of experience.outcome.models) {
      const model = this.model(entry.model);
      model.attempts += entry.attempts;
      model.successes += entry.successes;
    }
  }

  /** Adds what `other` accumulated, as if its experiences had been added after this one's (buffer order). */
  merge(other: ExperienceStatsAccumulator): void {
    this.overall.merge(other.overall);
    mergeGroups(this.byTaskType, other.byTaskType);
    mergeGroups(this.byDomain, other.byDomain);
    mergeGroups(this.bySource, other.bySource);
    mergeGroups(this.byMode, other.byMode);
    for (const [name, model] of other.byModel) this.model(name).merge(model);
    this.totalCostUsd.merge(other.totalCostUsd);
    this.totalTokens.merge(other.totalTokens);
    this.fallbackRotations += other.fallbackRotations;
    if (other.first !== null && (this.first === null || other.first.time < this.first.time)) this.first = other.first;
    if (other.last !== null && (this.last === null || other.last.time > this.last.time)) this.last = other.last;
    this.quarantined += other.quarantined;
  }

  /** The statistics so far (keys sorted, so the JSON is stable). */
  result(): ExperienceStats {
    const overall = this.overall.result();
    return {
      totalExperiences: overall.count,
      meanReward: overall.meanReward,
      successRate: overall.successRate,
      byTaskType: sortedRecord(this.byTaskType, (group) => group.result()),
      byDomain: sortedRecord(this.byDomain, (group) => group.result()),
      byModel: sortedRecord(this.byModel, (model) => model.result()),
      bySource: sortedRecord(this.bySource, (group) => group.result()),
      byMode: sortedRecord(this.byMode, (group) => group.result()),
      quarantined: this.quarantined,
      totalCostUsd: this.totalCostUsd.value(),
      totalTokens: this.totalTokens.value(),
      fallbackRotations: this.fallbackRotations,
      firstTimestamp: this.first?.timestamp ?? null,
      lastTimestamp: this.last?.timestamp ?? null,
    };
  }

  /** The accumulator as plain JSON data (see `experienceStatsStateSchema`). */
  toJSON(): ExperienceStatsState {
    return {
      overall: this.overall.toJSON(),
      byTaskType: groupsJSON(this.byTaskType),
      byDomain: groupsJSON(this.byDomain),
      bySource: groupsJSON(this.bySource),
      byMode: groupsJSON(this.byMode),
      byModel: [...this.byModel].map(([name, model]) => [name, model.toJSON()]),
      totalCostUsd: this.totalCostUsd.toJSON(),
      totalTokens: this.totalTokens.toJSON(),
      fallbackRotations: this.fallbackRotations,
      first: this.first,
      last: this.last,
      quarantined: this.quarantined,
    };
  }

  /** Restores an accumulator from `toJSON()` output; throws `ZodError` when `state` is malformed. */
  static from(state: unknown): ExperienceStatsAccumulator {
    const parsed = experienceStatsStateSchema.parse(state);
    const accumulator = new ExperienceStatsAccumulator();
    accumulator.overall = GroupAccumulator.from(parsed.overall);
    accumulator.byTaskType = groupsFrom(parsed.byTaskType);
    accumulator.byDomain = groupsFrom(parsed.byDomain);
    accumulator.bySource = groupsFrom(parsed.bySource);
    accumulator.byMode = groupsFrom(parsed.byMode);
    accumulator.byModel = new Map(parsed.byModel.map(([name, model]) => [name, ModelAccumulator.from(model)]));
    accumulator.totalCostUsd = ExactSum.from(parsed.totalCostUsd);
    accumulator.totalTokens = ExactSum.from(parsed.totalTokens);
    accumulator.fallbackRotations = parsed.fallbackRotations;
    accumulator.first = parsed.first;
    accumulator.last = parsed.last;
    accumulator.quarantined = parsed.quarantined;
    return accumulator;
  }
}

/**
 * Computes statistics in one streaming pass over a store's `read()` (or any iterable of experiences). With an
 * `ExperienceStream`, `quarantined` counts the invalid lines the pass met.
 */
export async function computeExperienceStats(source: ExperienceStream | AsyncIterable<Experience> | Iterable<Experience>): Promise<ExperienceStats> {
  const accumulator = new ExperienceStatsAccumulator();
  if ('batches' in source && 'summary' in source) {
    for await (const batch of source.batches()) for (const experience of batch) accumulator.add(experience);
    accumulator.quarantined = source.summary.quarantined;
    return accumulator.result();
  }
  if (Symbol.asyncIterator in source) {
    for await (const experience of source) accumulator.add(experience);
  } else {
    for (const experience of source) accumulator.add(experience);
  }
  return accumulator.result();
}
