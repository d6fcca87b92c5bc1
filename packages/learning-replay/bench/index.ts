// Real-data figures of the replay harness (not run by CI): RouteLLM MMLU + GSM8K and LLMRouter, read from the shared
// data folder. Usage: pnpm --filter @orchestra/learning-replay bench [-- --data DIR --only a,b --seed S --passes K]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReplayReport, parseReplayTable, renderReplayHtml, runReplay, type ReplayResult } from '../src/index';
import { defaultSharedData, replayBenchTables, repositoryRoot } from './bench-tables';

const { values } = parseArgs({
  options: {
    data: { type: 'string', default: defaultSharedData },
    only: { type: 'string', default: 'routellm-mmlu,routellm-gsm8k,llmrouter' },
    seed: { type: 'string', default: '7' },
    passes: { type: 'string', default: '1' },
    out: { type: 'string', default: join(repositoryRoot, 'bench-results') },
  },
});
const tables = replayBenchTables(values.data, 'learning-replay bench');
const seed = Number(values.seed);
const passes = Number(values.passes);
const out = resolve(values.out);

const percent = (value: number) => `${(100 * value).toFixed(1)} %`;

/** The goals, checked on one result. */
function goals(name: string, result: ReplayResult): string[] {
  const { learned, strongest, bestLadder } = result.policies;
  const lines: string[] = [];
  if (name.startsWith('routellm')) {
    const quality = learned.successRate / strongest.successRate;
    const cost = learned.costPerTask / strongest.costPerTask;
    const verdict = quality >= 0.95 && cost <= 0.4 ? 'met' : 'not met';
    lines.push(`${name === 'routellm-mmlu' ? 'goal' : 'MMLU\'s goal applied here (reported beside it)'}: ≥ 95 % of GPT-4's accuracy at ≤ 40 % of its cost → ${percent(quality)} at ${percent(cost)}: ${verdict}`);
  }
  if (name === 'llmrouter') {
    lines.push(`goal: learned ≥ best static ladder on reward → ${learned.meanReward.toFixed(4)} vs ${bestLadder.meanReward.toFixed(4)}: ${learned.meanReward >= bestLadder.meanReward ? 'met' : 'not met'}`);
  }
  const points = 100 * (learned.successRate - strongest.successRate);
  const share = learned.costPerTask / strongest.costPerTask;
  lines.push(`coding-agent criterion (success ≥ strongest − 2 points at ≤ 50 % of its cost) → ${points >= 0 ? '+' : ''}${points.toFixed(1)} points at ${percent(share)}: ${points >= -2 && share <= 0.5 ? 'met' : 'not met'}`);
  return lines;
}

mkdirSync(out, { recursive: true });
const summary: Record<string, unknown> = {};
for (const name of values.only.split(',')) {
  const build = tables[name];
  if (build === undefined) {
    console.error(`learning-replay bench: unknown table ${JSON.stringify(name)}; known: ${Object.keys(tables).join(', ')}`);
    process.exit(2);
  }
  const texts = build();
  // The table in the replay format, so that `orchestra replay` can be timed on it.
  const directory = join(out, 'replay-tables', name);
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, 'tasks.jsonl'), texts.tasks);
  writeFileSync(join(directory, 'outcomes.jsonl'), texts.outcomes);
  writeFileSync(join(directory, 'models.json'), texts.models);
  const table = parseReplayTable(texts);
  // RouteLLM's decontaminated counts (its SOURCE.md): the conversion must keep every question.
  const expected: Record<string, number> = { 'routellm-mmlu': 14_037, 'routellm-gsm8k': 1_307, llmrouter: 6_108 };
  if (table.tasks.length !== expected[name]) throw new Error(`${name}: ${table.tasks.length} tasks, expected ${expected[name]}`);
  // Every table with the defaults; MMLU also routed to one model (comparable with the former apps/routellm figures);
  // LLMRouter also with the fallback order chosen on train (`--fallback-order train`).
  // LLMRouter also with the fallback order chosen on train and every logged session exploring (ε 1, 3 passes): the
  // setting in which the learner reaches the best static ladder (the goal for this table).
  const variants: Array<{ label: string; maxLadder: number; fallbackOrder?: 'train'; exploration?: number; passes?: number }> = [{ label: name, maxLadder: 3 }];
  if (name === 'routellm-mmlu') variants.push({ label: `${name}-max-ladder-1`, maxLadder: 1 });
  if (name === 'llmrouter') {
    variants.push({ label: `${name}-train-order`, maxLadder: 3, fallbackOrder: 'train' });
    variants.push({ label: `${name}-train-order-explore`, maxLadder: 3, fallbackOrder: 'train', exploration: 1, passes: 3 });
  }
  for (const { label, maxLadder, fallbackOrder, exploration, passes: variantPasses } of variants) {
    const result = await runReplay(table, {
      seed,
      passes: variantPasses ?? passes,
      maxLadder,
      ...(fallbackOrder === undefined ? {} : { fallbackOrder }),
      ...(exploration === undefined ? {} : { exploration }),
      onProgress: (message) => console.error(`${label}: ${message}`),
    });
    console.log(`\n## ${label} (${table.tasks.length} tasks; files in ${directory})\n`);
    console.log(formatReplayReport(result));
    for (const line of goals(name, result)) console.log(line);
    const strongShare = result.learnedDecisions.filter((decision) => decision.ladder.includes(result.settings.chosen.strongest)).length / result.learnedDecisions.length;
    console.log(`share of test tasks whose ladder calls ${result.settings.chosen.strongest} (may be called): ${percent(strongShare)}`);
    writeFileSync(join(out, `learning-replay-${label}.json`), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(out, `learning-replay-${label}.html`), await renderReplayHtml(result, `Replay: ${label}`));
    summary[label] = { policies: result.policies, curve: result.curve, gate: result.gate.verdict, timings: result.timings };
  }
}
writeFileSync(join(out, 'learning-replay-summary.json'), `${JSON.stringify({ seed, passes, summary }, null, 2)}\n`);
console.log(`\nwrote ${join(out, 'learning-replay-*.json')} and .html`);
