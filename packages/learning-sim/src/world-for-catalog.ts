import type { ModelCatalog } from '@orchestra/learning-features';
import { parseWorld, type World, type WorldModel } from './world-schema';

const tierRank = { cheap: 0, mid: 1, expensive: 2 } as const;

function pricePer1k(model: { inputPricePer1kTokens: number; outputPricePer1kTokens: number }): number {
  return model.inputPricePer1kTokens + model.outputPricePer1kTokens;
}

/**
 * The world with every model of `catalog` it does not know added, so that decisions over a user's catalog can be
 * simulated. An unknown model behaves like the world's model of the same tier whose price (input + output per 1k
 * tokens) is closest — skill, task-type modifiers, planning, review, latency, context limit, rate limits and
 * failures — or, without one of its tier, like the model of the nearest tier; it is billed at its own prices and
 * keeps its own id, provider and tier. Known models are unchanged; added ones come after them (and after the
 * world's `fallbackOrder`, when it has one).
 */
export function worldForCatalog(world: World, catalog: ModelCatalog): World {
  const known = new Set(world.models.map((model) => model.id));
  const added: WorldModel[] = [];
  for (const model of catalog.models) {
    if (known.has(model.id)) continue;
    let template: WorldModel = world.models[0]!;
    let bestScore = Number.POSITIVE_INFINITY;
    for (const candidate of world.models) {
      // Tier distance dominates; price distance breaks ties within a tier.
      const score = Math.abs(tierRank[candidate.tier] - tierRank[model.tier]) * 1e6 + Math.abs(pricePer1k(candidate) - pricePer1k(model));
      if (score < bestScore) {
        template = candidate;
        bestScore = score;
      }
    }
    added.push({
      ...structuredClone(template),
      id: model.id,
      provider: model.provider,
      tier: model.tier,
      inputPricePer1kTokens: model.inputPricePer1kTokens,
      outputPricePer1kTokens: model.outputPricePer1kTokens,
    });
  }
  if (added.length === 0) return world;
  return parseWorld({
    ...world,
    models: [...world.models, ...added],
    ...(world.fallbackOrder === undefined ? {} : { fallbackOrder: [...world.fallbackOrder, ...added.map((model) => model.id)] }),
  });
}
