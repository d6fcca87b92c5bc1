import type { ManifestPolicyComparison, PolicyComparison } from '@orchestra/learning-policy';
import type { PredictionOutput } from '@orchestra/learning-policy';
import type { DenseLayerWeights } from '../networks/dense-layer-weights';
import type { CriticGateComparison } from '../ope/critic-gate';

/**
 * The estimators' results are the artifact format's `PolicyComparison` (the policy package owns the schema):
 * `BootstrapComparison` extends it, and this line stops compiling if the critic gate's drifts from it.
 */
type Assignable<From extends To, To> = From;
export type ComparisonsMatchTheArtifactFormat = [Assignable<CriticGateComparison, PolicyComparison>];

/** The prediction head of a trained model (see `predictionHeadManifestSchema` in the policy package). */
export interface TrainedPredictionHead {
  layers: readonly DenseLayerWeights[];
  /** `state`: the normalised features; `state_and_action`: features followed by the one-hot action. */
  input: 'state' | 'state_and_action';
  /** One per unit of the last layer, in order. */
  outputs: readonly PredictionOutput[];
}

/** Everything `writeTrainedModelArtifact` stores: the networks and what the policy runtime needs to use them. */
export interface TrainedModel {
  /** The policy version logged with each decision, e.g. `learned-2026-11-25T18-00`. */
  version: string;
  /** ISO 8601; default: now. */
  createdAt?: string;
  /** The feature schema the model was trained on. */
  featureSchema: { version: number | string; hash: string; names: readonly string[] };
  /** An `ActionSpace` (anything with `toJSON()` and `totalLogits`) or its JSON form. */
  actionSpace: { toJSON(): unknown } | Record<string, unknown>;
  /** `Normalizer.toJSON()` (or an object with `toJSON()`), or null/absent when the features are used as they are. */
  normalizer?: { toJSON(): unknown } | Record<string, unknown> | null;
  /** Actor: features → … → the logits of every action head, concatenated in ActionSpace order. */
  actor: readonly DenseLayerWeights[];
  /** The actor is a residual on the default rules: `bonus` is added to the rules' choice of every head (see the manifest). */
  rulesPrior?: { bonus: number };
  /** Critic: features → … → V(s). */
  critic?: readonly DenseLayerWeights[];
  prediction?: TrainedPredictionHead;
  /** The training configuration (hyper-parameters, seed, data window). */
  training?: Record<string, unknown>;
  /** Final metrics (losses, validation scores, prediction MAE, …). */
  metrics?: Record<string, unknown>;
  /** The off-policy comparison with the rules (or why none could be made), null when none was run. */
  ope?: ManifestPolicyComparison | null;
}
