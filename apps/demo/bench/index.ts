/**
 * Runs the built demo (`node dist/index.js --json`, exactly what `pnpm demo` runs) on every built-in world at
 * several budgets, prints one table, and writes bench-results/demo-<worlds>-<sessions>-seed-<seeds>.json.
 * Run: `pnpm --filter @orchestra/demo bench` (after `pnpm turbo run build --filter=@orchestra/demo...`).
 * Options: `--sessions 2000,10000` `--seeds 1` `--worlds default,cheap-models-strong,rules-nearly-optimal`.
 * Other people share this machine's 2 cores: wall times are noisy; the rewards are deterministic per seed.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { builtInWorldNames } from '@orchestra/learning-sim';
import { formatTable } from '../src/format-summary';
import type { DemoSummary } from '../src/run-demo';

const run = promisify(execFile);
const { values } = parseArgs({ options: { sessions: { type: 'string' }, seeds: { type: 'string' }, worlds: { type: 'string' } } });
const budgets = (values.sessions ?? '2000,10000').split(',').map(Number);
const seeds = (values.seeds ?? '1').split(',').map(Number);
const worlds = (values.worlds ?? builtInWorldNames.join(',')).split(',');
const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const worldFile = (name: string) => fileURLToPath(new URL(`../../../packages/learning-sim/worlds/${name}.json`, import.meta.url));

const results: Array<{ command: string; summary: DemoSummary }> = [];
for (const world of worlds) {
  for (const sessions of budgets) {
    for (const seed of seeds) {
      const args = ['--sessions', String(sessions), '--seed', String(seed), '--json', ...(world === 'default' ? [] : ['--world', worldFile(world)])];
      const command = `pnpm demo --sessions ${sessions} --seed ${seed}${world === 'default' ? '' : ` --world packages/learning-sim/worlds/${world}.json`}`;
      process.stderr.write(`${command} …\n`);
      const { stdout } = await run(process.execPath, [entry, ...args], { maxBuffer: 64 * 1024 * 1024 });
      const summary = JSON.parse(stdout) as DemoSummary;
      results.push({ command, summary });
      process.stderr.write(`  learned − rules ${summary.learnedMinusRules.mean.toFixed(2)} [${summary.learnedMinusRules.ci[0].toFixed(2)}, ${summary.learnedMinusRules.ci[1].toFixed(2)}], gap closed ${(summary.gapClosed * 100).toFixed(1)} %, ${(summary.timings.totalMs / 1000).toFixed(0)} s\n`);
    }
  }
}

const fixed = (value: number, digits = 2) => value.toFixed(digits);
console.log(
  formatTable(
    ['world', 'sessions', 'seed', 'rules', 'learned', 'oracle', 'learned − rules [95 % CI]', 'gap closed', 'cost rules → learned', 'success rules → learned', 'OPE gates passed', 'wall s', 'CPU s'],
    results.map(({ summary }) => [
      summary.world,
      String(summary.sessions),
      String(summary.seed),
      fixed(summary.policies.rules.meanReward),
      fixed(summary.policies.learned.meanReward),
      fixed(summary.policies.oracle.meanReward),
      `${fixed(summary.learnedMinusRules.mean)} [${fixed(summary.learnedMinusRules.ci[0])}, ${fixed(summary.learnedMinusRules.ci[1])}]`,
      `${fixed(summary.gapClosed * 100, 1)} %`,
      `$${fixed(summary.policies.rules.costPerSession, 3)} → $${fixed(summary.policies.learned.costPerSession, 3)}`,
      `${fixed(summary.policies.rules.successRate * 100, 1)} → ${fixed(summary.policies.learned.successRate * 100, 1)} %`,
      `${summary.ope.filter((round) => round.beatsRules === true).length}/${summary.ope.length}`,
      fixed(summary.timings.totalMs / 1000, 0),
      fixed(summary.timings.cpuMs / 1000, 0),
    ]),
  ),
);
const directory = fileURLToPath(new URL('../../../bench-results/', import.meta.url));
mkdirSync(directory, { recursive: true });
writeFileSync(
  `${directory}demo-${worlds.length === builtInWorldNames.length ? 'worlds' : worlds.join('-')}-${budgets.join('-')}-seed-${seeds.join('-')}.json`,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, cores: cpus().length, loadAverage: loadavg(), note: 'shared machine; wall times are noisy', runs: results.map(({ command, summary }) => ({ command, ...summary, learningCurve: summary.learningCurve })) }, null, 2)}\n`,
);
