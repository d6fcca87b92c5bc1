import type { Experience } from '@orchestra/learning-types';
import type { ExperienceStream } from './experience-stream';
import { PSquareQuantile } from './p-square-quantile';

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
  /** Call latency quantiles (P² sketch) over the calls seen in sessions; `null` when no session had this model. */
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

class GroupAccumulator {
  count = 0;
  successes = 0;
  rewardSum = 0;

  add(success: boolean, reward: number): void {
    this.count += 1;
    if (success) this.successes += 1;
    this.rewardSum += reward;
  }

  result(): GroupStats {
    return {
      count: this.count,
      successRate: this.count === 0 ? null : this.successes / this.count,
      meanReward: this.count === 0 ? null : this.rewardSum / this.count,
    };
  }
}

class ModelAccumulator {
  attempts = 0;
  successes = 0;
  tokens = 0;
  costUsd = 0;
  fallbackRotations = 0;
  readonly errorCodes = new Map<string, number>();
  readonly median = new PSquareQuantile(0.5);
  readonly tail = new PSquareQuantile(0.95);

  result(): ModelStats {
    const errorCodes: Record<string, number> = {};
    for (const code of [...this.errorCodes.keys()].sort()) errorCodes[code] = this.errorCodes.get(code)!;
    return {
      attempts: this.attempts,
      successes: this.successes,
      successRate: this.attempts === 0 ? null : this.successes / this.attempts,
      tokens: this.tokens,
      costUsd: this.costUsd,
      latencyMs: this.median.count === 0 ? null : { p50: this.median.value(), p95: this.tail.value() },
      errorCodes,
      fallbackRotations: this.fallbackRotations,
    };
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
  for (const key of [...map.keys()].sort()) record[key] = convert(map.get(key)!);
  return record;
}

/**
 * Accumulates `ExperienceStats` one experience at a time in memory bounded by the number of distinct task types,
 * domains, models, sources and modes — not by the number of experiences (quantiles by P² sketches).
 */
export class ExperienceStatsAccumulator {
  private readonly overall = new GroupAccumulator();
  private readonly byTaskType = new Map<string, GroupAccumulator>();
  private readonly byDomain = new Map<string, GroupAccumulator>();
  private readonly bySource = new Map<string, GroupAccumulator>();
  private readonly byMode = new Map<string, GroupAccumulator>();
  private readonly byModel = new Map<string, ModelAccumulator>();
  private totalCostUsd = 0;
  private totalTokens = 0;
  private fallbackRotations = 0;
  private firstTime = Number.POSITIVE_INFINITY;
  private lastTime = Number.NEGATIVE_INFINITY;
  private firstTimestamp: string | null = null;
  private lastTimestamp: string | null = null;
  /** Invalid lines met while reading; set by `computeExperienceStats` or by hand. */
  quarantined = 0;

  private model(name: string): ModelAccumulator {
    let model = this.byModel.get(name);
    if (model === undefined) {
      model = new ModelAccumulator();
      this.byModel.set(name, model);
    }
    return model;
  }

  /** Adds one (validated) experience. */
  add(experience: Experience): void {
    const success = experience.outcome.success;
    const reward = experience.reward.total;
    this.overall.add(success, reward);
    const context = experience.state.context;
    groupOf(this.byTaskType, context.taskType).add(success, reward);
    groupOf(this.byDomain, context.domains[0]!).add(success, reward);
    groupOf(this.bySource, experience.policy.source).add(success, reward);
    groupOf(this.byMode, experience.mode).add(success, reward);
    this.totalCostUsd += experience.outcome.totalCostUsd;
    this.totalTokens += experience.outcome.totalTokens;
    this.fallbackRotations += experience.outcome.fallbackRotations;
    const time = Date.parse(experience.timestamp);
    if (time < this.firstTime) {
      this.firstTime = time;
      this.firstTimestamp = experience.timestamp;
    }
    if (time > this.lastTime) {
      this.lastTime = time;
      this.lastTimestamp = experience.timestamp;
    }
    const session = experience.session;
    if (session !== undefined && session.workflow.some((step) => step.attempts.length > 0)) {
      for (const step of session.workflow) {
        let previous: { model: string; success: boolean } | undefined;
        for (const usage of step.attempts) {
          const model = this.model(usage.modelId);
          model.attempts += 1;
          if (usage.success) model.successes += 1;
          model.tokens += usage.tokensUsed;
          model.costUsd += usage.estimatedCost ?? 0;
          model.median.add(usage.latencyMs);
          model.tail.add(usage.latencyMs);
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
      totalCostUsd: this.totalCostUsd,
      totalTokens: this.totalTokens,
      fallbackRotations: this.fallbackRotations,
      firstTimestamp: this.firstTimestamp,
      lastTimestamp: this.lastTimestamp,
    };
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
