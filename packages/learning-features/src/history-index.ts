import {
  domainSchema,
  domains,
  taskTypeSchema,
  taskTypes,
  validate,
  type Domain,
  type Experience,
  type HistorySummary,
  type TaskType,
} from '@orchestra/learning-types';
import { z } from 'zod';

/** Version of the history-index JSON. */
export const HISTORY_INDEX_VERSION = 1;

/** One finished task, reduced to what the history aggregates need. */
export interface HistoryObservation {
  taskType: TaskType;
  primaryDomain: Domain;
  /** When it finished, in milliseconds since the epoch. */
  timestampMs: number;
  success: boolean;
  /** min(estimated / actual duration, 1). */
  timeAccuracy: number;
  /** In [0, 1]. */
  resourceEfficiency: number;
  reward: number;
  modelAttempts: number;
  modelFailures: number;
}

/** Options of a `HistoryIndex`. */
export interface HistoryIndexOptions {
  /** An observation's weight halves every `halfLifeMs` (by the experiences' own timestamps). Default 14 days. */
  halfLifeMs?: number;
  /**
   * Pseudo-count of a neutral prior (success 0.5, time accuracy 0.5, efficiency 0.5, reward 0, error rate 0) that
   * each summary is shrunk towards, so one lucky session does not read as a 100 % success rate. Default 1.
   */
  priorWeight?: number;
}

const cellJsonSchema = z.object({
  taskType: taskTypeSchema,
  domain: domainSchema,
  weight: z.number().finite().nonnegative(),
  success: z.number().finite().nonnegative(),
  timeAccuracy: z.number().finite().nonnegative(),
  resourceEfficiency: z.number().finite().nonnegative(),
  reward: z.number().finite(),
  modelAttempts: z.number().finite().nonnegative(),
  modelFailures: z.number().finite().nonnegative(),
  /** Timestamp of the newest observation; `null` when none had a valid timestamp. */
  lastTimestampMs: z.number().finite().nullable(),
});

/** JSON form of a `HistoryIndex` (non-empty cells only). */
export const historyIndexJsonSchema = z.object({
  version: z.literal(HISTORY_INDEX_VERSION),
  halfLifeMs: z.number().positive(),
  priorWeight: z.number().nonnegative(),
  cells: z.array(cellJsonSchema),
});
/** JSON form of a `HistoryIndex`. */
export type HistoryIndexJson = z.infer<typeof historyIndexJsonSchema>;

/** Offsets of a cell's statistics (decayed sums, then the time of its newest observation) in the flat cell array. */
const stat = { weight: 0, success: 1, timeAccuracy: 2, resource: 3, reward: 4, attempts: 5, failures: 6, lastTimestamp: 7 } as const;
const STATISTICS = 8;

const taskTypeIndex: Readonly<Record<string, number>> = Object.fromEntries(taskTypes.map((type, index) => [type, index]));
const domainIndex: Readonly<Record<string, number>> = Object.fromEntries(domains.map((domain, index) => [domain, index]));

/** The fields of an experience the history reads. */
export type HistoryExperience = Pick<Experience, 'timestamp' | 'outcome' | 'reward'> & { state: Pick<Experience['state'], 'context'> };

/** What `HistoryIndex.update` observes of an experience (its task kind, time, outcome and reward). */
export function historyObservationOf(experience: HistoryExperience): HistoryObservation {
  const { outcome } = experience;
  let attempts = 0;
  let successes = 0;
  for (const model of outcome.models) {
    attempts += model.attempts;
    successes += Math.min(model.successes, model.attempts);
  }
  return {
    taskType: experience.state.context.taskType,
    primaryDomain: experience.state.context.domains[0]!,
    timestampMs: Date.parse(experience.timestamp),
    success: outcome.success,
    timeAccuracy: outcome.durationMs > 0 ? Math.min(outcome.estimatedDurationMs / outcome.durationMs, 1) : 1,
    resourceEfficiency: outcome.resourceEfficiency,
    reward: experience.reward.total,
    modelAttempts: attempts,
    modelFailures: attempts - successes,
  };
}

/**
 * Exponentially decayed aggregates of past sessions per task type × primary domain (13 × 9 cells in one flat
 * `Float64Array`). `update` is O(1): it decays one cell to the new timestamp and adds the observation; an
 * observation older than the cell's last one is itself discounted instead, so order does not matter much.
 */
export class HistoryIndex {
  readonly halfLifeMs: number;
  readonly priorWeight: number;
  private readonly cells = new Float64Array(taskTypes.length * domains.length * STATISTICS);

  constructor(options: HistoryIndexOptions = {}) {
    this.halfLifeMs = options.halfLifeMs ?? 14 * 24 * 3_600_000;
    this.priorWeight = options.priorWeight ?? 1;
    if (!(this.halfLifeMs > 0)) throw new RangeError(`HistoryIndex: halfLifeMs must be positive, got ${this.halfLifeMs}`);
    if (!(this.priorWeight >= 0)) throw new RangeError(`HistoryIndex: priorWeight must be non-negative, got ${this.priorWeight}`);
    this.cells.fill(Number.NEGATIVE_INFINITY);
    for (let cell = 0; cell < taskTypes.length * domains.length; cell += 1) {
      this.cells.fill(0, cell * STATISTICS, cell * STATISTICS + stat.lastTimestamp);
    }
  }

  private base(taskType: string, domain: string): number {
    const type = taskTypeIndex[taskType];
    const place = domainIndex[domain];
    if (type === undefined || place === undefined) {
      throw new RangeError(`HistoryIndex: unknown task type ${JSON.stringify(taskType)} or domain ${JSON.stringify(domain)}`);
    }
    return (type * domains.length + place) * STATISTICS;
  }

  /** Adds one experience (its task type, primary domain, outcome, reward total and timestamp). O(1). */
  update(experience: HistoryExperience): void {
    this.observe(historyObservationOf(experience));
  }

  /** Adds one observation. O(1). */
  observe(observation: HistoryObservation): void {
    const base = this.base(observation.taskType, observation.primaryDomain);
    const cells = this.cells;
    const timestamp = Number.isFinite(observation.timestampMs) ? observation.timestampMs : cells[base + stat.lastTimestamp]!;
    const last = cells[base + stat.lastTimestamp]!;
    let sampleWeight = 1;
    if (Number.isFinite(last) && Number.isFinite(timestamp)) {
      if (timestamp >= last) {
        const decay = Math.pow(0.5, (timestamp - last) / this.halfLifeMs);
        for (let statistic = 0; statistic < stat.lastTimestamp; statistic += 1) cells[base + statistic]! *= decay;
        cells[base + stat.lastTimestamp] = timestamp;
      } else {
        sampleWeight = Math.pow(0.5, (last - timestamp) / this.halfLifeMs);
      }
    } else if (Number.isFinite(timestamp)) {
      cells[base + stat.lastTimestamp] = timestamp;
    }
    cells[base + stat.weight]! += sampleWeight;
    cells[base + stat.success]! += observation.success ? sampleWeight : 0;
    cells[base + stat.timeAccuracy]! += sampleWeight * Math.min(1, Math.max(0, observation.timeAccuracy || 0));
    cells[base + stat.resource]! += sampleWeight * Math.min(1, Math.max(0, observation.resourceEfficiency || 0));
    cells[base + stat.reward]! += sampleWeight * (Number.isFinite(observation.reward) ? observation.reward : 0);
    cells[base + stat.attempts]! += sampleWeight * Math.max(0, observation.modelAttempts);
    cells[base + stat.failures]! += sampleWeight * Math.min(Math.max(0, observation.modelFailures), Math.max(0, observation.modelAttempts));
  }

  /**
   * Aggregates of similar past sessions, shrunk towards the neutral prior by `priorWeight`. `sampleWeight` is the
   * decayed weight as of the cell's last observation, or as of `nowMs` when given. Never throws for known enums.
   */
  summary(taskType: TaskType, primaryDomain: Domain, nowMs?: number): HistorySummary {
    const base = this.base(taskType, primaryDomain);
    const cells = this.cells;
    const weight = cells[base + stat.weight]!;
    const prior = this.priorWeight;
    const denominator = weight + prior;
    const last = cells[base + stat.lastTimestamp]!;
    const decayToNow =
      nowMs !== undefined && Number.isFinite(last) && nowMs > last ? Math.pow(0.5, (nowMs - last) / this.halfLifeMs) : 1;
    const attempts = cells[base + stat.attempts]!;
    const rate = (sum: number, neutral: number): number => (denominator > 0 ? (sum + prior * neutral) / denominator : neutral);
    return {
      sampleWeight: weight * decayToNow,
      successRate: Math.min(1, Math.max(0, rate(cells[base + stat.success]!, 0.5))),
      timeAccuracy: Math.min(1, Math.max(0, rate(cells[base + stat.timeAccuracy]!, 0.5))),
      resourceEfficiency: Math.min(1, Math.max(0, rate(cells[base + stat.resource]!, 0.5))),
      meanReward: rate(cells[base + stat.reward]!, 0),
      modelErrorRate: attempts + prior > 0 ? Math.min(1, cells[base + stat.failures]! / (attempts + prior)) : 0,
    };
  }

  /** JSON form (non-empty cells only). */
  toJSON(): HistoryIndexJson {
    const cells: HistoryIndexJson['cells'] = [];
    taskTypes.forEach((taskType, type) => {
      domains.forEach((domain, place) => {
        const base = (type * domains.length + place) * STATISTICS;
        const values = this.cells;
        if (values[base + stat.weight]! <= 0) return;
        cells.push({
          taskType,
          domain,
          weight: values[base + stat.weight]!,
          success: values[base + stat.success]!,
          timeAccuracy: values[base + stat.timeAccuracy]!,
          resourceEfficiency: values[base + stat.resource]!,
          reward: values[base + stat.reward]!,
          modelAttempts: values[base + stat.attempts]!,
          modelFailures: values[base + stat.failures]!,
          lastTimestampMs: Number.isFinite(values[base + stat.lastTimestamp]!) ? values[base + stat.lastTimestamp]! : null,
        });
      });
    });
    return { version: HISTORY_INDEX_VERSION, halfLifeMs: this.halfLifeMs, priorWeight: this.priorWeight, cells };
  }

  /** Restores an index from `toJSON()` output; throws `ValidationError` naming the bad field. */
  static fromJSON(json: unknown): HistoryIndex {
    const parsed = validate(historyIndexJsonSchema, json, 'HistoryIndex');
    const index = new HistoryIndex({ halfLifeMs: parsed.halfLifeMs, priorWeight: parsed.priorWeight });
    for (const cell of parsed.cells) {
      const base = index.base(cell.taskType, cell.domain);
      index.cells[base + stat.weight] = cell.weight;
      index.cells[base + stat.success] = cell.success;
      index.cells[base + stat.timeAccuracy] = cell.timeAccuracy;
      index.cells[base + stat.resource] = cell.resourceEfficiency;
      index.cells[base + stat.reward] = cell.reward;
      index.cells[base + stat.attempts] = cell.modelAttempts;
      index.cells[base + stat.failures] = cell.modelFailures;
      index.cells[base + stat.lastTimestamp] = cell.lastTimestampMs ?? Number.NEGATIVE_INFINITY;
    }
    return index;
  }
}
