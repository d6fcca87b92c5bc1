import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultModelCatalog } from '@orchestra/learning-features';
import { useTemporaryDirectory } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { runInProcess } from '../test-support/run-in-process';
import { simulateShadowSessions } from '../test-support/simulate';

const cwd = useTemporaryDirectory('orchestra-reprice-', (directory) => simulateShadowSessions(directory, join(directory, 'data'), 30, 11));

const run = (...argv: string[]) => runInProcess(cwd(), ...argv);

describe('orchestra learning-reprice', () => {
  it('re-costs the history from a catalog with new prices, prints before/after, and --reset returns to the stored figures', async () => {
    const doubled = { models: defaultModelCatalog.models.map((model) => ({ ...model, inputPricePer1kTokens: model.inputPricePer1kTokens * 2, outputPricePer1kTokens: model.outputPricePer1kTokens * 2 })) };
    await writeFile(join(cwd(), 'prices.json'), JSON.stringify(doubled));
    const stored = JSON.parse((await run('learning-stats', '--json')).stdout);
    const result = await run('learning-reprice', '--prices', 'prices.json', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.version.prices).toBe(true);
    expect(report.before.meanCostUsd).toBeCloseTo(stored.totalCostUsd / 30, 12);
    // Doubled prices change every session's cost except those that spent nothing.
    expect((await run('learning-export', '-o', 'before.jsonl', '--format', 'jsonl')).code).toBe(0);
    const costs = (await readFile(join(cwd(), 'before.jsonl'), 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { outcome: { totalCostUsd: number } }).outcome.totalCostUsd);
    expect(costs).toHaveLength(30);
    expect(report.costsChanged).toBe(costs.filter((cost) => cost > 0).length);
    expect(report.costsChanged).toBeGreaterThanOrEqual(25);
    const repriced = JSON.parse((await run('learning-stats', '--json')).stdout);
    expect(repriced.totalCostUsd).toBeCloseTo(report.after.meanCostUsd * 30, 9);
    const status = await run('learning');
    expect(status.stdout).toContain(`reward version ${report.version.id} in force (re-priced)`);
    const text = await run('learning-reprice', '--reset');
    expect(text.stdout).toMatch(/^reward version reset: the stored figures are in force\n/);
    expect(JSON.parse((await run('learning-stats', '--json')).stdout)).toEqual(stored);
  });

  it('refuses a price file that is not a catalog with one line naming the file', async () => {
    await writeFile(join(cwd(), 'bad.json'), JSON.stringify({ models: [{ id: 'x' }] }));
    const bad = await run('learning-reprice', '--prices', 'bad.json');
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('bad.json');
    expect((await run('learning-reprice')).code).toBe(2);
  });
});
