import type { FeatureSchema } from '@orchestra/learning-features';
import type { TrainOfflineResult } from '../offline/train-offline';
import type { TrainedModel } from './trained-model';

/** What `trainedModelFromOffline` needs beyond the training result. */
export interface TrainedModelFromOfflineOptions {
  /** The policy version logged with each decision. */
  version: string;
  /** The feature schema the experiences were encoded with (its hash must be the result's). */
  featureSchema: Pick<FeatureSchema, 'version' | 'hash' | 'names'>;
  /** Extra metrics to store beside the training metrics. */
  metrics?: Record<string, unknown>;
  ope?: TrainedModel['ope'];
}

/**
 * Turns a `trainOffline` result into what `writeTrainedModelArtifact` stores: actor, critic, the prediction head
 * when one was trained (state + active-head one-hot → exp duration, expm1 cost, sigmoid success), the training
 * configuration and the final metrics.
 *
 * @throws RangeError when `featureSchema` is not the schema the result was trained on.
 */
export function trainedModelFromOffline(result: TrainOfflineResult, options: TrainedModelFromOfflineOptions): TrainedModel {
  if (options.featureSchema.hash !== result.featureSchemaHash) {
    throw new RangeError(
      `trainedModelFromOffline: the feature schema ${options.featureSchema.hash} is not the one the model was trained on (${result.featureSchemaHash})`,
    );
  }
  const predictions = result.predictions;
  return {
    version: options.version,
    featureSchema: options.featureSchema,
    actionSpace: result.actionSpace,
    actor: result.model.getActorWeights(),
    ...(result.rulesPrior > 0 ? { rulesPrior: { bonus: result.rulesPrior } } : {}),
    critic: result.model.getCriticWeights(),
    ...(predictions === undefined
      ? {}
      : {
          prediction: {
            layers: predictions.weights.layers,
            input: 'state_and_action' as const,
            outputs: predictions.weights.outputs.map((output) => ({ ...output, scale: 1 })),
          },
        }),
    training: {
      ...result.config,
      runId: result.runId,
      trainingSize: result.trainingSize,
      validationSize: result.validationSize,
      rewardNormalisation: result.rewardNormalisation,
    },
    metrics: {
      bestEpoch: result.bestEpoch,
      stoppedEarly: result.stoppedEarly,
      lastEpoch: result.epochs.at(-1) ?? null,
      ...(predictions === undefined ? {} : { prediction: predictions.metrics }),
      ...options.metrics,
    },
    ...(options.ope === undefined ? {} : { ope: options.ope }),
  };
}
