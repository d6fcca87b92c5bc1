import { z } from 'zod';

/** A weights file path inside a model.json: relative, forward slashes, no `..` (it must stay beside model.json). */
const relativeWeightsPathSchema = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith('/') && !path.includes('\\') && !path.split('/').includes('..'), 'must be a relative path that stays beside model.json');

/** One entry of `weightsManifest[].weights` (only unquantised float32 is written or read here). */
export const tfjsWeightSpecSchema = z.object({
  name: z.string().min(1),
  shape: z.array(z.number().int().nonnegative()),
  dtype: z.literal('float32'),
});
export type TfjsWeightSpec = z.infer<typeof tfjsWeightSpecSchema>;

/**
 * The on-disk `model.json` of a tfjs layers model, as tfjs-node's file-system handler writes it: the Keras-style
 * topology, then one weights group whose files hold the weights in `weights` order (little-endian float32,
 * concatenated).
 */
export const tfjsModelJsonSchema = z.object({
  modelTopology: z.record(z.string(), z.unknown()),
  format: z.string().optional(),
  generatedBy: z.string().optional(),
  convertedBy: z.string().nullable().optional(),
  weightsManifest: z
    .array(z.object({ paths: z.array(relativeWeightsPathSchema).min(1), weights: z.array(tfjsWeightSpecSchema) }))
    .min(1),
  trainingConfig: z.record(z.string(), z.unknown()).optional(),
  userDefinedMetadata: z.record(z.string(), z.unknown()).optional(),
});
export type TfjsModelJson = z.infer<typeof tfjsModelJsonSchema>;

/** Number of bytes the weights of `specs` take (float32). */
export function tfjsWeightBytes(specs: readonly TfjsWeightSpec[]): number {
  return specs.reduce((sum, spec) => sum + spec.shape.reduce((product, size) => product * size, 1) * 4, 0);
}
