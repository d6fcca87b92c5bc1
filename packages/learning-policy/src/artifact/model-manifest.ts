import { z } from 'zod';
import { manifestPolicyComparisonSchema } from './policy-comparison';

/** The manifest format version this code writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

/** File name of the manifest inside an artifact directory. */
export const MODEL_MANIFEST_FILE = 'manifest.json';

/** A slice of a weights file, counted in float32 elements (not bytes) from the start of the file. */
export const weightSliceSchema = z.object({
  offset: z.number().int().nonnegative(),
  length: z.number().int().nonnegative(),
});
export type WeightSlice = z.infer<typeof weightSliceSchema>;

/** Activations a dense layer may have: `relu` = max(x, 0), `linear` = x. */
export const activations = ['relu', 'linear'] as const;
/** Schema of a layer activation. */
export const activationSchema = z.enum(activations);
export type Activation = z.infer<typeof activationSchema>;

/**
 * One dense layer `y = activation(x · kernel + bias)`. The kernel is row-major `[inputSize][outputSize]`, exactly
 * as a tfjs `Dense` layer stores it (`kernel[i * outputSize + j]` links input i to output j).
 */
export const denseLayerManifestSchema = z
  .object({
    inputSize: z.number().int().positive(),
    outputSize: z.number().int().positive(),
    activation: activationSchema,
    kernel: weightSliceSchema,
    bias: weightSliceSchema,
  })
  .superRefine((layer, context) => {
    if (layer.kernel.length !== layer.inputSize * layer.outputSize) {
      context.addIssue({ code: 'custom', path: ['kernel', 'length'], message: `must be inputSize × outputSize = ${layer.inputSize * layer.outputSize}` });
    }
    if (layer.bias.length !== layer.outputSize) {
      context.addIssue({ code: 'custom', path: ['bias', 'length'], message: `must be outputSize = ${layer.outputSize}` });
    }
  });
export type DenseLayerManifest = z.infer<typeof denseLayerManifestSchema>;

/** A plain file name inside the artifact directory (no directories, no `..`). */
const artifactFileNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be a plain file name inside the artifact directory');
const sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256');

const denseNetworkShape = z.object({
  layers: z.array(denseLayerManifestSchema).min(1),
  weightsFile: artifactFileNameSchema,
  /** Lower-case hex SHA-256 of the whole weights file. */
  sha256: sha256Schema,
});

function checkLayersChain(network: z.infer<typeof denseNetworkShape>, context: z.RefinementCtx): void {
  for (let index = 1; index < network.layers.length; index += 1) {
    const previous = network.layers[index - 1]!;
    const layer = network.layers[index]!;
    if (layer.inputSize !== previous.outputSize) {
      context.addIssue({ code: 'custom', path: ['layers', index, 'inputSize'], message: `must equal the previous layer's outputSize ${previous.outputSize}` });
    }
  }
}

/**
 * A multi-layer perceptron stored in one little-endian float32 weights file. Layers chain: each layer's
 * `inputSize` equals the previous layer's `outputSize`.
 */
export const denseNetworkManifestSchema = denseNetworkShape.superRefine(checkLayersChain);
export type DenseNetworkManifest = z.infer<typeof denseNetworkManifestSchema>;

/** What the prediction head estimates about the session, in the order of `predictionSchema` in the types package. */
export const predictionOutputNames = ['durationMs', 'costUsd', 'successProbability'] as const;
export type PredictionOutputName = (typeof predictionOutputNames)[number];

/**
 * How a raw network output becomes a prediction: `value = scale * f(raw)` with f = identity, exp, expm1 (e^x − 1,
 * what the trainer uses for costs: log1p-scaled targets), softplus (log(1 + e^x)) or sigmoid (1 / (1 + e^-x)).
 */
export const outputTransforms = ['identity', 'exp', 'expm1', 'softplus', 'sigmoid'] as const;
/** Schema of a prediction output transform. */
export const outputTransformSchema = z.enum(outputTransforms);
export type OutputTransform = z.infer<typeof outputTransformSchema>;

/** One output of the prediction head: its name, transform and scale (default 1). */
export const predictionOutputSchema = z.object({
  name: z.enum(predictionOutputNames),
  transform: outputTransformSchema,
  scale: z.number().finite().positive().default(1),
});
export type PredictionOutput = z.infer<typeof predictionOutputSchema>;

/**
 * Prediction head: a network whose input is the (normalised) state features (`input: 'state'`), or the state
 * features followed by the one-hot encoding of the chosen action (`'state_and_action'`: `totalLogits` floats, a 1
 * at `offsets[h] + index[h]` for every head h that is active for the action — model heads of roles outside the team
 * stay 0, as the trainer encodes them). Its last layer has one unit per entry of `outputs`, in that order.
 */
export const predictionHeadManifestSchema = denseNetworkShape
  .extend({
    input: z.enum(['state', 'state_and_action']).default('state'),
    outputs: z
      .array(predictionOutputSchema)
      .length(predictionOutputNames.length)
      .refine((outputs) => new Set(outputs.map((output) => output.name)).size === outputs.length, 'each prediction output appears once'),
  })
  .superRefine((head, context) => {
    checkLayersChain(head, context);
    const last = head.layers[head.layers.length - 1];
    if (last !== undefined && last.outputSize !== head.outputs.length) {
      context.addIssue({ code: 'custom', path: ['outputs'], message: `last layer has ${last.outputSize} units but ${head.outputs.length} outputs are named` });
    }
  });
export type PredictionHeadManifest = z.infer<typeof predictionHeadManifestSchema>;

/**
 * The manifest of a model artifact (`manifest.json`), written by the trainer and read by `LearnedPolicy`.
 * See the "policy" section of ARCHITECTURE.md for the full contract.
 */
export const modelManifestSchema = z
  .object({
    formatVersion: z.literal(MODEL_FORMAT_VERSION),
    /** The policy version, logged with every decision (`Decision.policyVersion`). */
    version: z.string().min(1),
    createdAt: z.iso.datetime({ offset: true }),
    /** The feature schema the model was trained on (features' `FeatureSchema` without `size`: it is `names.length`). */
    featureSchema: z.object({
      version: z.union([z.number(), z.string()]),
      hash: z.string().min(1),
      names: z.array(z.string().min(1)).min(1),
    }),
    /** `ActionSpace.toJSON()` of the action space the actor's logits are laid out for. */
    actionSpace: z.record(z.string(), z.unknown()),
    /** `Normalizer.toJSON()` applied to the encoded features before the networks; absent or null: none. */
    normalizer: z.record(z.string(), z.unknown()).nullable().optional(),
    /** Output: the logits of every action head concatenated in ActionSpace order (`offsets`, `totalLogits`). */
    actor: denseNetworkManifestSchema,
    /**
     * The actor is a residual on the rules: the runtime adds `bonus` to the logit of the default rules' greedy choice
     * of every head before selecting, so with little evidence the policy is the rules and it departs from them head
     * by head only where the actor learned to outweigh the bonus. Absent: the actor's logits alone.
     */
    rulesPrior: z.object({ bonus: z.number().finite().nonnegative().max(50) }).optional(),
    /** State-value network (one linear output); optional, unused by the runtime. */
    critic: denseNetworkManifestSchema.optional(),
    prediction: predictionHeadManifestSchema.optional(),
    /** The same actor exported to ONNX (input `features` [batch, inputSize] float32, output `logits`). */
    onnx: z.object({ file: artifactFileNameSchema, sha256: sha256Schema }).optional(),
    training: z.record(z.string(), z.unknown()).default({}),
    metrics: z.record(z.string(), z.unknown()).default({}),
    /**
     * Off-policy comparison with the rules (`PolicyComparison`), why none could be made (`{ error }`), or null when
     * none was run; the shapes earlier versions wrote are migrated on load (`migrateManifestPolicyComparison`).
     */
    ope: manifestPolicyComparisonSchema.default(null),
  })
  .superRefine((manifest, context) => {
    const inputSize = manifest.featureSchema.names.length;
    const actorInput = manifest.actor.layers[0]?.inputSize;
    if (actorInput !== undefined && actorInput !== inputSize) {
      context.addIssue({ code: 'custom', path: ['actor', 'layers', 0, 'inputSize'], message: `must equal the number of features ${inputSize}` });
    }
  });
export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type ModelManifestInput = z.input<typeof modelManifestSchema>;
