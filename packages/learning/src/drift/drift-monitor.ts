import { BatchCusum, type CusumAlarm } from './batch-cusum';

/** What a drift detector watches. */
export type DriftMetric = 'errorRate' | 'latency' | 'success' | 'learnedVsRules';

/** A change one detector found. */
export interface DriftDetection {
  /** A model id, or `learned-arm`. */
  subject: string;
  metric: DriftMetric;
  direction: 'up' | 'down';
  /** Whether the change is for the worse (more errors, slower, less success, the learned arm behind the rules). */
  degraded: boolean;
  /** In-control level and the level after the change (error/success rate, median latency ms, reward difference). */
  baseline: number;
  changed: number;
}

/** What the detectors read of a session: its steps' roles and model calls (an `EnhancedSessionState` will do). */
export interface DriftSession {
  workflow: ReadonlyArray<{ agentRole: string; attempts: ReadonlyArray<{ modelId: string; success: boolean; latencyMs: number }> }>;
}

/** What one recorded session tells the monitor. */
export interface DriftObservation {
  session: DriftSession;
  success: boolean;
  /** The arm that acted (`ab_test` and `production`), else null. */
  arm: 'learned' | 'rules' | null;
  reward: number;
  /** Mean reward of the rules arm of the current A/B period (null: not known yet). */
  rulesMeanReward: number | null;
  /** Whether the session feeds the model detectors (default true). */
  watchModels?: boolean;
  /**
   * Which policy chose the session (default `rules`): every policy keeps its own model detectors, because each gives
   * a model its own mix of tasks — a change of policy is not a change of the model.
   */
  stream?: string;
}

/** Detector settings per family (see `BatchCusum`). */
export interface DriftMonitorOptions {
  /** Per-call failure indicator (rare 0/1 events: batches of 50). */
  errorRate?: { batchSize?: number; warmupBatches?: number; slack?: number; threshold?: number };
  /** log(latency ms) of every call. */
  latency?: { batchSize?: number; warmupBatches?: number; slack?: number; threshold?: number };
  /** Success of the sessions whose executor steps a model served. */
  success?: { batchSize?: number; warmupBatches?: number; slack?: number; threshold?: number };
  /** Reward of learned-arm sessions minus the rules arm's mean reward. */
  learnedVsRules?: { batchSize?: number; warmupBatches?: number; slack?: number; threshold?: number };
}

const degradedWhen: Record<DriftMetric, 'up' | 'down'> = { errorRate: 'up', latency: 'up', success: 'down', learnedVsRules: 'down' };

/**
 * Online change detection for a running orchestrator: a two-sided `BatchCusum` per model on its call error rate,
 * its call latency (log ms) and the success of its sessions, and one on the learned arm's reward against the rules
 * arm. Each detector learns its reference in a warm-up and starts a new one after an alarm, so a change back is
 * detected too. Each policy that chooses sessions (`stream`: the rules, the deployed model) has its own model
 * detectors, so a model is watched in production too, where the rules seldom act. `restartModels` starts a stream's
 * model detectors over (its policy changed: a model now gets other tasks, which is not drift); `restartArm` does the
 * same for the arm (a new model or period).
 */
export class DriftMonitor {
  readonly #options: DriftMonitorOptions;
  readonly #detectors = new Map<string, BatchCusum>();

  constructor(options: DriftMonitorOptions = {}) {
    this.#options = options;
  }

  #detector(subject: string, metric: DriftMetric, stream = ''): BatchCusum {
    const key = `${metric}\u0000${subject}\u0000${stream}`;
    let detector = this.#detectors.get(key);
    if (detector === undefined) {
      const settings = this.#options[metric] ?? {};
      const defaults =
        // Short warm-ups (a rarely used model must be watched before it changes): 400 calls, 200 calls or sessions.
        metric === 'errorRate'
          ? { batchSize: 50, warmupBatches: 8, minimumStandardDeviation: 0.1 }
          : metric === 'success'
            ? { batchSize: 20, warmupBatches: 10, minimumStandardDeviation: 0.1 }
            : metric === 'latency'
              ? { batchSize: 20, warmupBatches: 10, minimumStandardDeviation: 0.01 }
              : { batchSize: 10, warmupBatches: 10, minimumStandardDeviation: 1 };
      detector = new BatchCusum({ ...defaults, ...settings });
      this.#detectors.set(key, detector);
    }
    return detector;
  }

  #check(subject: string, metric: DriftMetric, alarm: CusumAlarm | null, into: DriftDetection[], transform: (value: number) => number = (value) => value): void {
    if (alarm === null) return;
    into.push({ subject, metric, direction: alarm.direction, degraded: alarm.direction === degradedWhen[metric], baseline: transform(alarm.baselineMean), changed: transform(alarm.changedMean) });
  }

  /** Feeds one recorded session; returns the changes it completed the evidence for (usually none). */
  observe(observation: DriftObservation): DriftDetection[] {
    const detections: DriftDetection[] = [];
    // A session's success is the executor's: only its models are credited (an architect or auditor model shares the
    // session with it, and a change of the executor's model must not look like theirs).
    const models = new Set<string>();
    const stream = observation.stream ?? 'rules';
    for (const step of observation.watchModels === false ? [] : observation.session.workflow) {
      for (const call of step.attempts) {
        if (step.agentRole === 'executor') models.add(call.modelId);
        this.#check(call.modelId, 'errorRate', this.#detector(call.modelId, 'errorRate', stream).observe(call.success ? 0 : 1), detections);
        this.#check(call.modelId, 'latency', this.#detector(call.modelId, 'latency', stream).observe(Math.log(Math.max(1, call.latencyMs))), detections, Math.exp);
      }
    }
    for (const model of models) this.#check(model, 'success', this.#detector(model, 'success', stream).observe(observation.success ? 1 : 0), detections);
    if (observation.arm === 'learned' && observation.rulesMeanReward !== null) {
      this.#check('learned-arm', 'learnedVsRules', this.#detector('learned-arm', 'learnedVsRules').observe(observation.reward - observation.rulesMeanReward), detections);
    }
    return detections;
  }

  /** Starts the model detectors of one stream (every stream's when omitted) over (a new warm-up). */
  restartModels(stream?: string): void {
    for (const [key, detector] of this.#detectors) {
      if (key.startsWith('learnedVsRules\u0000')) continue;
      if (stream === undefined || key.endsWith(`\u0000${stream}`)) detector.restart();
    }
  }

  /** Starts the learned-arm detector over. */
  restartArm(): void {
    this.#detectors.get('learnedVsRules\u0000learned-arm\u0000')?.restart();
  }
}
