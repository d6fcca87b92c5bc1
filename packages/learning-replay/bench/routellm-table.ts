import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** RouteLLM's two models as a catalog (list prices per 1k tokens at the time of the recordings). */
export const routellmModels = {
  models: [
    { id: 'mixtral-8x7b-instruct', provider: 'mistral', tier: 'cheap', inputPricePer1kTokens: 0.0006, outputPricePer1kTokens: 0.0006 },
    { id: 'gpt-4-1106-preview', provider: 'openai', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.03 },
  ],
} as const;
const columns = { 'mixtral-8x7b-instruct': 'mistralai/Mixtral-8x7B-Instruct-v0.1', 'gpt-4-1106-preview': 'gpt-4-1106-preview' } as const;

/** MMLU answers are one letter; RouteLLM recorded no answer text for MMLU, so every answer is estimated at this many tokens. */
export const MMLU_OUTPUT_TOKENS = 16;

/** Estimated tokens of a text: 4 characters per token (no tokenizer: RouteLLM recorded no token counts). */
export const estimateTokens = (text: string) => Math.max(1, Math.ceil(text.length / 4));

/** A table in the replay format, as the three files' contents. */
export interface TableTexts {
  tasks: string;
  outcomes: string;
  models: string;
  count: number;
}

function contaminated(file: string): Set<string> {
  const prompts = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { eval_prompt?: unknown };
    if (typeof record.eval_prompt === 'string') prompts.add(record.eval_prompt);
  }
  return prompts;
}

function truth(value: string | undefined, where: string): boolean {
  if (value === 'True') return true;
  if (value === 'False') return false;
  throw new Error(`${where}: expected True/False, got ${JSON.stringify(value)}`);
}

/**
 * RouteLLM's recorded outcomes (MMLU or GSM8K, decontaminated as RouteLLM does) as a replay table. Costs are
 * estimated: input tokens = prompt length / 4; output tokens = the recorded answer's length / 4 (GSM8K) or
 * `MMLU_OUTPUT_TOKENS` (MMLU); priced with `routellmModels`.
 */
export function routellmTable(dataDirectory: string, benchmark: 'mmlu' | 'gsm8k'): TableTexts {
  const rows: Array<{ id: string; group: string; prompt: string; row: Record<string, string> }> = [];
  const add = (file: string, group: string, skip: Set<string>) => {
    const records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
    records.forEach((row, index) => {
      if (skip.has(row.prompt ?? '')) return;
      rows.push({ id: `${group}-${index + 2}`, group, prompt: row.prompt ?? '', row: { ...row, where: `${basename(file)} row ${index + 2}` } });
    });
  };
  if (benchmark === 'mmlu') {
    const skip = contaminated(join(dataDirectory, 'mmlu', 'contaminated_prompts.jsonl'));
    const directory = join(dataDirectory, 'mmlu', 'responses');
    for (const file of readdirSync(directory).filter((name) => name.startsWith('mmlu_') && name.endsWith('.csv')).sort()) {
      add(join(directory, file), file.slice('mmlu_'.length, -'.csv'.length), skip);
    }
  } else {
    add(join(dataDirectory, 'gsm8k', 'gsm8k_responses.csv'), 'gsm8k', contaminated(join(dataDirectory, 'gsm8k', 'contaminated_prompts.jsonl')));
  }
  const tasks: string[] = [];
  const outcomes: string[] = [];
  for (const { id, group, prompt, row } of rows) {
    // The subject is part of what the orchestrator knows about a task, as in the RouteLLM app before.
    tasks.push(JSON.stringify({ id, text: `subject ${group.replaceAll('_', ' ')}: ${prompt}`, group }));
    const inputTokens = estimateTokens(prompt);
    for (const model of routellmModels.models) {
      const column = columns[model.id];
      const response = row[`${column}_response`];
      const outputTokens = response === undefined ? MMLU_OUTPUT_TOKENS : estimateTokens(response);
      const costUsd = (inputTokens * model.inputPricePer1kTokens + outputTokens * model.outputPricePer1kTokens) / 1000;
      outcomes.push(JSON.stringify({ taskId: id, model: model.id, success: truth(row[column], row.where!), costUsd, inputTokens, outputTokens }));
    }
  }
  return { tasks: `${tasks.join('\n')}\n`, outcomes: `${outcomes.join('\n')}\n`, models: `${JSON.stringify(routellmModels, null, 2)}\n`, count: rows.length };
}
