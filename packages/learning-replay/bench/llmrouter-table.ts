import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { estimateTokens, type TableTexts } from './routellm-table';

/** Every answer is estimated at this many output tokens: LLMRouter recorded no token counts and no answer text. */
export const LLMROUTER_OUTPUT_TOKENS = 256;

interface LlmRouterModel {
  size: string;
  input_price: number;
  output_price: number;
  model: string;
  service: string;
}

/**
 * LLMRouter's DCRouter split (train.json + test.json: 6,108 queries, 9 open models, per-query scores in [0, 1]) as
 * one replay table — the replay makes its own seeded split. Tiers by size (< 20 B parameters cheap, else expensive);
 * prices per million tokens from `models.json`, divided by 1,000. Costs are estimated: input tokens = question length
 * / 4, output tokens = `LLMROUTER_OUTPUT_TOKENS` for every model.
 */
export function llmrouterTable(dataDirectory: string): TableTexts {
  const catalog = JSON.parse(readFileSync(join(dataDirectory, 'models.json'), 'utf8')) as Record<string, LlmRouterModel>;
  const splits = ['train', 'test'].map((split) => ({
    split,
    records: JSON.parse(readFileSync(join(dataDirectory, `${split}.json`), 'utf8')) as Array<{ question: string; scores: Record<string, number>; cluster_id?: number }>,
  }));
  // models.json lists candidates the tables never scored: only the scored ones are models of this table.
  const scored = new Set(splits.flatMap(({ records }) => records.flatMap((record) => Object.keys(record.scores))));
  const models = Object.entries(catalog).filter(([id]) => scored.has(id)).map(([id, model]) => ({
    id,
    provider: model.model.split('/')[0] ?? model.service,
    tier: Number.parseFloat(model.size) < 20 ? 'cheap' : 'expensive',
    inputPricePer1kTokens: model.input_price / 1000,
    outputPricePer1kTokens: model.output_price / 1000,
  }));
  const tasks: string[] = [];
  const outcomes: string[] = [];
  for (const { split, records } of splits) {
    records.forEach((record, index) => {
      const id = `${split}-${index}`;
      tasks.push(JSON.stringify({ id, text: record.question, group: record.cluster_id === undefined ? split : `cluster-${record.cluster_id}` }));
      const inputTokens = estimateTokens(record.question);
      for (const model of models) {
        const score = record.scores[model.id];
        if (score === undefined) continue;
        const costUsd = (inputTokens * model.inputPricePer1kTokens + LLMROUTER_OUTPUT_TOKENS * model.outputPricePer1kTokens) / 1000;
        outcomes.push(JSON.stringify({ taskId: id, model: model.id, success: score, costUsd, inputTokens, outputTokens: LLMROUTER_OUTPUT_TOKENS }));
      }
    });
  }
  return { tasks: `${tasks.join('\n')}\n`, outcomes: `${outcomes.join('\n')}\n`, models: `${JSON.stringify({ models }, null, 2)}\n`, count: tasks.length };
}
