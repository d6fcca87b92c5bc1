/**
 * The model catalog schema lives in `@orchestra/learning-types` (the reward reads tiers from it too); it is
 * re-exported here because the action space is built from it.
 */
export {
  catalogModelSchema,
  defaultModelCatalog,
  findCatalogModel,
  modelCatalogSchema,
  modelTierSchema,
  modelTiers,
  parseModelCatalog,
  type CatalogModel,
  type ModelCatalog,
  type ModelTier,
} from '@orchestra/learning-types';
