import { defaultModelCatalog, findCatalogModel, type CatalogModel, type ModelCatalog } from '@orchestra/learning-features';
import { rulesConfigSchema, type RulesConfig } from './rules-config';

const tierRank = { cheap: 0, mid: 1, expensive: 2 } as const;

function pricePer1k(model: CatalogModel): number {
  return model.inputPricePer1kTokens + model.outputPricePer1kTokens;
}

/**
 * The catalog model that stands in for a model of the default plans: the one of the same tier whose price
 * (input + output per 1k tokens) is closest, else the one of the nearest tier (ties: the cheaper). The default
 * model's tier and price are those of the default catalog.
 */
export function standInModel(defaultModelId: string, catalog: ModelCatalog): string {
  const own = findCatalogModel(catalog, defaultModelId);
  if (own !== undefined) return own.id;
  const reference = findCatalogModel(defaultModelCatalog, defaultModelId);
  if (reference === undefined) return catalog.models[0]!.id;
  let best: CatalogModel | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const model of catalog.models) {
    // Tier distance dominates; price distance breaks ties within a tier.
    const score = Math.abs(tierRank[model.tier] - tierRank[reference.tier]) * 1e6 + Math.abs(pricePer1k(model) - pricePer1k(reference));
    if (score < bestScore || (score === bestScore && best !== undefined && pricePer1k(model) < pricePer1k(best))) {
      best = model;
      bestScore = score;
    }
  }
  return best!.id;
}

/**
 * The rules' default plans for a user's catalog: every model the default plans name (cheap executor, mid architect
 * and auditor, expensive models for complex tasks) is replaced by the catalog model of the same tier with the
 * closest price (see `standInModel`). With the default catalog the plans are unchanged.
 */
export function plansForCatalog(catalog: ModelCatalog): RulesConfig['plans'] {
  const defaults = rulesConfigSchema.parse({}).plans;
  const adapt = (plan: RulesConfig['plans']['simple']) => ({
    ...plan,
    models: {
      architect: standInModel(plan.models.architect, catalog),
      executor: standInModel(plan.models.executor, catalog),
      auditor: standInModel(plan.models.auditor, catalog),
      consultant: standInModel(plan.models.consultant, catalog),
    },
  });
  return { simple: adapt(defaults.simple), medium: adapt(defaults.medium), complex: adapt(defaults.complex) };
}
