import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOrchestra } from '../test-support/run-orchestra';

const fixture = join(import.meta.dirname, '..', '__fixtures__', 'replay');
let cwd: string;
beforeAll(async () => {
  cwd = await mkdtemp(join(tmpdir(), 'orchestra-replay-cli-'));
  for (const file of ['tasks.jsonl', 'outcomes.jsonl', 'models.json']) await copyFile(join(fixture, file), join(cwd, file));
});
afterAll(() => rm(cwd, { recursive: true, force: true }));

const run = (...args: string[]) => runOrchestra(args, { cwd });
const files = ['--tasks', 'tasks.jsonl', '--outcomes', 'outcomes.jsonl', '--models', 'models.json'];

describe('orchestra replay (built binary, 40 RouteLLM MMLU questions)', () => {
  it('prints the JSON contract and writes the HTML page', async () => {
    const result = await run('replay', ...files, '--seed', '4', '--curve', '0.25', '--html', 'page.html', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as {
      seed: number;
      tasks: { train: number; test: number };
      testTaskIds: string[];
      models: string[];
      policies: Record<string, { successRate: number; costPerTask: number; meanReward: number }>;
      learnedDecisions: Array<{ taskId: string; ladder: string[] }>;
      curve: Array<{ costWeight: number; successRate: number; costPerTask: number }>;
    };
    expect(json.seed).toBe(4);
    expect(json.tasks).toEqual({ train: 20, test: 20 });
    expect(json.models).toEqual(['mixtral-8x7b-instruct', 'gpt-4-1106-preview']);
    for (const name of ['learned', 'cheapest', 'strongest', 'bestSingle', 'bestLadder', 'random', 'oracle']) {
      expect(Object.keys(json.policies[name]!).sort()).toEqual(['costPerTask', 'meanReward', 'successRate']);
    }
    expect(json.learnedDecisions.map((decision) => decision.taskId)).toEqual(json.testTaskIds);
    expect(json.learnedDecisions.every((decision) => decision.ladder.length >= 1 && decision.ladder.every((id) => json.models.includes(id)))).toBe(true);
    expect(json.curve).toHaveLength(1);
    expect(json.curve[0]).toMatchObject({ costWeight: 0.25, successRate: json.policies.learned!.successRate, costPerTask: json.policies.learned!.costPerTask });
    const html = await readFile(join(cwd, 'page.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<svg');
  }, 120_000);

  it('prints the table without --json', async () => {
    const result = await run('replay', ...files, '--seed', '4', '--curve', '0.25', '--max-ladder', '1', '--fallback-order', 'train', '--html', 'table.html');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\| learned \| gate /);
    expect(result.stdout).toMatch(/\| oracle \| best ladder per task \|/);
    expect(result.stdout).toContain('fallback order (chosen on train)');
    expect(result.stdout).toContain('the logging policy explores retry, model_executor');
    expect(result.stdout).toContain(`wrote ${join(cwd, 'table.html')}`);
  }, 120_000);

  it('fails in one line naming the file and line of a bad record, and refuses bad options as usage errors', async () => {
    const outcomes = await readFile(join(cwd, 'outcomes.jsonl'), 'utf8');
    await writeFile(join(cwd, 'bad.jsonl'), outcomes.replace(/"success":(true|false)/, '"success":"yes"'));
    const bad = await run('replay', '--tasks', 'tasks.jsonl', '--outcomes', 'bad.jsonl', '--models', 'models.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^orchestra: .*bad\.jsonl:1: success: .+\n$/);
    const usage = await run('replay', ...files, '--train-share', '1.5');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--train-share/);
    const order = await run('replay', ...files, '--fallback-order', 'tiers');
    expect(order.code).toBe(2);
    expect(order.stderr).toMatch(/--fallback-order/);
    const share = await run('replay', ...files, '--candidate-share', '0.6');
    expect(share.code).toBe(2);
    expect(share.stderr).toMatch(/--candidate-share/);
    const heads = await run('replay', ...files, '--explored-heads', 'retry,model_chef');
    expect(heads.code).toBe(1);
    expect(heads.stderr).toMatch(/^orchestra: replay option exploredHeads: expected 'all' or distinct heads among approach, .*model_chef.*\n$/);
    const empty = await run('replay', ...files, '--explored-heads', 'retry,');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/--explored-heads/);
    const missing = await run('replay', '--tasks', 'tasks.jsonl');
    expect(missing.code).toBe(2);
  }, 60_000);
});
