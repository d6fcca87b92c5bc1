import { LatencySketch } from '@orchestra/learning-collector';
import type { Experience } from '@orchestra/learning-types';

/** Most session buckets kept: past this, neighbours are merged pairwise (the bucket size doubles). */
export const MAX_SESSION_BUCKETS = 128;

/** Sessions, successes, reward and cost of one policy source. */
export interface SourceTotals {
  sessions: number;
  successes: number;
  rewardSum: number;
  costSum: number;
}

/** Model calls of one model: failures, latency, cost (of the calls that carry one) and error codes. */
export interface ModelTotals {
  calls: number;
  failures: number;
  /** Calls that carry a latency (recorded with their session). */
  timedCalls: number;
  latencyMsSum: number;
  /** Calls that carry a cost (`estimatedCost`). */
  costedCalls: number;
  costSum: number;
  /** Error code → failed calls with it (`unknown` when a failed call has none). */
  errors: Record<string, number>;
}

/** Consecutive sessions (buffer order): `[from, to)` 0-based, what served them and how they went. */
export interface SessionBucket {
  from: number;
  to: number;
  firstAt: string;
  lastAt: string;
  /** Mode → sessions. */
  modes: Record<string, number>;
  /** Policy source → totals. */
  sources: Record<string, SourceTotals>;
  /** Model → calls. */
  models: Record<string, ModelTotals>;
}

/** One learning curve: the numeric fields of one trainer run (`<dataDir>/metrics/<run>.jsonl`), by epoch. */
export interface LearningCurve {
  /** The model version the run trained (from the file name `<version>--<time>.jsonl`), else the file name. */
  name: string;
  /** What x is: `epoch`, `step`, or `sessionsSeen` (whichever numeric field the lines carry first), else `line`. */
  xLabel: string;
  /** Field → [x, value] points. */
  fields: Record<string, Array<[number, number]>>;
}

/** A change the drift detection found (from the state file). */
export interface DriftRow {
  at: string;
  subject: string;
  metric: string;
  direction: string;
  degraded: boolean;
  baseline: number;
  changed: number;
  response: string;
}

/**
 * Everything the report draws from the experiences, gathered in one pass and bounded in size whatever the number
 * of experiences: totals, and at most `MAX_SESSION_BUCKETS` buckets of consecutive sessions.
 */
export interface ReportData {
  experiences: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** Sessions per bucket (a power of two). */
  bucketSize: number;
  buckets: SessionBucket[];
  bySource: Record<string, SourceTotals>;
  byTaskType: Record<string, { count: number; successes: number }>;
  byModel: Record<string, ModelTotals & { latency: LatencySketch }>;
  curves: LearningCurve[];
  drift: DriftRow[];
  /** Experiences amended by later outcomes, and the reward version read (null: the stored figures). */
  joined: { amended: number; rewardVersion: string | null };
}

/** Starts an empty `ReportData`. */
export function emptyReportData(): ReportData {
  return { experiences: 0, firstTimestamp: null, lastTimestamp: null, bucketSize: 1, buckets: [], bySource: {}, byTaskType: {}, byModel: {}, curves: [], drift: [], joined: { amended: 0, rewardVersion: null } };
}

function emptySource(): SourceTotals {
  return { sessions: 0, successes: 0, rewardSum: 0, costSum: 0 };
}

function emptyModel(): ModelTotals {
  return { calls: 0, failures: 0, timedCalls: 0, latencyMsSum: 0, costedCalls: 0, costSum: 0, errors: {} };
}

function addSource(into: SourceTotals, from: SourceTotals): void {
  into.sessions += from.sessions;
  into.successes += from.successes;
  into.rewardSum += from.rewardSum;
  into.costSum += from.costSum;
}

function addModel(into: ModelTotals, from: ModelTotals): void {
  into.calls += from.calls;
  into.failures += from.failures;
  into.timedCalls += from.timedCalls;
  into.latencyMsSum += from.latencyMsSum;
  into.costedCalls += from.costedCalls;
  into.costSum += from.costSum;
  for (const [code, count] of Object.entries(from.errors)) into.errors[code] = (into.errors[code] ?? 0) + count;
}

/** Merges two adjacent buckets (`left` before `right`) into a new one. */
export function mergeBuckets(left: SessionBucket, right: SessionBucket): SessionBucket {
  const merged: SessionBucket = { from: left.from, to: right.to, firstAt: left.firstAt < right.firstAt ? left.firstAt : right.firstAt, lastAt: left.lastAt > right.lastAt ? left.lastAt : right.lastAt, modes: { ...left.modes }, sources: {}, models: {} };
  for (const [mode, count] of Object.entries(right.modes)) merged.modes[mode] = (merged.modes[mode] ?? 0) + count;
  for (const bucket of [left, right]) {
    for (const [source, totals] of Object.entries(bucket.sources)) addSource((merged.sources[source] ??= emptySource()), totals);
    for (const [model, totals] of Object.entries(bucket.models)) addModel((merged.models[model] ??= emptyModel()), totals);
  }
  return merged;
}

/** Merges consecutive buckets so that at most `count` remain (each display point then stands for enough sessions). */
export function coarsenBuckets(buckets: readonly SessionBucket[], count: number): SessionBucket[] {
  if (buckets.length <= count) return [...buckets];
  const group = Math.ceil(buckets.length / count);
  const coarse: SessionBucket[] = [];
  for (let start = 0; start < buckets.length; start += group) {
    let bucket = buckets[start]!;
    for (let index = start + 1; index < Math.min(buckets.length, start + group); index += 1) bucket = mergeBuckets(bucket, buckets[index]!);
    coarse.push(bucket);
  }
  return coarse;
}

/** Adds one experience (the next session in buffer order) to the report data. */
export function addExperienceToReport(data: ReportData, experience: Experience): void {
  const index = data.experiences;
  data.experiences += 1;
  if (experience.reward.amendments !== undefined) data.joined.amended += 1;
  if (experience.reward.rewardVersion !== undefined) data.joined.rewardVersion = experience.reward.rewardVersion;
  const at = experience.timestamp;
  if (data.firstTimestamp === null || at < data.firstTimestamp) data.firstTimestamp = at;
  if (data.lastTimestamp === null || at > data.lastTimestamp) data.lastTimestamp = at;

  let bucket = data.buckets.at(-1);
  if (bucket === undefined || bucket.to - bucket.from >= data.bucketSize) {
    if (data.buckets.length >= MAX_SESSION_BUCKETS) {
      const merged: SessionBucket[] = [];
      for (let position = 0; position < data.buckets.length; position += 2) {
        const right = data.buckets[position + 1];
        merged.push(right === undefined ? data.buckets[position]! : mergeBuckets(data.buckets[position]!, right));
      }
      data.buckets = merged;
      data.bucketSize *= 2;
    }
    bucket = data.buckets.at(-1);
    if (bucket === undefined || bucket.to - bucket.from >= data.bucketSize) {
      bucket = { from: index, to: index, firstAt: at, lastAt: at, modes: {}, sources: {}, models: {} };
      data.buckets.push(bucket);
    }
  }
  bucket.to = index + 1;
  if (at < bucket.firstAt) bucket.firstAt = at;
  if (at > bucket.lastAt) bucket.lastAt = at;
  bucket.modes[experience.mode] = (bucket.modes[experience.mode] ?? 0) + 1;

  const success = experience.outcome.success;
  const cost = experience.outcome.totalCostUsd;
  for (const totals of [(bucket.sources[experience.policy.source] ??= emptySource()), (data.bySource[experience.policy.source] ??= emptySource())]) {
    totals.sessions += 1;
    if (success) totals.successes += 1;
    totals.rewardSum += experience.reward.total;
    totals.costSum += cost;
  }
  const taskType = (data.byTaskType[experience.state.context.taskType] ??= { count: 0, successes: 0 });
  taskType.count += 1;
  if (success) taskType.successes += 1;

  const models = (model: string) => {
    const overall = (data.byModel[model] ??= { ...emptyModel(), latency: new LatencySketch() });
    return [overall, (bucket.models[model] ??= emptyModel())] as const;
  };
  if (experience.session !== undefined) {
    for (const step of experience.session.workflow) {
      for (const usage of step.attempts) {
        const [overall, inBucket] = models(usage.modelId);
        overall.latency.add(usage.latencyMs);
        for (const totals of [overall, inBucket]) {
          totals.calls += 1;
          totals.timedCalls += 1;
          totals.latencyMsSum += usage.latencyMs;
          if (usage.estimatedCost !== undefined) {
            totals.costedCalls += 1;
            totals.costSum += usage.estimatedCost;
          }
          if (!usage.success) {
            totals.failures += 1;
            const code = usage.errorCode ?? 'unknown';
            totals.errors[code] = (totals.errors[code] ?? 0) + 1;
          }
        }
      }
    }
  } else {
    // Stored without its session: the per-model totals of the outcome (no latency, no cost, no error codes).
    for (const outcome of experience.outcome.models) {
      for (const totals of models(outcome.model)) {
        totals.calls += outcome.attempts;
        totals.failures += outcome.attempts - outcome.successes;
      }
    }
  }
}

/** Gathers the report data of a stream of experiences (buffer order). */
export async function collectReportData(experiences: AsyncIterable<Experience> | Iterable<Experience>): Promise<ReportData> {
  const data = emptyReportData();
  for await (const experience of experiences) addExperienceToReport(data, experience);
  return data;
}

/** The session index (0-based, buffer order) at which a timestamp falls: the first bucket that ends at or after it. */
export function sessionAt(data: ReportData, at: string): number | null {
  if (data.buckets.length === 0) return null;
  for (const bucket of data.buckets) if (bucket.lastAt >= at) return bucket.from + (bucket.firstAt >= at ? 0 : Math.floor((bucket.to - bucket.from) / 2));
  return data.experiences;
}
