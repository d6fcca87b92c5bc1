import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { builtInWorld, builtInWorldNames, meanWithInterval, reshuffleWorld, writeWorldFile, type BuiltInWorldName } from '@orchestra/learning-sim';
import { OrchestraError, safeValidate, twoSidedNormalQuantile } from '@orchestra/learning-types';
import { z } from 'zod';

/** Generator seeds of the reshuffled worlds in the default matrix (fixed: the same worlds on every machine). */
export const defaultReshuffleSeeds = [101, 102, 103] as const;

/** The default matrix: the built-in worlds and three reshuffled default worlds × seeds 1..3 × budgets 2,000 and 10,000. */
export const defaultMatrixWorlds: readonly string[] = [...builtInWorldNames, ...defaultReshuffleSeeds.map((seed) => `reshuffled-${seed}`)];

/** Options of `runLearningMatrix` (validated with zod). */
export const learningMatrixOptionsSchema = z.object({
  /**
   * Worlds: a built-in name (`default`, `cheap-models-strong`, `rules-nearly-optimal`), `reshuffled-<seed>` (the
   * default world through `reshuffleWorld` with that generator seed), or a path to a world JSON file.
   */
  worlds: z.array(z.string().min(1)).min(1).default([...defaultMatrixWorlds]),
  seeds: z.array(z.number().int().nonnegative()).min(1).default([1, 2, 3]),
  budgets: z.array(z.number().int().min(200)).min(1).default([2000, 10_000]),
  /** Cases run at once, each in its own child process. */
  concurrency: z.number().int().min(1).max(16).default(2),
  /** Held-out tasks per case (the demo's `--eval-tasks`; default the demo's 1,000). */
  evaluationTasks: z.number().int().min(20).optional(),
  /**
   * Further demo flags for every case (e.g. `--retrain-every 100` for a smoke run). Not `--data-dir`: every case gets
   * its own (see `runLearningMatrix`).
   */
  extraArguments: z
    .array(z.string())
    .default([])
    .refine((flags) => !flags.some((flag) => flag === '--data-dir' || flag.startsWith('--data-dir=')), 'every case has its own data dir; --data-dir cannot be shared'),
  /** Where `learning-matrix.md` / `.json` and the generated world files (`worlds/`) go. */
  outputDirectory: z.string().min(1),
  /** The built demo entry (`apps/demo/dist/index.js`). */
  demoEntry: z.string().min(1),
});
export type LearningMatrixOptions = z.infer<typeof learningMatrixOptionsSchema>;
export type LearningMatrixOptionsInput = z.input<typeof learningMatrixOptionsSchema>;

/** A bad matrix option, a world that cannot be prepared, or a case whose output is not a demo summary. */
export class LearningMatrixError extends OrchestraError {
  readonly field: string;

  constructor({ field, message, cause }: { field: string; message: string; cause?: unknown }) {
    super({ name: 'LearningMatrixError', code: 'ORCHESTRA_LEARNING_MATRIX', message, cause });
    this.field = field;
  }

  static override isInstance(error: unknown): error is LearningMatrixError {
    return OrchestraError.isInstance(error) && (error as Error).name === 'LearningMatrixError';
  }
}

const policySchema = z.object({ meanReward: z.number(), successRate: z.number(), costPerSession: z.number() });
/** The part of the demo's `--json` summary the matrix reads (other fields pass through unread). */
export const matrixSummarySchema = z.object({
  world: z.string(),
  seed: z.number(),
  sessions: z.number(),
  policies: z.object({ rules: policySchema, learned: policySchema, oracle: policySchema, oracleOnInferredContext: policySchema }),
  gapClosed: z.number(),
  gapClosedOnInferredContext: z.number(),
  learnedMinusRules: z.object({ mean: z.number(), ci: z.tuple([z.number(), z.number()]) }),
  /** The serving model re-estimated on its own logs at the end (absent in summaries written before the demo recorded it). */
  deployedRevalued: z.object({ version: z.string(), value: z.number(), ci: z.tuple([z.number(), z.number()]), logs: z.number() }).nullable().default(null),
  costReduction: z.number(),
  ope: z.array(
    z.object({
      sessionsSeen: z.number(),
      deployed: z.boolean(),
      forced: z.boolean(),
      beatsRules: z.boolean().nullable(),
      difference: z.object({ value: z.number(), ci: z.tuple([z.number(), z.number()]) }).nullable(),
      measured: z.object({ difference: z.number(), ci: z.tuple([z.number(), z.number()]) }),
      /** A re-look at the exploration candidate (its index), null for the gate at training. */
      look: z.object({ index: z.number(), confidence: z.number().optional(), medianUnbiased: z.number().optional() }).nullable().default(null),
      /** What the estimate and the measurement compare with: `rules`, or a challenger's deployed model. */
      baseline: z.string().default('rules'),
    }),
  ),
  timings: z.object({ totalMs: z.number() }),
  /** What every session of the run was served (absent in summaries written before the demo recorded it). */
  phases: z.object({ served: z.object({ sessions: z.number(), meanReward: z.number() }).nullable().default(null) }).default({ served: null }),
});

/** One case of the matrix: what the demo measured (null `result` with `error` when the case failed). */
export interface MatrixCase {
  world: string;
  worldFile: string | null;
  seed: number;
  sessions: number;
  command: string;
  result: {
    rules: number;
    learned: number;
    oracle: number;
    oracleOnInferredContext: number;
    learnedMinusRules: { mean: number; ci: [number, number] };
    gapClosed: number;
    gapClosedOnInferredContext: number;
    costReduction: number;
    successRate: { rules: number; learned: number; oracle: number; oracleOnInferredContext: number };
    /** Mean reward of every session of the run, whatever served it: what learning cost or gained while it ran. */
    served: number | null;
    /** Candidates trained (each judged by the deploy gate). */
    trainings: number;
    /**
     * Every verdict of the gate: on a new candidate (`look` null) or a re-look at the exploration candidate (`look` its
     * index) — the estimate of learned − baseline (null without one) and what the held-out tasks measured; the
     * baseline is the rules, or for a challenger's re-look the deployed model it challenges.
     */
    candidates: Array<{
      sessionsSeen: number;
      look: number | null;
      confidence: number | null;
      /** A re-look's median-unbiased estimate given the candidate's earlier looks (null: the gate at training, or a summary without it). */
      medianUnbiased: number | null;
      baseline: string;
      gate: { value: number; ci: [number, number] } | null;
      measured: { difference: number; ci: [number, number] };
      deployed: boolean;
    }>;
    deployments: number;
    /**
     * The model serving at the end as the logs since its deployment value it (learned − rules, 95 % CI; the demo's
     * `deployedRevalued`): null when the rules serve, or fewer than 100 logs were recorded since.
     */
    revalued: z.infer<typeof matrixSummarySchema>['deployedRevalued'];
    /** Deployments whose gate passed (`forced: false`). */
    deploymentsWithoutForce: number;
    /** No deployment went past the gate with force (true when there was none: the rules kept acting). */
    everyDeploymentPassedGate: boolean;
    wallMs: number;
  } | null;
  error: string | null;
}

/** Spread of the gap closed over the seeds of one world and budget. */
export interface MatrixSpread {
  world: string;
  sessions: number;
  seeds: number;
  gapClosed: { mean: number; min: number; max: number };
  learnedMinusRules: { mean: number; min: number; max: number };
  /** Seeds whose paired CI of learned − rules lies above zero. */
  seedsBeatingRulesWithCI: number;
}

/**
 * How honest the deploy gate was over every case: what the held-out tasks measured of the models it deployed, and how
 * far its re-looks' estimates lay from what their candidates then measured.
 */
export interface GateHonesty {
  deployments: number;
  /** Deployed models whose measured learned − baseline has a 95 % CI above 0, and below 0. */
  deployedMeasuredBetter: number;
  deployedMeasuredWorse: number;
  /** Mean |estimate − measured| of the deployed models' deciding verdicts (null without a deployment). */
  deployedMeanAbsoluteError: number | null;
  /** The same with each re-look's median-unbiased estimate given its earlier looks (the naive one where there is none). */
  deployedMeanAbsoluteErrorMedianUnbiased: number | null;
  /**
   * Mean estimate − measured (signed) of the deployed models' deciding verdicts, and of every verdict that deployed
   * nothing (trainings and re-looks; `undeployedVerdicts` of them). The estimator is unbiased when the second is near
   * 0; the first above it is what selecting on a pass adds (the winner's curse). Null without such verdicts.
   */
  deployedMeanError: number | null;
  undeployedMeanError: number | null;
  undeployedVerdicts: number;
  /**
   * Re-looks with a recorded confidence: (estimate − measured) / √(SE_estimate² + SE_measured²), each SE read from its
   * interval. An honest gate gives mean ≈ 0 and sd ≈ 1 (null with fewer than 2 re-looks).
   */
  relooks: number;
  relookCalibration: { mean: number; sd: number } | null;
  /**
   * The models serving at the end of their runs, re-estimated on the logs since their deployment (`revalued`), against
   * what the held-out tasks measured of them (learned − rules): how many runs had one, the mean |revalued − measured|
   * and signed revalued − measured (null without one), and in how many the measurement lay inside the revalued 95 % CI.
   */
  revalued: { runs: number; meanAbsoluteError: number | null; meanError: number | null; covered: number };
}

/** What `runLearningMatrix` returns and writes to `learning-matrix.json`. */
export interface LearningMatrixResult {
  options: Omit<LearningMatrixOptions, 'outputDirectory' | 'demoEntry'>;
  cases: MatrixCase[];
  spread: MatrixSpread[];
  gate: GateHonesty;
  wallMs: number;
}

/** Writes (or resolves) the world file of a matrix world name; `null` for the built-in default (the demo's own default). */
export async function prepareMatrixWorld(name: string, worldsDirectory: string): Promise<string | null> {
  if (name === 'default') return null;
  if ((builtInWorldNames as readonly string[]).includes(name)) return writeWorldFile(join(worldsDirectory, `${name}.json`), builtInWorld(name as BuiltInWorldName));
  const reshuffled = /^reshuffled-(\d+)$/.exec(name);
  if (reshuffled !== null) {
    const seed = Number(reshuffled[1]);
    return writeWorldFile(join(worldsDirectory, `${name}.json`), reshuffleWorld(builtInWorld('default'), seed, { name }));
  }
  if (name.endsWith('.json')) return resolve(name);
  throw new LearningMatrixError({ field: 'worlds', message: `unknown world "${name}": use ${builtInWorldNames.join(', ')}, reshuffled-<seed> or a path to a .json file` });
}

function runChild(entry: string, args: readonly string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [entry, ...args], { maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof (error as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((error as unknown as { code: number }).code) : 1;
      resolvePromise({ stdout, stderr, code });
    });
  });
}

function spreadOf(values: readonly number[]) {
  return { mean: values.reduce((sum, value) => sum + value, 0) / values.length, min: Math.min(...values), max: Math.max(...values) };
}

/** Per world and budget: mean, min and max over the seeds of the gap closed and of learned − rules. */
export function matrixSpread(cases: readonly MatrixCase[]): MatrixSpread[] {
  const groups = new Map<string, MatrixCase[]>();
  for (const entry of cases) {
    if (entry.result === null) continue;
    const key = `${entry.world}\u0000${entry.sessions}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  return [...groups.values()].map((group) => ({
    world: group[0]!.world,
    sessions: group[0]!.sessions,
    seeds: group.length,
    gapClosed: spreadOf(group.map((entry) => entry.result!.gapClosed)),
    learnedMinusRules: spreadOf(group.map((entry) => entry.result!.learnedMinusRules.mean)),
    seedsBeatingRulesWithCI: group.filter((entry) => entry.result!.learnedMinusRules.ci[0] > 0).length,
  }));
}

/** The deploy gate's honesty over the matrix's cases (failed cases skipped). */
export function gateHonesty(cases: readonly MatrixCase[]): GateHonesty {
  const verdicts = cases.flatMap((entry) => entry.result?.candidates ?? []);
  const deployed = verdicts.filter((verdict) => verdict.deployed);
  const signedErrors = (list: typeof verdicts) => list.flatMap((verdict) => (verdict.gate === null ? [] : [verdict.gate.value - verdict.measured.difference]));
  const deployedErrors = signedErrors(deployed);
  const withEstimate = deployedErrors.map(Math.abs);
  const undeployedErrors = signedErrors(verdicts.filter((verdict) => !verdict.deployed));
  const withMedianUnbiased = deployed.flatMap((verdict) => (verdict.gate === null ? [] : [Math.abs((verdict.medianUnbiased ?? verdict.gate.value) - verdict.measured.difference)]));
  const scores: number[] = [];
  for (const verdict of verdicts) {
    if (verdict.look === null || verdict.gate === null || verdict.confidence === null) continue;
    const estimateError = (verdict.gate.ci[1] - verdict.gate.ci[0]) / (2 * twoSidedNormalQuantile(verdict.confidence));
    const measuredError = (verdict.measured.ci[1] - verdict.measured.ci[0]) / (2 * twoSidedNormalQuantile(0.95));
    const error = Math.hypot(estimateError, measuredError);
    if (error > 0) scores.push((verdict.gate.value - verdict.measured.difference) / error);
  }
  const calibration = meanWithInterval(scores);
  const revalued = cases.flatMap((entry) => (entry.result?.revalued == null ? [] : [{ estimate: entry.result.revalued, measured: entry.result.learnedMinusRules.mean }]));
  const revaluedErrors = revalued.map(({ estimate, measured }) => estimate.value - measured);
  return {
    deployments: deployed.length,
    deployedMeasuredBetter: deployed.filter((verdict) => verdict.measured.ci[0] > 0).length,
    deployedMeasuredWorse: deployed.filter((verdict) => verdict.measured.ci[1] < 0).length,
    deployedMeanAbsoluteError: withEstimate.length === 0 ? null : meanWithInterval(withEstimate).mean,
    deployedMeanAbsoluteErrorMedianUnbiased: withMedianUnbiased.length === 0 ? null : meanWithInterval(withMedianUnbiased).mean,
    deployedMeanError: deployedErrors.length === 0 ? null : meanWithInterval(deployedErrors).mean,
    undeployedMeanError: undeployedErrors.length === 0 ? null : meanWithInterval(undeployedErrors).mean,
    undeployedVerdicts: undeployedErrors.length,
    relooks: scores.length,
    relookCalibration: scores.length < 2 ? null : { mean: calibration.mean, sd: calibration.standardError * Math.sqrt(scores.length) },
    revalued: {
      runs: revalued.length,
      meanAbsoluteError: revalued.length === 0 ? null : meanWithInterval(revaluedErrors.map(Math.abs)).mean,
      meanError: revalued.length === 0 ? null : meanWithInterval(revaluedErrors).mean,
      covered: revalued.filter(({ estimate, measured }) => estimate.ci[0] <= measured && measured <= estimate.ci[1]).length,
    },
  };
}

/**
 * Runs the demo (`node <demoEntry> --json`) for every world × seed × budget, `concurrency` child processes at a time,
 * and writes `learning-matrix.md` (tables) and `learning-matrix.json` (every case and the spread over seeds) into
 * `outputDirectory`. A case that fails is kept with its error (one line) and the others go on. Deterministic per
 * case (the demo is reproducible per seed); only the wall times vary. Each case runs on its own data dir in the OS
 * temp directory (tens of MB at 10,000 sessions), removed once its summary is read; a failed case's stays, named in
 * its error, to be looked into.
 */
export async function runLearningMatrix(input: LearningMatrixOptionsInput, onCase: (entry: MatrixCase, done: number, total: number) => void = () => {}): Promise<LearningMatrixResult> {
  const validated = safeValidate(learningMatrixOptionsSchema, input, 'learning matrix options');
  if (!validated.success) throw new LearningMatrixError({ field: validated.error.field, message: `invalid option ${validated.error.field}: ${validated.error.issues[0]?.message ?? 'invalid'}`, cause: validated.error });
  const options = validated.value;
  const started = performance.now();
  const outputDirectory = resolve(options.outputDirectory);
  const worldsDirectory = join(outputDirectory, 'learning-matrix-worlds');
  await mkdir(outputDirectory, { recursive: true });
  const worldFiles = new Map<string, string | null>();
  for (const world of options.worlds) worldFiles.set(world, await prepareMatrixWorld(world, worldsDirectory));

  const plan: Array<Omit<MatrixCase, 'result' | 'error'> & { args: string[] }> = [];
  for (const world of options.worlds) {
    for (const sessions of options.budgets) {
      for (const seed of options.seeds) {
        const worldFile = worldFiles.get(world) ?? null;
        const args = ['--json', '--sessions', String(sessions), '--seed', String(seed), ...(worldFile === null ? [] : ['--world', worldFile]), ...(options.evaluationTasks === undefined ? [] : ['--eval-tasks', String(options.evaluationTasks)]), ...options.extraArguments];
        plan.push({ world, worldFile, seed, sessions, args, command: `pnpm demo ${args.join(' ')}` });
      }
    }
  }
  const cases: MatrixCase[] = new Array<MatrixCase>(plan.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < plan.length) {
      const index = next;
      next += 1;
      const { args, ...entry } = plan[index]!;
      const caseStarted = performance.now();
      const dataDirectory = await mkdtemp(join(tmpdir(), 'learning-matrix-case-'));
      const { stdout, stderr, code } = await runChild(options.demoEntry, [...args, '--data-dir', dataDirectory]);
      let result: MatrixCase['result'] = null;
      let error: string | null = null;
      if (code !== 0) {
        error = `exit ${code}: ${stderr.trim().split('\n').find((line) => line.startsWith('demo:')) ?? stderr.trim().split('\n').at(-1) ?? ''}`;
      } else {
        let json: unknown;
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
        const parsed = safeValidate(matrixSummarySchema, json, 'demo summary');
        if (!parsed.success) {
          error = `the demo's output is not a summary: ${parsed.error.message}`;
        } else {
          const summary = parsed.value;
          const deployed = summary.ope.filter((round) => round.deployed);
          const withoutForce = deployed.filter((round) => !round.forced).length;
          result = {
            rules: summary.policies.rules.meanReward,
            learned: summary.policies.learned.meanReward,
            oracle: summary.policies.oracle.meanReward,
            oracleOnInferredContext: summary.policies.oracleOnInferredContext.meanReward,
            learnedMinusRules: summary.learnedMinusRules,
            gapClosed: summary.gapClosed,
            gapClosedOnInferredContext: summary.gapClosedOnInferredContext,
            costReduction: summary.costReduction,
            successRate: {
              rules: summary.policies.rules.successRate,
              learned: summary.policies.learned.successRate,
              oracle: summary.policies.oracle.successRate,
              oracleOnInferredContext: summary.policies.oracleOnInferredContext.successRate,
            },
            served: summary.phases.served?.meanReward ?? null,
            trainings: summary.ope.filter((round) => round.look === null).length,
            candidates: summary.ope.map((round) => ({ sessionsSeen: round.sessionsSeen, look: round.look?.index ?? null, confidence: round.look?.confidence ?? null, medianUnbiased: round.look?.medianUnbiased ?? null, baseline: round.baseline, gate: round.difference, measured: round.measured, deployed: round.deployed })),
            deployments: deployed.length,
            revalued: summary.deployedRevalued,
            deploymentsWithoutForce: withoutForce,
            everyDeploymentPassedGate: withoutForce === deployed.length,
            wallMs: performance.now() - caseStarted,
          };
        }
      }
      if (error === null) await rm(dataDirectory, { recursive: true, force: true });
      else error = `${error} (its data dir: ${dataDirectory})`;
      const finished: MatrixCase = { ...entry, result, error };
      cases[index] = finished;
      done += 1;
      onCase(finished, done, plan.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, plan.length) }, worker));

  const { outputDirectory: _output, demoEntry: _entry, ...recorded } = options;
  const result: LearningMatrixResult = { options: recorded, cases, spread: matrixSpread(cases), gate: gateHonesty(cases), wallMs: performance.now() - started };
  await writeFile(join(outputDirectory, 'learning-matrix.json'), `${JSON.stringify(result, null, 2)}\n`);
  await writeFile(join(outputDirectory, 'learning-matrix.md'), formatLearningMatrix(result));
  return result;
}

const fixed = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

/** A GitHub-flavoured markdown table (first column left-aligned, the others right-aligned; `|` escaped). */
export function markdownTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map((_cell, column) => (column === 0 ? '---' : '---:')).join('|')}|`, ...rows.map(line)].join('\n');
}
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
const range = (values: readonly number[]) => (values.length === 0 ? '–' : `${fixed(Math.min(...values))} … ${fixed(Math.max(...values))}`);

/** The matrix as markdown: one row per case, then the spread of the gap closed over seeds per world and budget. */
export function formatLearningMatrix(result: LearningMatrixResult): string {
  const caseRows = result.cases.map((entry) => {
    const head = [entry.world, String(entry.sessions), String(entry.seed)];
    const outcome = entry.result;
    if (outcome === null) return [...head, `failed: ${entry.error ?? ''}`, '', '', '', '', '', '', '', '', '', '', '', '', ''];
    return [
      ...head,
      fixed(outcome.rules),
      fixed(outcome.learned),
      outcome.served === null ? '–' : fixed(outcome.served),
      fixed(outcome.oracleOnInferredContext),
      fixed(outcome.oracle),
      `${fixed(outcome.learnedMinusRules.mean)} [${fixed(outcome.learnedMinusRules.ci[0])}, ${fixed(outcome.learnedMinusRules.ci[1])}]`,
      `${percent(outcome.gapClosed)} (inferred-context oracle ${percent(outcome.gapClosedOnInferredContext)})`,
      percent(outcome.costReduction),
      `${percent(outcome.successRate.rules)} / ${percent(outcome.successRate.learned)} / ${percent(outcome.successRate.oracleOnInferredContext)} / ${percent(outcome.successRate.oracle)}`,
      `${outcome.deployments}/${outcome.trainings}${outcome.everyDeploymentPassedGate ? '' : ` (${outcome.deployments - outcome.deploymentsWithoutForce} forced)`}`,
      `${outcome.candidates.filter((candidate) => candidate.look === null && candidate.measured.ci[0] > 0).length} / ${outcome.candidates.filter((candidate) => candidate.look === null && candidate.measured.ci[1] < 0).length}`,
      range(outcome.candidates.flatMap((candidate) => (candidate.baseline === 'rules' ? [candidate.measured.difference] : []))),
      range(outcome.candidates.flatMap((candidate) => (candidate.gate === null || candidate.baseline !== 'rules' ? [] : [candidate.gate.value]))),
      fixed(outcome.wallMs / 1000, 0),
    ];
  });
  const spreadRows = result.spread.map((entry) => [
    entry.world,
    String(entry.sessions),
    String(entry.seeds),
    `${percent(entry.gapClosed.mean)} [${percent(entry.gapClosed.min)}, ${percent(entry.gapClosed.max)}]`,
    `${fixed(entry.learnedMinusRules.mean)} [${fixed(entry.learnedMinusRules.min)}, ${fixed(entry.learnedMinusRules.max)}]`,
    `${entry.seedsBeatingRulesWithCI}/${entry.seeds}`,
  ]);
  return [
    '# Learning matrix',
    '',
    `Worlds ${result.options.worlds.join(', ')}; seeds ${result.options.seeds.join(', ')}; budgets ${result.options.budgets.join(', ')}; ${result.options.concurrency} cases at a time; ${fixed(result.wallMs / 1000, 0)} s wall. Mean rewards on the held-out tasks (the same tasks and random streams for every policy of a case).`,
    '',
    markdownTable(
      ['world', 'sessions', 'seed', 'rules', 'learned', 'served during the run', 'oracle (inferred ctx)', 'oracle', 'learned − rules [95 % CI]', 'gap closed', 'cost reduction', 'success rules / learned / oracle (inf.) / oracle', 'deployed / trained (all through the gate)', 'trained candidates measured better / worse (CI excludes 0)', 'candidates and re-looks measured − rules (min … max; challengers of a deployed model not counted)', 'gate estimates against the rules (min … max)', 'wall s'],
      caseRows,
    ),
    '',
    '## Spread over seeds (gap closed: mean [min, max])',
    '',
    markdownTable(['world', 'sessions', 'seeds', 'gap closed', 'learned − rules', 'seeds with CI > 0'], spreadRows),
    '',
    '## The deploy gate',
    '',
    formatGateHonesty(result.gate),
    '',
  ].join('\n');
}

function formatGateHonesty(gate: GateHonesty): string {
  const deployed =
    gate.deployments === 0
      ? 'No deployment.'
      : `${gate.deployments} deployment${gate.deployments === 1 ? '' : 's'}: ${gate.deployedMeasuredBetter} measured better than what ${gate.deployments === 1 ? 'it' : 'they'} replaced (95 % CI above 0), ${gate.deployedMeasuredWorse} worse (below 0); mean |estimate − measured| ${gate.deployedMeanAbsoluteError === null ? 'n/a' : fixed(gate.deployedMeanAbsoluteError)} (median-unbiased re-look estimates: ${gate.deployedMeanAbsoluteErrorMedianUnbiased === null ? 'n/a' : fixed(gate.deployedMeanAbsoluteErrorMedianUnbiased)}).`;
  const calibration =
    gate.relookCalibration === null
      ? `Re-looks with a recorded confidence: ${gate.relooks} (too few to calibrate).`
      : `Re-looks: ${gate.relooks}; (estimate − measured) / √(SE² + SE_measured²) has mean ${fixed(gate.relookCalibration.mean)} and sd ${fixed(gate.relookCalibration.sd)} (an honest gate: 0 and 1).`;
  const signed = (value: number | null) => (value === null ? 'n/a' : `${value >= 0 ? '+' : ''}${fixed(value)}`);
  const selection =
    gate.deployedMeanError === null && gate.undeployedMeanError === null
      ? ''
      : ` Mean estimate − measured: ${signed(gate.deployedMeanError)} for the deployments, ${signed(gate.undeployedMeanError)} over the ${gate.undeployedVerdicts} verdicts that deployed nothing (near 0 there: the estimator is unbiased, and a deployment's excess is the selection on its pass).`;
  const { revalued } = gate;
  const atEnd =
    revalued.runs === 0
      ? ''
      : ` The model${revalued.runs === 1 ? '' : 's'} serving at the end of ${revalued.runs} run${revalued.runs === 1 ? '' : 's'}, re-estimated on the logs since ${revalued.runs === 1 ? 'its' : 'their'} deployment: mean |estimate − measured| ${fixed(revalued.meanAbsoluteError!)}, signed ${signed(revalued.meanError)}; the measurement inside that estimate's 95 % CI in ${revalued.covered} of ${revalued.runs}.`;
  return `${deployed} ${calibration}${selection}${atEnd}`;
}
