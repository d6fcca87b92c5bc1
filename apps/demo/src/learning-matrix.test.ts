import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWorld } from '@orchestra/learning-sim';
import { useTemporaryDirectories } from '@orchestra/test-utils';
import { describe, expect, it } from 'vitest';
import { formatLearningMatrix, gateHonesty, LearningMatrixError, matrixSpread, prepareMatrixWorld, runLearningMatrix, type MatrixCase } from './learning-matrix';

const temporary = useTemporaryDirectories('learning-matrix-');
const demoEntry = fileURLToPath(new URL('../dist/index.js', import.meta.url));

/** Runs `action` with the OS temp directory (`TMPDIR`, which `os.tmpdir()` reads at each call) set to a fresh one. */
async function withTemporaryRoot<T>(action: (root: string) => Promise<T>): Promise<T> {
  const root = temporary();
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = root;
  try {
    return await action(root);
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
}

/** A finished 2,000-session case of `world` and `seed` whose result takes `result`'s fields over neutral ones. */
function matrixCase(world: string, seed: number, result: Partial<NonNullable<MatrixCase['result']>>): MatrixCase {
  return {
    world,
    worldFile: null,
    seed,
    sessions: 2000,
    command: '',
    error: null,
    result: {
      rules: 1, learned: 2, oracle: 3, oracleOnInferredContext: 2.5, learnedMinusRules: { mean: 1, ci: [0.5, 1.5] }, gapClosed: 0.5, gapClosedOnInferredContext: 0.5,
      costReduction: 0, successRate: { rules: 0.8, learned: 0.8, oracle: 0.9, oracleOnInferredContext: 0.85 }, served: 1, trainings: 2, candidates: [], deployments: 1, revalued: null, deploymentsWithoutForce: 1, everyDeploymentPassedGate: true, wallMs: 1,
      ...result,
    },
  };
}

describe('learning matrix', () => {
  it.runIf(existsSync(demoEntry))(
    'runs one tiny case in a child process and writes the markdown table and the JSON',
    async () => {
      const outputDirectory = temporary();
      const seen: string[] = [];
      const { result, left } = await withTemporaryRoot(async (root) => {
        const run = await runLearningMatrix(
          { worlds: ['reshuffled-7'], seeds: [2], budgets: [200], evaluationTasks: 20, extraArguments: ['--retrain-every', '50'], outputDirectory, demoEntry },
          (entry) => seen.push(entry.world),
        );
        return { result: run, left: readdirSync(root) };
      });
      expect(seen).toEqual(['reshuffled-7']);
      // The case's data dir is gone once its summary was read.
      expect(left).toEqual([]);
      expect(result.cases).toHaveLength(1);
      const [only] = result.cases;
      expect(only!.error).toBeNull();
      expect(only!.worldFile).toBe(join(outputDirectory, 'learning-matrix-worlds', 'reshuffled-7.json'));
      expect(parseWorld(JSON.parse(readFileSync(only!.worldFile!, 'utf8'))).name).toBe('reshuffled-7');
      const outcome = only!.result!;
      expect(outcome.gapClosed).toBeCloseTo((outcome.learned - outcome.rules) / (outcome.oracle - outcome.rules), 3);
      // What the run served while it learned is recorded beside the held-out figures.
      expect(outcome.served).toEqual(expect.any(Number));
      // Every candidate is judged by the gate; the demo never deploys past it.
      expect(outcome.trainings).toBeGreaterThan(0);
      // One entry per trained candidate, plus one per re-look at an exploration candidate.
      expect(outcome.candidates.filter((candidate) => candidate.look === null)).toHaveLength(outcome.trainings);
      for (const candidate of outcome.candidates) expect(candidate.measured.ci).toHaveLength(2);
      expect(outcome.deployments).toBeLessThanOrEqual(outcome.trainings);
      expect(outcome.everyDeploymentPassedGate).toBe(true);
      expect(outcome.deploymentsWithoutForce).toBe(outcome.deployments);
      expect(result.spread).toEqual([expect.objectContaining({ world: 'reshuffled-7', sessions: 200, seeds: 1, gapClosed: { mean: outcome.gapClosed, min: outcome.gapClosed, max: outcome.gapClosed } })]);
      const markdown = readFileSync(join(outputDirectory, 'learning-matrix.md'), 'utf8');
      expect(markdown).toContain(`| reshuffled-7 | 200 | 2 | ${outcome.rules.toFixed(2)} | ${outcome.learned.toFixed(2)} | ${outcome.served!.toFixed(2)} |`);
      expect(markdown).toContain('## Spread over seeds');
      expect(JSON.parse(readFileSync(join(outputDirectory, 'learning-matrix.json'), 'utf8')).cases[0].result.rules).toBe(outcome.rules);
    },
    180_000,
  );

  it.runIf(existsSync(demoEntry))('keeps a failing case with its one-line error', async () => {
    const outputDirectory = temporary();
    const { result, root } = await withTemporaryRoot(async (root) => ({ root, result: await runLearningMatrix({ worlds: [join(outputDirectory, 'missing.json')], seeds: [1], budgets: [200], outputDirectory, demoEntry }) }));
    expect(result.cases[0]!.result).toBeNull();
    expect(result.cases[0]!.error).toMatch(/^exit 2: demo: cannot read world file/);
    // A failed case's data dir stays, named in its error.
    const [kept] = readdirSync(root);
    expect(result.cases[0]!.error).toContain(`(its data dir: ${join(root, kept!)})`);
  });

  it('refuses an unknown world name and bad options', async () => {
    await expect(prepareMatrixWorld('mars', temporary())).rejects.toSatisfy((error) => LearningMatrixError.isInstance(error) && error.field === 'worlds');
    await expect(runLearningMatrix({ budgets: [10], outputDirectory: temporary(), demoEntry })).rejects.toSatisfy((error) => LearningMatrixError.isInstance(error) && /budgets/.test((error as Error).message));
    await expect(runLearningMatrix({ extraArguments: ['--data-dir', 'shared'], outputDirectory: temporary(), demoEntry })).rejects.toSatisfy(
      (error) => LearningMatrixError.isInstance(error) && error.field === 'extraArguments' && /own data dir/.test((error as Error).message),
    );
  });

  it('reports the spread over seeds per world and budget, skipping failed cases', () => {
    const entry = (world: string, seed: number, gapClosed: number, lower: number): MatrixCase => matrixCase(world, seed, { learnedMinusRules: { mean: gapClosed * 10, ci: [lower, lower + 1] }, gapClosed });
    const failed: MatrixCase = { ...entry('a', 4, 0, 0), result: null, error: 'exit 1' };
    const spread = matrixSpread([entry('a', 1, 0.1, 1), entry('a', 2, 0.3, -1), entry('a', 3, 0.2, 2), failed, entry('b', 1, -0.1, -2)]);
    expect(spread).toHaveLength(2);
    expect(spread[0]).toMatchObject({ world: 'a', seeds: 3, seedsBeatingRulesWithCI: 2 });
    expect(spread[0]!.gapClosed.mean).toBeCloseTo(0.2, 12);
    expect(spread[0]!.gapClosed.min).toBe(0.1);
    expect(spread[0]!.gapClosed.max).toBe(0.3);
    expect(spread[1]).toMatchObject({ world: 'b', seeds: 1, seedsBeatingRulesWithCI: 0 });
  });

  it("measures the deploy gate's honesty: what its deployments measured, and its re-looks' errors in standard errors", () => {
    type Verdict = NonNullable<MatrixCase['result']>['candidates'][number];
    const around = (value: number, error: number, z: number): [number, number] => [value - z * error, value + z * error];
    const verdict = (look: number | null, confidence: number | null, estimate: number, estimateError: number, measured: number, measuredError: number, deployed: boolean, medianUnbiased: number | null = null): Verdict => ({
      sessionsSeen: 400,
      look,
      confidence,
      medianUnbiased,
      baseline: 'rules',
      gate: { value: estimate, ci: around(estimate, estimateError, confidence === 0.99 ? 2.5758293035489 : 1.959963984540054) },
      measured: { difference: measured, ci: around(measured, measuredError, 1.959963984540054) },
      deployed,
    });
    const entry = (seed: number, candidates: Verdict[]): MatrixCase => matrixCase('a', seed, { candidates });
    const cases = [
      // The gate at training (no look) is not a re-look; the deployed re-look is 3 over what it measured, at an SE of 5.
      entry(1, [verdict(null, null, 5, 3, 4, 1, false), verdict(1, 0.95, 10, 4, 7, 3, true)]),
      // A second look at 99 %: 5 over, at an SE of 5; a deployed model that measured worse.
      // Its median-unbiased estimate (given earlier looks) is 0: 2 closer to what was measured.
      entry(2, [verdict(2, 0.99, 0, 4, -5, 3, false), verdict(1, null, 2, 1, -2, 0.5, true, 0)]),
      { ...entry(3, [verdict(1, 0.95, 50, 1, -50, 1, true)]), result: null, error: 'exit 1' },
      // The model serving at the end, revalued on its own logs: +6 [2, 10] against a measured +1 (not covered)…
      matrixCase('a', 4, { revalued: { version: 'v2', value: 6, ci: [2, 10], logs: 800 } }),
      // …and +0.5 [−1, 3] against +1.
      matrixCase('a', 5, { revalued: { version: 'v3', value: 0.5, ci: [-1, 3], logs: 300 } }),
    ];
    const gate = gateHonesty(cases);
    expect(gate).toMatchObject({ deployments: 2, deployedMeasuredBetter: 1, deployedMeasuredWorse: 1, relooks: 2 });
    expect(gate.deployedMeanAbsoluteError).toBeCloseTo(3.5, 9);
    expect(gate.deployedMeanAbsoluteErrorMedianUnbiased).toBeCloseTo(2.5, 9);
    // Signed: the deployments 10 − 7 and 2 − (−2); the verdicts that deployed nothing 5 − 4 and 0 − (−5).
    expect(gate.deployedMeanError).toBeCloseTo(3.5, 9);
    expect(gate.undeployedMeanError).toBeCloseTo(3, 9);
    expect(gate.undeployedVerdicts).toBe(2);
    expect(gate.relookCalibration!.mean).toBeCloseTo(0.8, 6);
    expect(gate.relookCalibration!.sd).toBeCloseTo(Math.sqrt(0.08), 6);
    expect(gate.revalued).toEqual({ runs: 2, meanAbsoluteError: 2.75, meanError: 2.25, covered: 1 });
    expect(gateHonesty([])).toEqual({ deployments: 0, deployedMeasuredBetter: 0, deployedMeasuredWorse: 0, deployedMeanAbsoluteError: null, deployedMeanAbsoluteErrorMedianUnbiased: null, deployedMeanError: null, undeployedMeanError: null, undeployedVerdicts: 0, relooks: 0, relookCalibration: null, revalued: { runs: 0, meanAbsoluteError: null, meanError: null, covered: 0 } });
    const markdown = formatLearningMatrix({ options: { worlds: ['a'], seeds: [1, 2], budgets: [2000], concurrency: 1, evaluationTasks: 1000, demoArguments: [] } as never, cases, spread: matrixSpread(cases), gate, wallMs: 1 });
    expect(markdown).toContain('## The deploy gate');
    expect(markdown).toContain('2 deployments: 1 measured better than what they replaced (95 % CI above 0), 1 worse (below 0); mean |estimate − measured| 3.50 (median-unbiased re-look estimates: 2.50).');
    expect(markdown).toContain('Re-looks: 2; (estimate − measured) / √(SE² + SE_measured²) has mean 0.80 and sd 0.28');
    expect(markdown).toContain('Mean estimate − measured: +3.50 for the deployments, +3.00 over the 2 verdicts that deployed nothing');
    expect(markdown).toContain("The models serving at the end of 2 runs, re-estimated on the logs since their deployment: mean |estimate − measured| 2.75, signed +2.25; the measurement inside that estimate's 95 % CI in 1 of 2.");
  });
});
