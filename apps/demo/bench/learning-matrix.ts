/**
 * `pnpm bench:learning`: the demo over a matrix of worlds × seeds × budgets, two cases at a time in child processes;
 * writes bench-results/learning-matrix.{md,json} (and the generated world files into
 * bench-results/learning-matrix-worlds/). Defaults: the 3 built-in worlds + 3 reshuffled default worlds (generator
 * seeds 101, 102, 103), seeds 1..3, budgets 2000 and 10000.
 * Flags: `--worlds default,reshuffled-101,path/to/world.json` `--seeds 1,2` `--sessions 2000` `--eval-tasks N`
 * `--concurrency 2` `--output DIR` `--demo-arg=FLAG --demo-arg=VALUE …` (passed to every demo run, e.g.
 * `--demo-arg=--candidate-share --demo-arg=0` for the same matrix without the exploration candidate). Other people share this machine's cores: wall times are noisy; results are
 * deterministic per case.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { OrchestraError } from '@orchestra/learning-types';
import { formatLearningMatrix, runLearningMatrix, type LearningMatrixOptionsInput } from '../src/learning-matrix';

const list = (value: string | undefined) => (value === undefined ? undefined : value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== ''));
const numbers = (value: string | undefined) => list(value)?.map(Number);

try {
  const { values } = parseArgs({
    args: process.argv.slice(2).filter((argument) => argument !== '--'),
    options: {
      worlds: { type: 'string' },
      seeds: { type: 'string' },
      sessions: { type: 'string' },
      'eval-tasks': { type: 'string' },
      concurrency: { type: 'string' },
      output: { type: 'string' },
      // Passed to every demo run, one flag or value each: --demo-arg=--candidate-share --demo-arg=0
      'demo-arg': { type: 'string', multiple: true },
    },
    strict: true,
    allowPositionals: false,
  });
  const input: LearningMatrixOptionsInput = {
    outputDirectory: values.output ?? fileURLToPath(new URL('../../../bench-results/', import.meta.url)),
    demoEntry: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
  };
  const worlds = list(values.worlds);
  if (worlds !== undefined) input.worlds = worlds;
  const seeds = numbers(values.seeds);
  if (seeds !== undefined) input.seeds = seeds;
  const budgets = numbers(values.sessions);
  if (budgets !== undefined) input.budgets = budgets;
  if (values['eval-tasks'] !== undefined) input.evaluationTasks = Number(values['eval-tasks']);
  if (values.concurrency !== undefined) input.concurrency = Number(values.concurrency);
  if (values['demo-arg'] !== undefined) input.extraArguments = values['demo-arg'];
  const result = await runLearningMatrix(input, (entry, done, total) => {
    const outcome = entry.result;
    process.stderr.write(
      `[${done}/${total}] ${entry.command}: ${outcome === null ? `FAILED ${entry.error}` : `learned − rules ${outcome.learnedMinusRules.mean.toFixed(2)} [${outcome.learnedMinusRules.ci[0].toFixed(2)}, ${outcome.learnedMinusRules.ci[1].toFixed(2)}], gap closed ${(outcome.gapClosed * 100).toFixed(1)} %, ${(outcome.wallMs / 1000).toFixed(0)} s`}\n`,
    );
  });
  console.log(formatLearningMatrix(result));
  process.exitCode = result.cases.some((entry) => entry.result === null) ? 1 : 0;
} catch (error) {
  process.stderr.write(`bench:learning: ${OrchestraError.isInstance(error) || error instanceof TypeError ? (error as Error).message : ((error as Error).stack ?? String(error))}\n`);
  process.exitCode = 2;
}
