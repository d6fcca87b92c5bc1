import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActionSpace } from '@orchestra/learning-features';
import { describe, expect, it } from 'vitest';
import { InsufficientExperiencesError } from './insufficient-experiences-error';
import { IncompatibleExperiencesError } from './incompatible-experiences-error';
import { MemoryMetricsSink } from './metrics-sink';
import { bestApproachShare, syntheticExperiences } from './test-support/synthetic-experiences';
import { trainOffline, type OfflineProgress } from './train-offline';

const actionSpace = new ActionSpace();
const small = { actor: { hiddenSizes: [64, 32] }, critic: { hiddenSizes: [64, 32] }, batchSize: 64 };

describe('trainOffline', () => {
  it('learns the best approach per task type with clipped importance weights, beating the logging policy on held-out data', async () => {
    // Uniform logging (exploration 1) over 15 informative features: the setting where 3,000 logs are enough.
    const experiences = syntheticExperiences({ count: 3000, seed: 1, exploration: 1, stateSize: 15 });
    const sink = new MemoryMetricsSink();
    const progress: OfflineProgress[] = [];
    const result = await trainOffline({
      experiences,
      actionSpace,
      config: { seed: 3, ...small, optimizer: { learningRate: 1e-3 }, offline: { epochs: 25, objective: 'importance-weighted', behaviourCloningEpochs: 1 } },
      metricsSink: sink,
      onProgress: (report) => progress.push(report),
      validate: false,
      predictions: false,
    });
    expect(result.trainingSize + result.validationSize).toBe(3000);
    expect(result.rewardNormalisation.kind).toBe('bounds');
    expect(sink.records).toHaveLength(result.epochs.length);
    expect(progress.some((report) => report.metrics !== undefined && report.phase === 'behaviour-cloning')).toBe(true);
    // The rule (sequential) is right for 3 of 13 types, a random approach for a quarter. Clipped importance weights
    // learn slowly here: over data seeds 1–3 × trainer seeds 3–4 the best approach was taken for 31–69 % of the types
    // (advantage-weighted regression, below: 77–92 %), always with a held-out value above the logging policy's.
    expect(bestApproachShare(result)).toBeGreaterThan(0.3);
    const best = result.epochs.find((epoch) => epoch.epoch === result.bestEpoch)!;
    expect(best.validationPolicyValue).toBeGreaterThan(best.validationLoggedValue);
  });

  it('trains with advantage-weighted regression, and writes one metrics line per epoch to <dataDir>/metrics', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'trainer-metrics-'));
    try {
      const result = await trainOffline({
        experiences: syntheticExperiences({ count: 3000, seed: 2, exploration: 1, stateSize: 15 }),
        actionSpace,
        config: { seed: 3, ...small, optimizer: { learningRate: 1e-3 }, offline: { epochs: 25, objective: 'advantage-weighted', behaviourCloningEpochs: 1 } },
        dataDir,
        runId: 'run-1',
        predictions: false,
      });
      expect(result.metricsPath).toBe(join(dataDir, 'metrics', 'run-1.jsonl'));
      const lines = readFileSync(result.metricsPath!, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
      expect(lines).toHaveLength(result.epochs.length);
      expect(lines[0]).toMatchObject({ runId: 'run-1', epoch: 1, phase: 'behaviour-cloning' });
      expect(bestApproachShare(result)).toBeGreaterThan(0.7);
      const best = result.epochs.find((epoch) => epoch.epoch === result.bestEpoch)!;
      expect(best.validationPolicyValue).toBeGreaterThan(best.validationLoggedValue);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses fewer than 50 experiences unless overridden, and warns under 200 and on a dominant task type', async () => {
    const few = syntheticExperiences({ count: 40, seed: 3 });
    await expect(trainOffline({ experiences: few, actionSpace })).rejects.toSatisfy(InsufficientExperiencesError.isInstance);
    const warnings: string[] = [];
    const result = await trainOffline({
      experiences: syntheticExperiences({ count: 60, seed: 3, taskTypes: ['bugfix'] }),
      actionSpace,
      config: { ...small, offline: { epochs: 1 } },
      onWarning: (warning) => warnings.push(warning.code),
      predictions: false,
    });
    expect(warnings).toEqual(expect.arrayContaining(['few-experiences', 'dominant-task-type', 'dominant-domain']));
    expect(result.warnings.map((warning) => warning.code)).toEqual(warnings);
    const overridden = await trainOffline({
      experiences: few,
      actionSpace,
      config: { ...small, offline: { epochs: 1, allowFewExperiences: true } },
      predictions: false,
    });
    expect(overridden.trainingSize + overridden.validationSize).toBe(40);
    await expect(
      trainOffline({ experiences: few.slice(0, 1), actionSpace, config: { offline: { allowFewExperiences: true } } }),
    ).rejects.toSatisfy(InsufficientExperiencesError.isInstance);
  });

  it('keeps failed sessions, reads async iterables, validates input and rejects mixed feature schemas', async () => {
    const experiences = syntheticExperiences({ count: 80, seed: 5 });
    async function* stream() {
      yield* experiences;
    }
    const result = await trainOffline({ experiences: stream(), actionSpace, config: { ...small, offline: { epochs: 1 } }, predictions: false });
    expect(result.summary.failed).toBe(experiences.filter((experience) => !experience.outcome.success).length);
    expect(result.summary.failed).toBeGreaterThan(0);
    expect(result.trainingSize + result.validationSize).toBe(80);
    const broken = structuredClone(experiences);
    (broken[10] as { propensity: number }).propensity = 0;
    await expect(trainOffline({ experiences: broken, actionSpace })).rejects.toThrowError(/propensity/);
    const mixed = structuredClone(experiences);
    mixed[7]!.state.featureSchemaHash = 'other';
    await expect(trainOffline({ experiences: mixed, actionSpace })).rejects.toSatisfy(IncompatibleExperiencesError.isInstance);
  });

  it('is reproducible: the same seed and data give the same weights and metrics', async () => {
    const experiences = syntheticExperiences({ count: 120, seed: 6 });
    const run = () =>
      trainOffline({ experiences, actionSpace, runId: 'same', config: { seed: 8, ...small, offline: { epochs: 2 } }, validate: false });
    const [first, second] = [await run(), await run()];
    expect(first.model.getActorWeights()).toEqual(second.model.getActorWeights());
    expect(first.predictions!.weights.layers).toEqual(second.predictions!.weights.layers);
    expect(first.epochs.map((epoch) => epoch.validationPolicyValue)).toEqual(second.epochs.map((epoch) => epoch.validationPolicyValue));
  });
});
