import { readFile } from 'node:fs/promises';
import { parseJsonLines, safeValidate, type ModelCatalog } from '@orchestra/learning-types';
import type { z } from 'zod';
import { ReplayFormatError } from './errors';
import { replayModelsSchema, replayOutcomeSchema, replayTaskSchema, type ReplayTask } from './replay-format';

/**
 * A per-task outcome table in memory: every task, the models, and for each (task, model) pair the probability of
 * success, the cost and the latency — dense arrays indexed `task * models + model`, `NaN` where the table has no
 * outcome (the model was not run on that task: a ladder skips it).
 */
export interface ReplayTable {
  readonly tasks: readonly ReplayTask[];
  /** The models, in the order of `models.json` (the action space's model order). */
  readonly catalog: ModelCatalog;
  readonly modelIds: readonly string[];
  /** Success probability in [0, 1] (a boolean outcome is 0 or 1), `NaN` when absent. */
  readonly success: Float64Array;
  /** Cost in USD, `NaN` when absent. */
  readonly costUsd: Float64Array;
  /** Latency in ms (0 when the table does not say), `NaN` when absent. */
  readonly latencyMs: Float64Array;
  /** Token counts (−1 when the table does not say). */
  readonly inputTokens: Int32Array;
  readonly outputTokens: Int32Array;
}

/** The three inputs of a replay as text, with the names errors cite. */
export interface ReplayTexts {
  tasks: string;
  outcomes: string;
  models: string;
  names?: { tasks?: string; outcomes?: string; models?: string };
}

function issueOf(error: { issues: Array<{ path: string; message: string }> }): { field: string; message: string } {
  const first = error.issues[0] ?? { path: '', message: 'invalid value' };
  return { field: first.path, message: first.message };
}

/** Parses JSON Lines, validating each non-blank line against `schema`; errors name the file and the 1-based line. */
function validatedJsonLines<Schema extends z.ZodType>(text: string, schema: Schema, file: string, what: string): Array<{ line: number; value: z.output<Schema> }> {
  const invalid = (line: number, cause: unknown) =>
    new ReplayFormatError({ file, line, message: `not valid JSON (${cause instanceof Error ? cause.message : String(cause)})`, cause });
  return Array.from(parseJsonLines(text, invalid), ({ line, value }) => {
    const result = safeValidate(schema, value, what);
    if (!result.success) throw new ReplayFormatError({ file, line, ...issueOf(result.error), cause: result.error });
    return { line, value: result.value };
  });
}

/**
 * Parses and checks a replay table: `tasks.jsonl` (`{ id, text, files?, group? }`), `outcomes.jsonl` (`{ taskId,
 * model, success: boolean | [0, 1], costUsd, latencyMs?, inputTokens?, outputTokens? }`, one line per task and model)
 * and `models.json` (`{ models: [...] }` as in `orchestra.config.json`). Throws `ReplayFormatError` naming the file,
 * the line and the field: invalid JSON or schema, a repeated task id or (task, model) pair, an outcome of an unknown
 * task or of a model `models.json` does not list, a task without any outcome.
 */
export function parseReplayTable(texts: ReplayTexts): ReplayTable {
  const names = { tasks: texts.names?.tasks ?? 'tasks.jsonl', outcomes: texts.names?.outcomes ?? 'outcomes.jsonl', models: texts.names?.models ?? 'models.json' };
  let modelsValue: unknown;
  try {
    modelsValue = JSON.parse(texts.models);
  } catch (error) {
    throw new ReplayFormatError({ file: names.models, line: 0, message: `not valid JSON (${error instanceof Error ? error.message : String(error)})`, cause: error });
  }
  const modelsResult = safeValidate(replayModelsSchema, modelsValue, 'models file');
  if (!modelsResult.success) throw new ReplayFormatError({ file: names.models, line: 0, ...issueOf(modelsResult.error), cause: modelsResult.error });
  const catalog: ModelCatalog = { models: modelsResult.value.models };
  const modelIds = catalog.models.map((model) => model.id);
  const modelIndex = new Map(modelIds.map((id, index) => [id, index]));

  const taskRecords = validatedJsonLines(texts.tasks, replayTaskSchema, names.tasks, 'task');
  if (taskRecords.length === 0) throw new ReplayFormatError({ file: names.tasks, line: 0, message: 'no tasks' });
  const taskIndex = new Map<string, number>();
  for (const { line, value } of taskRecords) {
    if (taskIndex.has(value.id)) throw new ReplayFormatError({ file: names.tasks, line, field: 'id', message: `task id ${JSON.stringify(value.id)} appears twice` });
    taskIndex.set(value.id, taskIndex.size);
  }
  const size = taskRecords.length * modelIds.length;
  const success = new Float64Array(size).fill(Number.NaN);
  const costUsd = new Float64Array(size).fill(Number.NaN);
  const latencyMs = new Float64Array(size).fill(Number.NaN);
  const inputTokens = new Int32Array(size).fill(-1);
  const outputTokens = new Int32Array(size).fill(-1);
  for (const { line, value } of validatedJsonLines(texts.outcomes, replayOutcomeSchema, names.outcomes, 'outcome')) {
    const task = taskIndex.get(value.taskId);
    if (task === undefined) throw new ReplayFormatError({ file: names.outcomes, line, field: 'taskId', message: `unknown task ${JSON.stringify(value.taskId)} (not in ${names.tasks})` });
    const model = modelIndex.get(value.model);
    if (model === undefined) throw new ReplayFormatError({ file: names.outcomes, line, field: 'model', message: `unknown model ${JSON.stringify(value.model)} (${names.models} lists ${modelIds.join(', ')})` });
    const cell = task * modelIds.length + model;
    if (!Number.isNaN(success[cell]!)) throw new ReplayFormatError({ file: names.outcomes, line, message: `a second outcome of task ${JSON.stringify(value.taskId)} on model ${JSON.stringify(value.model)}` });
    success[cell] = typeof value.success === 'boolean' ? (value.success ? 1 : 0) : value.success;
    costUsd[cell] = value.costUsd;
    latencyMs[cell] = value.latencyMs ?? 0;
    if (value.inputTokens !== undefined) inputTokens[cell] = value.inputTokens;
    if (value.outputTokens !== undefined) outputTokens[cell] = value.outputTokens;
  }
  taskRecords.forEach(({ line, value }, task) => {
    let any = false;
    for (let model = 0; model < modelIds.length; model += 1) if (!Number.isNaN(success[task * modelIds.length + model]!)) any = true;
    if (!any) throw new ReplayFormatError({ file: names.tasks, line, field: 'id', message: `task ${JSON.stringify(value.id)} has no outcome in ${names.outcomes}` });
  });
  return { tasks: taskRecords.map((record) => record.value), catalog, modelIds, success, costUsd, latencyMs, inputTokens, outputTokens };
}

/** Reads the three files of a replay table (`parseReplayTable` on their contents; errors cite the paths). */
export async function readReplayTable(paths: { tasks: string; outcomes: string; models: string }): Promise<ReplayTable> {
  const read = async (path: string) => {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new ReplayFormatError({ file: path, line: 0, message: `cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, cause: error });
    }
  };
  const [tasks, outcomes, models] = await Promise.all([read(paths.tasks), read(paths.outcomes), read(paths.models)]);
  return parseReplayTable({ tasks, outcomes, models, names: paths });
}
