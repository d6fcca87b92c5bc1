/**
 * `pnpm bench:compare [commit]`: inferTaskContext of this checkout against the same package at an earlier commit
 * (default 200cf4d, before the compiled indexes), in one process with interleaved rounds, so both see the same
 * machine load. Also checks that both give exactly the same result (JSON) for every input. Needs the git history.
 * Writes bench-results/learning-features-inference-compare.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { loadLabelledCommits } from '../src/evaluation/commit-dataset';
import { inferTaskContext } from '../src/inference/infer-task-context';
import { createRng } from '../src/random';

const commitArgument = process.argv[2] ?? '200cf4d';
const packageDirectory = fileURLToPath(new URL('..', import.meta.url));
let commit: string;
try {
  commit = execFileSync('git', ['rev-parse', '--verify', '--quiet', `${commitArgument}^{commit}`], { cwd: packageDirectory, encoding: 'utf8' }).trim();
} catch {
  console.error(`compare-commit: ${commitArgument} is not a commit of this repository (a shallow clone lacks history)`);
  process.exit(1);
}
// Under the package's node_modules (ignored by git), so the old source resolves zod and the types package.
const directory = fileURLToPath(new URL(`../node_modules/.cache/learning-features-${commit.slice(0, 12)}/`, import.meta.url));
if (!existsSync(`${directory}src/inference/infer-task-context.ts`)) {
  rmSync(directory, { recursive: true, force: true });
  mkdirSync(directory, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', commit, 'src'], { cwd: packageDirectory, maxBuffer: 1 << 28 });
  execFileSync('tar', ['-x', '-C', directory], { input: archive });
}
const earlier = (await import(pathToFileURL(`${directory}src/inference/infer-task-context.ts`).href)) as { inferTaskContext: typeof inferTaskContext };

// The inputs of `pnpm bench`: 4,000 real subjects (seeded sample), half with 1–12 plausible file paths.
const random = createRng(7);
const subjects = loadLabelledCommits().map((row) => row.subject);
const sample = Array.from({ length: 4_000 }, () => subjects[Math.floor(random.next() * subjects.length)]!);
const paths = ['src/server/orders.ts', 'src/components/Button.tsx', 'docs/guide.md', 'src/db/migrations/0042_add_index.sql', 'test/orders.test.ts', 'package.json', '.github/workflows/ci.yml', 'src/auth/session.ts'];
const inputs = sample.map((description, index) => (index % 2 === 0 ? { description } : { description, files: Array.from({ length: 1 + (index % 12) }, (_, position) => paths[(index + position) % paths.length]!) }));

const differing = inputs.filter((item) => JSON.stringify(earlier.inferTaskContext(item)) !== JSON.stringify(inferTaskContext(item))).length;
const runs = [earlier.inferTaskContext, inferTaskContext];
let sink = 0;
for (const run of runs) for (const item of inputs.slice(0, 2_000)) sink += run(item).confidence;
const samples: number[][] = [[], []];
for (let round = 0; round < 6; round += 1) {
  for (let turn = 0; turn < 2; turn += 1) {
    const which = (round + turn) % 2;
    for (const item of inputs) {
      const started = process.hrtime.bigint();
      sink += runs[which]!(item).confidence;
      samples[which]!.push(Number(process.hrtime.bigint() - started) / 1000);
    }
  }
}
const quantiles = samples.map((values) => {
  values.sort((left, right) => left - right);
  return { p50: values[values.length >> 1]!, p90: values[Math.floor(values.length * 0.9)]! };
});
console.log(`\n# inferTaskContext, ${commit.slice(0, 7)} (baseline) vs this checkout: ${samples[0]!.length} calls each, interleaved rounds`);
console.log('| | p50 µs | p90 µs |');
console.log('|---|---:|---:|');
console.log(`| ${commit.slice(0, 7)} | ${quantiles[0]!.p50.toFixed(1)} | ${quantiles[0]!.p90.toFixed(1)} |`);
console.log(`| this checkout | ${quantiles[1]!.p50.toFixed(1)} | ${quantiles[1]!.p90.toFixed(1)} |`);
console.log(`| speed-up | ${(quantiles[0]!.p50 / quantiles[1]!.p50).toFixed(2)}× | ${(quantiles[0]!.p90 / quantiles[1]!.p90).toFixed(2)}× |`);
console.log(`results differing (JSON of the whole inference): ${differing} of ${inputs.length}`);
if (sink === Number.POSITIVE_INFINITY) console.log('');
const resultsDirectory = new URL('../../../bench-results/', import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(
  new URL('learning-features-inference-compare.json', resultsDirectory),
  `${JSON.stringify({ createdAt: new Date().toISOString(), baselineCommit: commit, calls: samples[0]!.length, baseline: quantiles[0], current: quantiles[1], differing }, null, 2)}\n`,
);
