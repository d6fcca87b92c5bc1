import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'csv-parse/sync';

/** The two models RouteLLM recorded. */
export const WEAK_MODEL = 'mistralai/Mixtral-8x7B-Instruct-v0.1';
export const STRONG_MODEL = 'gpt-4-1106-preview';

/** One prompt with whether each model answered it correctly. */
export interface RoutingItem {
  benchmark: 'mmlu' | 'gsm8k';
  /** MMLU subject (e.g. `abstract_algebra`); `gsm8k` for GSM8K. */
  subject: string;
  prompt: string;
  weakCorrect: boolean;
  strongCorrect: boolean;
}

function readContaminated(file: string): Set<string> {
  const prompts = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { eval_prompt?: unknown };
    if (typeof record.eval_prompt === 'string') prompts.add(record.eval_prompt);
  }
  return prompts;
}

function toBoolean(value: unknown, where: string): boolean {
  if (value === 'True') return true;
  if (value === 'False') return false;
  throw new Error(`${where}: expected True/False, got ${JSON.stringify(value)}`);
}

function readResponses(file: string, benchmark: RoutingItem['benchmark'], subject: string, contaminated: Set<string>): RoutingItem[] {
  const rows = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const items: RoutingItem[] = [];
  rows.forEach((row, index) => {
    const prompt = row.prompt ?? '';
    if (contaminated.has(prompt)) return;
    const where = `${basename(file)} row ${index + 2}`;
    items.push({
      benchmark,
      subject,
      prompt,
      weakCorrect: toBoolean(row[WEAK_MODEL], where),
      strongCorrect: toBoolean(row[STRONG_MODEL], where),
    });
  });
  return items;
}

/**
 * Loads MMLU (optionally only some subjects) with RouteLLM's decontamination list applied. `dataDirectory` holds
 * `mmlu/responses/*.csv` and `mmlu/contaminated_prompts.jsonl`.
 */
export function loadMmlu(dataDirectory: string, subjects?: readonly string[]): RoutingItem[] {
  const contaminated = readContaminated(join(dataDirectory, 'mmlu', 'contaminated_prompts.jsonl'));
  const responses = join(dataDirectory, 'mmlu', 'responses');
  const files = readdirSync(responses)
    .filter((file) => file.startsWith('mmlu_') && file.endsWith('.csv'))
    .sort();
  const items: RoutingItem[] = [];
  for (const file of files) {
    const subject = file.slice('mmlu_'.length, -'.csv'.length);
    if (subjects !== undefined && !subjects.includes(subject)) continue;
    items.push(...readResponses(join(responses, file), 'mmlu', subject, contaminated));
  }
  return items;
}

/** Loads GSM8K with RouteLLM's decontamination list applied. */
export function loadGsm8k(dataDirectory: string): RoutingItem[] {
  const contaminated = readContaminated(join(dataDirectory, 'gsm8k', 'contaminated_prompts.jsonl'));
  return readResponses(join(dataDirectory, 'gsm8k', 'gsm8k_responses.csv'), 'gsm8k', 'gsm8k', contaminated);
}
