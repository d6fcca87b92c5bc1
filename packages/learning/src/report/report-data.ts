import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Experience } from '@orchestra/learning-types';

/** Latencies kept per model for quantiles (a uniform reservoir above this). */
const LATENCY_RESERVOIR = 10_000;

/** A learning curve: the numeric fields of one `<dataDir>/metrics/*.jsonl` file, by epoch (or line). */
export interface LearningCurve {
  name: string;
  /** What x is: `epoch`, `step`, or `sessionsSeen` (whichever numeric field the lines carry first), else `line`. */
  xLabel: string;
  /** Field → [x, value] points. */
  fields: Record<string, Array<[number, number]>>;
}

/** Everything the HTML report draws, gathered in one pass over the buffer. */
export interface ReportData {
  experiences: number;
  firstTimestamp: string | null;
  lastTimestamp: string | null;
  /** Per policy source: reward, cost and success in buffer order. */
  bySource: Record<string, { rewards: number[]; costs: number[]; successes: number }>;
  byTaskType: Record<string, { count: number; successes: number }>;
  byModel: Record<string, { attempts: number; failures: number; latencies: number[]; seen: number }>;
  curves: LearningCurve[];
  /** Changes the drift detection found (from the state file), most recent last. */
  drift: Array<{ at: string; subject: string; metric: string; direction: string; degraded: boolean; baseline: number; changed: number; response: string }>;
  /** Experiences amended by later outcomes or re-scored, and the reward version read (null: the stored figures). */
  joined: { experiences: number; amended: number; rewardVersion: string | null };
}

/** Starts an empty `ReportData`. */
export function emptyReportData(): ReportData {
  return { experiences: 0, firstTimestamp: null, lastTimestamp: null, bySource: {}, byTaskType: {}, byModel: {}, curves: [], drift: [], joined: { experiences: 0, amended: 0, rewardVersion: null } };
}

/** Adds one experience to the report data. `random` drives the latency reservoir (seeded by the caller for tests). */
export function addExperienceToReport(data: ReportData, experience: Experience, random: () => number = Math.random): void {
  data.experiences += 1;
  if (experience.reward.amendments !== undefined) data.joined.amended += 1;
  if (experience.reward.rewardVersion !== undefined) data.joined.rewardVersion = experience.reward.rewardVersion;
  if (experience.reward.original !== undefined) data.joined.experiences += 1;
  if (data.firstTimestamp === null || experience.timestamp < data.firstTimestamp) data.firstTimestamp = experience.timestamp;
  if (data.lastTimestamp === null || experience.timestamp > data.lastTimestamp) data.lastTimestamp = experience.timestamp;
  const source = (data.bySource[experience.policy.source] ??= { rewards: [], costs: [], successes: 0 });
  source.rewards.push(experience.reward.total);
  source.costs.push(experience.outcome.totalCostUsd);
  if (experience.outcome.success) source.successes += 1;
  const taskType = (data.byTaskType[experience.state.context.taskType] ??= { count: 0, successes: 0 });
  taskType.count += 1;
  if (experience.outcome.success) taskType.successes += 1;
  const addModel = (model: string) => (data.byModel[model] ??= { attempts: 0, failures: 0, latencies: [], seen: 0 });
  if (experience.session !== undefined) {
    for (const step of experience.session.workflow) {
      for (const usage of step.attempts) {
        const model = addModel(usage.modelId);
        model.attempts += 1;
        if (!usage.success) model.failures += 1;
        model.seen += 1;
        if (model.latencies.length < LATENCY_RESERVOIR) model.latencies.push(usage.latencyMs);
        else {
          const slot = Math.floor(random() * model.seen);
          if (slot < LATENCY_RESERVOIR) model.latencies[slot] = usage.latencyMs;
        }
      }
    }
  } else {
    for (const outcome of experience.outcome.models) {
      const model = addModel(outcome.model);
      model.attempts += outcome.attempts;
      model.failures += outcome.attempts - outcome.successes;
    }
  }
}

/** Fields that are an x axis rather than a value, in order of preference. */
const xKeys = ['epoch', 'step', 'sessionsSeen'];

/**
 * Reads the learning curves written by the trainer: every `*.jsonl` file of `directory`, each line an object whose
 * numeric fields are plotted against its `epoch` (or `step`, or `sessionsSeen`, else the line number). Missing
 * directory: none.
 */
export async function readLearningCurves(directory: string): Promise<LearningCurve[]> {
  let names: string[];
  try {
    names = (await readdir(directory)).filter((name) => name.endsWith('.jsonl')).sort();
  } catch {
    return [];
  }
  const curves: LearningCurve[] = [];
  for (const name of names) {
    const fields: Record<string, Array<[number, number]>> = {};
    let xLabel: string | undefined;
    const lines = (await readFile(join(directory, name), 'utf8')).split('\n');
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let record: unknown;
      try {
        record = JSON.parse(line);
      } catch {
        return;
      }
      if (typeof record !== 'object' || record === null) return;
      const values = record as Record<string, unknown>;
      const xKey = xKeys.find((key) => typeof values[key] === 'number');
      if (xKey !== undefined) xLabel ??= xKey;
      const x = xKey === undefined ? index + 1 : (values[xKey] as number);
      for (const [key, value] of Object.entries(values)) {
        if (xKeys.includes(key) || typeof value !== 'number' || !Number.isFinite(value)) continue;
        (fields[key] ??= []).push([x, value]);
      }
    });
    if (Object.keys(fields).length > 0) curves.push({ name: name.replace(/\.jsonl$/, ''), xLabel: xLabel ?? 'line', fields });
  }
  return curves;
}

/** Exact quantile of a sample (linear interpolation); null when empty. */
export function quantile(values: readonly number[], probability: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((left, right) => left - right);
  const position = (sorted.length - 1) * probability;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** Downsamples a sequence to at most `buckets` points of bucket means, x = index of the bucket's last element (1-based). */
export function bucketMeans(values: readonly number[], buckets = 200): Array<[number, number]> {
  if (values.length === 0) return [];
  const size = Math.max(1, Math.ceil(values.length / buckets));
  const points: Array<[number, number]> = [];
  for (let start = 0; start < values.length; start += size) {
    const end = Math.min(values.length, start + size);
    let sum = 0;
    for (let index = start; index < end; index += 1) sum += values[index]!;
    points.push([end, sum / (end - start)]);
  }
  return points;
}
