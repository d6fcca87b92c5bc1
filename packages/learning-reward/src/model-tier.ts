import { findCatalogModel, type ModelTier } from '@orchestra/learning-types';
import type { RewardConfig } from './config';

/** True when `model` contains one of `patterns` (case-insensitive). */
export function matchesModel(model: string, patterns: readonly string[]): boolean {
  const lower = model.toLowerCase();
  return patterns.some((pattern) => lower.includes(pattern.toLowerCase()));
}

/**
 * The tier of a model for the reward's tier rules: its catalog tier when `config.models` lists it; otherwise the
 * name patterns decide (`cheapModelPatterns` → cheap, `expensiveModelPatterns` → expensive, else mid), which
 * with the defaults are the design's rules (GLM is cheap; GPT-5.2 and Opus are expensive).
 */
export function rewardTierOf(modelId: string, config: RewardConfig): ModelTier {
  if (config.models !== undefined) {
    const model = findCatalogModel({ models: config.models }, modelId);
    if (model !== undefined) return model.tier;
  }
  if (matchesModel(modelId, config.cheapModelPatterns)) return 'cheap';
  if (matchesModel(modelId, config.expensiveModelPatterns)) return 'expensive';
  return 'mid';
}
