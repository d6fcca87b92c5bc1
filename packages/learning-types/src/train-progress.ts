/** The phases of offline training, in order: behaviour cloning of the logging policy, the policy objective, the prediction heads. */
export const trainPhases = ['behaviour-cloning', 'policy', 'prediction'] as const;
export type TrainPhase = (typeof trainPhases)[number];

/**
 * Progress of offline training, after every minibatch (the prediction heads report once per epoch, with `batch` and
 * `batchesPerEpoch` 0): what the trainer reports and the facade's `train` forwards.
 */
export interface TrainProgress {
  phase: TrainPhase;
  epoch: number;
  totalEpochs: number;
  batch: number;
  batchesPerEpoch: number;
}
