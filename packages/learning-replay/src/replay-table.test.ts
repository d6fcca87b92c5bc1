import { join } from 'node:path';
import { caughtError } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { ReplayFormatError } from './errors';
import { parseReplayTable, readReplayTable } from './replay-table';

const models = JSON.stringify({
  models: [
    { id: 'small', provider: 'p', tier: 'cheap', inputPricePer1kTokens: 0.001, outputPricePer1kTokens: 0.002 },
    { id: 'large', provider: 'p', tier: 'expensive', inputPricePer1kTokens: 0.01, outputPricePer1kTokens: 0.03 },
  ],
});
const tasks = ['{"id":"a","text":"fix the login bug","files":["src/login.ts"],"group":"web"}', '{"id":"b","text":"write docs"}'].join('\n');
const outcomes = [
  '{"taskId":"a","model":"small","success":false,"costUsd":0.01,"latencyMs":900,"inputTokens":100,"outputTokens":50}',
  '{"taskId":"a","model":"large","success":true,"costUsd":0.1}',
  '{"taskId":"b","model":"small","success":0.5,"costUsd":0.02}',
].join('\n');

function formatError(texts: { tasks?: string; outcomes?: string; models?: string }): ReplayFormatError {
  const error = caughtError(() => parseReplayTable({ tasks, outcomes, models, ...texts }));
  if (ReplayFormatError.isInstance(error)) return error;
  throw new Error('expected a ReplayFormatError', { cause: error });
}

describe('parseReplayTable', () => {
  it('reads tasks, models and outcomes into dense arrays, with NaN where a task lacks a model', () => {
    const table = parseReplayTable({ tasks, outcomes, models });
    expect(table.modelIds).toEqual(['small', 'large']);
    expect(table.tasks.map((task) => task.id)).toEqual(['a', 'b']);
    expect(Array.from(table.success.slice(0, 3))).toEqual([0, 1, 0.5]);
    expect(Number.isNaN(table.success[3]!)).toBe(true);
    expect(table.costUsd[1]).toBe(0.1);
    expect(table.latencyMs[0]).toBe(900);
    expect(table.latencyMs[1]).toBe(0);
    expect([table.inputTokens[0], table.outputTokens[0], table.inputTokens[1]]).toEqual([100, 50, -1]);
  });

  it('names the file and the line of invalid JSON', () => {
    const error = formatError({ outcomes: `${outcomes}\n\n{"taskId": "b", "model": ` });
    expect(error.message).toMatch(/^outcomes\.jsonl:5: not valid JSON/);
    expect([error.file, error.line]).toEqual(['outcomes.jsonl', 5]);
  });

  it('names the line and the field of a schema violation', () => {
    const error = formatError({ outcomes: outcomes.replace('"success":0.5', '"success":1.5') });
    expect([error.line, error.field]).toEqual([3, 'success']);
    expect(error.message.startsWith('outcomes.jsonl:3: success: ')).toBe(true);
    expect(formatError({ tasks: `${tasks}\n{"id":"c"}` }).message).toMatch(/^tasks\.jsonl:3: text: /);
    expect(formatError({ tasks: `${tasks}\n{"id":"c","text":"x","extra":1}` }).line).toBe(3);
  });

  it('refuses unknown tasks and models, repeated ids and pairs, and tasks without outcomes', () => {
    expect(formatError({ outcomes: `${outcomes}\n{"taskId":"z","model":"small","success":true,"costUsd":0}` }).message).toBe('outcomes.jsonl:4: taskId: unknown task "z" (not in tasks.jsonl)');
    expect(formatError({ outcomes: `${outcomes}\n{"taskId":"b","model":"huge","success":true,"costUsd":0}` }).message).toBe('outcomes.jsonl:4: model: unknown model "huge" (models.json lists small, large)');
    expect(formatError({ outcomes: `${outcomes}\n{"taskId":"b","model":"small","success":true,"costUsd":0}` }).message).toBe('outcomes.jsonl:4: a second outcome of task "b" on model "small"');
    expect(formatError({ tasks: `${tasks}\n{"id":"a","text":"again"}` }).message).toBe('tasks.jsonl:3: id: task id "a" appears twice');
    expect(formatError({ tasks: `${tasks}\n{"id":"c","text":"never run"}` }).message).toBe('tasks.jsonl:3: id: task "c" has no outcome in outcomes.jsonl');
  });

  it('checks models.json as a whole', () => {
    expect(formatError({ models: '{"models":[]}' }).message).toMatch(/^models\.json: models: /);
    expect(formatError({ models: '{"models":[{"id":"small","provider":"p","tier":"cheapest","inputPricePer1kTokens":0,"outputPricePer1kTokens":0}]}' }).field).toBe('models.0.tier');
    expect(formatError({ models: 'not json' }).message).toMatch(/^models\.json: not valid JSON/);
  });

  it('reads the three files from disk and names a missing one', async () => {
    const directory = join(import.meta.dirname, '__fixtures__', 'routellm-mini');
    const table = await readReplayTable({ tasks: join(directory, 'tasks.jsonl'), outcomes: join(directory, 'outcomes.jsonl'), models: join(directory, 'models.json') });
    expect(table.tasks).toHaveLength(120);
    expect(table.modelIds).toEqual(['mixtral-8x7b-instruct', 'gpt-4-1106-preview']);
    await expect(readReplayTable({ tasks: join(directory, 'nope.jsonl'), outcomes: join(directory, 'outcomes.jsonl'), models: join(directory, 'models.json') })).rejects.toThrow(/nope\.jsonl: cannot read \(ENOENT\)/);
  });
});
