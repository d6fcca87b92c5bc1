import { parseSessionState, validate, type EnhancedSessionState, type ModelUsage } from '@orchestra/learning-types';
import { z } from 'zod';
import { UnknownModelPriceError } from './errors/unknown-model-price-error';

const usd = z.number().finite().nonnegative();

/** Price of one model, in USD per 1,000 tokens. */
export const modelPriceSchema = z.object({
  inputPer1k: usd,
  outputPer1k: usd,
  /** Price of cached input tokens; defaults to the input price. */
  cachedInputPer1k: usd.optional(),
});
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/**
 * Model id (or a case-insensitive substring of it) → price. The longest matching key wins, so `gpt-5.2-codex`
 * can be priced apart from `gpt-5.2`.
 */
export const priceTableSchema = z.record(z.string().min(1), modelPriceSchema);
export type PriceTable = z.infer<typeof priceTableSchema>;

/**
 * An editable default price table (USD per 1k tokens) for the models the seed names. These are list prices as
 * assumed by this project, not quotes: replace them with your provider's.
 */
export const defaultPriceTable: PriceTable = {
  'glm-4.7': { inputPer1k: 0.0006, outputPer1k: 0.0022, cachedInputPer1k: 0.00011 },
  'kimi-k2.5': { inputPer1k: 0.0015, outputPer1k: 0.006, cachedInputPer1k: 0.00015 },
  'gpt-5.2-codex': { inputPer1k: 0.00175, outputPer1k: 0.014, cachedInputPer1k: 0.000175 },
  'claude-opus': { inputPer1k: 0.005, outputPer1k: 0.025, cachedInputPer1k: 0.0005 },
};

/** Token counts of one call; `totalTokens` alone is split by `inputShare` when the split is unknown. */
export interface TokenCounts {
  inputTokens?: number;
  outputTokens?: number;
  cachedTokens?: number;
  totalTokens?: number;
}

/** Finds the price of `model`: the longest key of `table` contained in the id (case-insensitive). */
export function findModelPrice(model: string, table: PriceTable = defaultPriceTable): ModelPrice {
  const lower = model.toLowerCase();
  let best: [string, ModelPrice] | undefined;
  for (const entry of Object.entries(table)) {
    if (lower.includes(entry[0].toLowerCase()) && (best === undefined || entry[0].length > best[0].length)) best = entry;
  }
  if (best === undefined) throw new UnknownModelPriceError({ model, known: Object.keys(table) });
  return best[1];
}

/**
 * Cost in USD of one call from its tokens and the price table. Cached tokens are part of the input tokens and are
 * billed at the cached price. When only a total is known, `inputShare` of it (default 0.75) is taken as input.
 *
 * @throws ValidationError for negative or non-finite token counts; UnknownModelPriceError for an unpriced model.
 */
export function tokenCost(model: string, tokens: TokenCounts, options: { table?: PriceTable; inputShare?: number } = {}): number {
  const counts = validate(
    z.object({
      inputTokens: z.number().int().nonnegative().optional(),
      outputTokens: z.number().int().nonnegative().optional(),
      cachedTokens: z.number().int().nonnegative().optional(),
      totalTokens: z.number().int().nonnegative().optional(),
    }),
    tokens,
    'TokenCounts',
  );
  const table = options.table === undefined ? defaultPriceTable : validate(priceTableSchema, options.table, 'PriceTable');
  const price = findModelPrice(model, table);
  let input = counts.inputTokens;
  let output = counts.outputTokens;
  if (input === undefined && output === undefined) {
    const total = counts.totalTokens ?? 0;
    input = total * (options.inputShare ?? 0.75);
    output = total - input;
  }
  const cached = Math.min(counts.cachedTokens ?? 0, input ?? 0);
  const uncachedInput = (input ?? 0) - cached;
  return (
    (uncachedInput * price.inputPer1k + cached * (price.cachedInputPer1k ?? price.inputPer1k) + (output ?? 0) * price.outputPer1k) /
    1000
  );
}

function usageCost(usage: ModelUsage, table: PriceTable): number {
  return tokenCost(
    usage.modelId,
    { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, cachedTokens: usage.cachedTokens, totalTokens: usage.tokensUsed },
    { table },
  );
}

/**
 * Fills `estimatedCost` from the price table for the calls whose cost the orchestrator did not report
 * (no `estimatedCost`, or `costSource: 'unknown'` and a cost of 0), or for every call with `overwrite: 'all'`; marks them
 * `costSource: 'price_table'` and recomputes `globalMetrics.totalCostEstimate`. Returns a new session.
 */
export function priceSession(
  state: unknown,
  options: { table?: PriceTable; overwrite?: 'missing' | 'all' } = {},
): EnhancedSessionState {
  const session = parseSessionState(state);
  const table = options.table === undefined ? defaultPriceTable : validate(priceTableSchema, options.table, 'PriceTable');
  const overwriteAll = options.overwrite === 'all';
  let totalCost = 0;
  const workflow = session.workflow.map((step) => ({
    ...step,
    attempts: step.attempts.map((usage) => {
      const missing = usage.estimatedCost === undefined || (usage.costSource === 'unknown' && usage.estimatedCost === 0);
      const estimatedCost = overwriteAll || missing ? usageCost(usage, table) : (usage.estimatedCost ?? 0);
      const priced = overwriteAll || missing ? { ...usage, estimatedCost, costSource: 'price_table' as const } : usage;
      totalCost += estimatedCost;
      return priced;
    }),
  }));
  return { ...session, workflow, globalMetrics: { ...session.globalMetrics, totalCostEstimate: totalCost } };
}
