import type { RewardBreakdown } from '@orchestra/learning-types';
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

  build(): RewardBreakdown {
    let total = 0;
    for (const value of Object.values(this.components)) total += value;
    return { total, components: { ...this.components }, capped: [...this.capped] };
  }
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
}
