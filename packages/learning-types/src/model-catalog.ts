import { validate } from './validate';
import { z } from 'zod';

/** Price class of a model: what a policy trades off against quality. */
export const modelTiers = ['cheap', 'mid', 'expensive'] as const;
export const modelTierSchema = z.enum(modelTiers);
export type ModelTier = z.infer<typeof modelTierSchema>;

/** One model an orchestrator can assign to a role. Prices are US dollars per 1,000 tokens. */
export const catalogModelSchema = z.object({
  id: z.string().min(1),
  provider: z.string().min(1),
  tier: modelTierSchema,
  inputPricePer1kTokens: z.number().finite().nonnegative(),
  outputPricePer1kTokens: z.number().finite().nonnegative(),
});
export type CatalogModel = z.infer<typeof catalogModelSchema>;

/** The models a policy may choose from, in a fixed order (the order of the model heads' choices). */
export const modelCatalogSchema = z.object({
  models: z
    .array(catalogModelSchema)
    .min(1)
    .refine((models) => new Set(models.map((model) => model.id)).size === models.length, 'model ids must be unique'),
});
export type ModelCatalog = z.infer<typeof modelCatalogSchema>;

/**
 * The default catalog. Prices are plausible list prices at the time of writing (per 1k tokens, input/output), not
 * a quote: pass your own catalog to `new ActionSpace(catalog)` when they matter.
 */
export const defaultModelCatalog: ModelCatalog = Object.freeze({
  models: Object.freeze([
    { id: 'glm-4.7', provider: 'zhipu', tier: 'cheap', inputPricePer1kTokens: 0.0006, outputPricePer1kTokens: 0.0022 },
    { id: 'kimi-k2.5', provider: 'moonshot', tier: 'mid', inputPricePer1kTokens: 0.0006, outputPricePer1kTokens: 0.003 },
    { id: 'gpt-5.2-codex', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.00175, outputPricePer1kTokens: 0.014 },
    { id: 'claude-opus', provider: 'anthropic', tier: 'expensive', inputPricePer1kTokens: 0.005, outputPricePer1kTokens: 0.025 },
  ]) as CatalogModel[],
});

/** Validates a catalog (throws `ValidationError` naming the offending field). */
export function parseModelCatalog(input: unknown): ModelCatalog {
  return validate(modelCatalogSchema, input, 'ModelCatalog');
}

/** The model of `catalog` whose id is `modelId` (case-insensitive), or `undefined`. */
export function findCatalogModel(catalog: ModelCatalog, modelId: string): CatalogModel | undefined {
  const lower = modelId.toLowerCase();
  return catalog.models.find((model) => model.id.toLowerCase() === lower);
}
