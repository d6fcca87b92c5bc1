import { stableHash32, type RewardBreakdown } from '@orchestra/learning-types';
import type { RewardConfig } from './config';

/** Builds a breakdown whose total is the exact sum of its components (summed in insertion order). */
export class BreakdownBuilder {
  private readonly components: Record<string, number> = {};
  private readonly capped: string[] = [];

  /** Adds a component. */
  add(name: string, value: number): this {
    this.components[name] = value;
    return this;
  }

  /** Returns `min(count, limit)` and notes the component in `capped` when the count exceeded its cap. */
  cap(name: string, count: number, limit: number): number {
    if (count > limit) {
      this.capped.push(`${name}: ${count} counted as ${limit}`);
      return limit;
    }
    return count;
  }

  /** The breakdown, stamped with the reward definition and the configuration that scored it. */
  build(kind: 'session' | 'outcome', config: RewardConfig): RewardBreakdown {
    let total = 0;
    for (const value of Object.values(this.components)) total += value;
    return { total, components: { ...this.components }, capped: [...this.capped], kind, configVersion: rewardConfigVersion(config) };
  }
}

const versions = new WeakMap<RewardConfig, string>();

/**
 * Fingerprint of a resolved reward configuration (8 hex digits of `stableHash32` over its canonical JSON, keys
 * sorted): the same weights, caps and tiers give the same version on every machine; any change gives another.
 */
export function rewardConfigVersion(config: RewardConfig): string {
  const known = versions.get(config);
  if (known !== undefined) return known;
  const version = stableHash32(canonicalJson(config)).toString(16).padStart(8, '0');
  versions.set(config, version);
  return version;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.keys(value)
      .sort()
      .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** `count × weight`, with 0 (not −0) for a zero count, so breakdowns print and compare cleanly. */
export function scaled(count: number, weight: number): number {
  return count === 0 ? 0 : count * weight;
}

/** What the four cost terms read from a session or an outcome. */
export interface CostFacts {
  totalCostUsd: number;
  cheapModelSuccesses: number;
  expensiveModelUses: number;
  fallbackRotations: number;
}

/** Adds the four cost terms: session cost bonus/penalty, cheap-model successes, expensive overuse, fallbacks. */
export function addCostTerms(builder: BreakdownBuilder, facts: CostFacts, config: RewardConfig): void {
  const cost = config.cost;
  let sessionCost = 0;
  if (facts.totalCostUsd < cost.cheapSessionUsd) sessionCost = cost.cheapSessionBonus;
  else if (facts.totalCostUsd > cost.expensiveSessionUsd) sessionCost = cost.expensiveSessionPenalty;
  builder.add('sessionCost', sessionCost);

  const cheapSuccesses = builder.cap('cheapModelSuccesses', facts.cheapModelSuccesses, config.caps.cheapModelSuccesses);
  builder.add('cheapModelSuccesses', scaled(cheapSuccesses, cost.cheapModelSuccessBonus));

  const overuse = builder.cap(
    'expensiveModelOveruse',
    Math.max(0, facts.expensiveModelUses - cost.expensiveModelFreeUses),
    config.caps.expensiveModelOveruses,
  );
  builder.add('expensiveModelOveruse', scaled(overuse, cost.expensiveModelOverusePenalty));

  const rotations = builder.cap('fallbackRotations', facts.fallbackRotations, config.caps.fallbackRotations);
  builder.add('fallbackRotations', scaled(rotations, cost.fallbackRotationPenalty));

  // The linear cost term exists only when configured, so that every breakdown of the seed's reward stays as it was.
  if (cost.perUsd !== undefined && cost.perUsd !== 0) {
    const limit = costUsdCap(config);
    const usd = builder.cap('costUsd', facts.totalCostUsd, limit);
    builder.add('costUsd', usd === 0 ? 0 : usd * cost.perUsd);
  }
}

/** Default of `caps.costUsd` when `cost.perUsd` is set. */
export const DEFAULT_COST_USD_CAP = 10;

/** The USD beyond which `cost.perUsd` scores no further. */
export function costUsdCap(config: RewardConfig): number {
  return config.caps.costUsd ?? DEFAULT_COST_USD_CAP;
}
