/**
 * Benchmarks of the simulator: session throughput (against the cost of validating a session record alone) and the
 * oracle (screen and rollouts; per task kind), plus the rules → oracle gap on each built-in world.
 * Run: `pnpm --filter @orchestra/learning-sim bench`. Other people share this machine's 2 cores: absolute numbers are
 * noisy; ratios measured in the same run are the figures to quote.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createRng } from '@orchestra/learning-features';
import { experienceReward } from '@orchestra/learning-reward';
import { enhancedSessionStateSchema, type Action, type TaskContext } from '@orchestra/learning-types';
import {
  builtInWorlds,
  countActions,
  createOracle,
  defaultWorld,
  expectedReward,
  oracleAction,
  runSession,
  sampleTask,
  screenActions,
  type SimulatedTask,
  type World,
} from '../src/index';

const resultsDirectory = new URL('../../../bench-results/', import.meta.url);

function time<T>(run: () => T): { value: T; milliseconds: number; cpuMilliseconds: number } {
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  const value = run();
  return { value, milliseconds: performance.now() - start, cpuMilliseconds: process.cpuUsage(cpuStart).user / 1000 };
}

/**
 * Runs `body` repeatedly for about `milliseconds` after a warm-up; returns operations per second of wall clock and
 * of this process's CPU time (the fairer single-thread figure on a shared machine).
 */
function rate(body: () => number, milliseconds = 1500): { wall: number; cpu: number } {
  for (let warmUp = 0; warmUp < 5; warmUp += 1) body();
  let operations = 0;
  const cpuStart = process.cpuUsage();
  const start = performance.now();
  while (performance.now() - start < milliseconds) operations += body();
  const cpu = process.cpuUsage(cpuStart);
  return { wall: (operations * 1000) / (performance.now() - start), cpu: (operations * 1e6) / (cpu.user + cpu.system) };
}

/** The textbook rules of issue 5, as a baseline a competent engineer would write (not the policy package's code). */
function textbookRules(world: World, context: TaskContext): Action {
  const byTier = (tier: string) => world.models.find((model) => model.tier === tier)?.id ?? world.models[0]!.id;
  const cheap = byTier('cheap');
  const strong = [...world.models].sort((left, right) => right.skill.complex - left.skill.complex)[0]!.id;
  const expensive = byTier('expensive');
  const safetyLevel = context.risk === 'high' ? 'strict' : context.risk === 'medium' ? 'balanced' : 'permissive';
  const timeoutMultiplier = context.complexity === 'complex' ? 1.5 : 1.25;
  if (context.complexity === 'simple') {
    return { skills: [], agents: ['executor'], approach: 'direct', parallelism: 1, timeoutMultiplier, retryStrategy: 'retry_with_backoff', safetyLevel, models: { executor: cheap } };
  }
  if (context.complexity === 'medium') {
    return {
      skills: [],
      agents: ['executor', 'auditor'],
      approach: 'sequential',
      parallelism: 1,
      timeoutMultiplier,
      retryStrategy: 'retry_with_backoff',
      safetyLevel,
      models: { executor: expensive, auditor: cheap },
    };
  }
  return {
    skills: [],
    agents: ['executor', 'architect', 'auditor'],
    approach: 'coordinated',
    parallelism: Math.min(4, context.domains.length),
    timeoutMultiplier,
    retryStrategy: 'fallback',
    safetyLevel,
    models: { executor: expensive, architect: strong, auditor: expensive },
  };
}

const rng = createRng(2026);
const tasks: SimulatedTask[] = Array.from({ length: 2000 }, () => sampleTask(defaultWorld, rng));
const teamAction: Action = {
  skills: [],
  agents: ['executor', 'architect', 'auditor'],
  approach: 'coordinated',
  parallelism: 2,
  timeoutMultiplier: 1.5,
  retryStrategy: 'fallback',
  safetyLevel: 'balanced',
  models: { executor: 'gpt-5.2-codex', architect: 'claude-opus', auditor: 'kimi-k2.5' },
};
const directAction: Action = { ...teamAction, agents: ['executor'], approach: 'direct', parallelism: 1, models: { executor: 'glm-4.7' } };
const sessions = tasks.map((task) => runSession(defaultWorld, task, teamAction, rng));

console.log(`learning-sim bench — ${cpus().length} cores (shared with other jobs: absolute numbers are noisy, compare ratios)\n`);

// Throughput.
const batch = (work: (task: SimulatedTask, index: number) => void) => () => {
  for (let index = 0; index < 500; index += 1) work(tasks[index % tasks.length]!, index);
  return 500;
};
const throughput = {
  validateSessionOnly: rate(batch((_, index) => void enhancedSessionStateSchema.parse(sessions[index % sessions.length]!.session))),
  sampleTask: rate(batch(() => void sampleTask(defaultWorld, rng))),
  runSessionTeam: rate(batch((task) => void runSession(defaultWorld, task, teamAction, rng))),
  runSessionTeamTrusted: rate(batch((task) => void runSession(defaultWorld, task, teamAction, rng, { trustedAction: true }))),
  runSessionDirect: rate(batch((task) => void runSession(defaultWorld, task, directAction, rng))),
  sampleRunAndReward: rate(
    batch(() => {
      const task = sampleTask(defaultWorld, rng);
      void experienceReward(runSession(defaultWorld, task, teamAction, rng).outcome);
    }),
  ),
};
const baseline = throughput.validateSessionOnly;
const format = (value: number) => Math.round(value).toLocaleString('en-US');
console.log('throughput (operations/s, single thread; baseline = zod-validating an already built session)');
console.log('| what | ops/s (wall) | ops/s (CPU time) | × validate-only (CPU) |');
console.log('|---|---:|---:|---:|');
for (const [name, value] of Object.entries(throughput)) {
  console.log(`| ${name} | ${format(value.wall)} | ${format(value.cpu)} | ${(value.cpu / baseline.cpu).toFixed(2)} |`);
}

// Oracle cost.
const oracleTask = tasks.find((task) => task.trueContext.complexity === 'complex') ?? tasks[0]!;
const screenCold = time(() => screenActions(defaultWorld, oracleTask.trueContext, { keep: 32 }));
const screenWarm = [0, 1, 2].map(() => time(() => screenActions(defaultWorld, oracleTask.trueContext, { keep: 32 })));
const oracleFull = time(() => oracleAction(defaultWorld, oracleTask, { rollouts: 128, candidates: 16, seed: 1 }));
const kinds = new Set(tasks.map((task) => `${task.trueContext.taskType}|${task.trueContext.complexity}|${task.trueContext.risk}|${task.trueContext.domains.length}`));
const oracleSummary = {
  actions: countActions(defaultWorld),
  screenColdMs: screenCold.milliseconds,
  screenWarmMs: Math.min(...screenWarm.map((entry) => entry.milliseconds)),
  screenWarmCpuMs: Math.min(...screenWarm.map((entry) => entry.cpuMilliseconds)),
  oracleMs: oracleFull.milliseconds,
  oracleCpuMs: oracleFull.cpuMilliseconds,
  rolloutsPerOracle: 16 * 32 + 4 * 96,
  distinctKindsIn2000Tasks: kinds.size,
};
console.log('\noracle (default world, one complex task; defaults: rollouts 128, candidates 16)');
console.log('| what | value |');
console.log('|---|---:|');
console.log(`| actions screened | ${oracleSummary.actions.toLocaleString('en-US')} |`);
console.log(`| screen, first call (JIT warm-up) | ${oracleSummary.screenColdMs.toFixed(0)} ms |`);
console.log(`| screen, warm | ${oracleSummary.screenWarmMs.toFixed(0)} ms wall, ${oracleSummary.screenWarmCpuMs.toFixed(0)} ms CPU |`);
console.log(`| screen per action (warm, CPU) | ${((oracleSummary.screenWarmCpuMs * 1e6) / oracleSummary.actions).toFixed(0)} ns |`);
console.log(`| whole oracle (screen + ${oracleSummary.rolloutsPerOracle} rollouts) | ${oracleSummary.oracleMs.toFixed(0)} ms wall, ${oracleSummary.oracleCpuMs.toFixed(0)} ms CPU |`);
console.log(`| distinct task kinds among 2,000 sampled tasks | ${oracleSummary.distinctKindsIn2000Tasks} |`);

// Rules → oracle gap per world, on the same sampled tasks for every policy (fresh seeds for the measurement).
const gapTasks = 120;
const gaps: Record<string, unknown> = {};
console.log(`\nrules → oracle gap (${gapTasks} sampled tasks per world, 64 measured sessions per task and policy)`);
console.log('| world | textbook rules | best single fixed action | oracle | oracle time |');
console.log('|---|---:|---:|---:|---:|');
for (const [name, world] of Object.entries(builtInWorlds())) {
  const worldRng = createRng(7);
  const sample = Array.from({ length: gapTasks }, () => sampleTask(world, worldRng));
  const oracle = createOracle(world, { seed: 11 });
  const fixedCandidates: Action[] = [teamAction, directAction, { ...directAction, models: { executor: 'gpt-5.2-codex' } }].filter((action) =>
    Object.values(action.models).every((id) => world.models.some((model) => model.id === id)),
  );
  let rules = 0;
  let best = 0;
  const fixed = new Array<number>(fixedCandidates.length).fill(0);
  const oracleTime = time(() => {
    for (const task of sample) oracle.actionFor(task);
  });
  sample.forEach((task, index) => {
    const measure = (action: Action) => expectedReward(world, task, action, { rollouts: 64, seed: 1000 + index }).mean / sample.length;
    rules += measure(textbookRules(world, task.trueContext));
    best += measure(oracle.actionFor(task).action);
    fixedCandidates.forEach((action, position) => {
      fixed[position]! += measure(action);
    });
  });
  const bestFixed = Math.max(...fixed);
  gaps[name] = { rules, bestFixed, oracle: best, kinds: oracle.size, oracleMs: oracleTime.milliseconds };
  console.log(
    `| ${name} | ${rules.toFixed(1)} | ${bestFixed.toFixed(1)} | ${best.toFixed(1)} | ${(oracleTime.milliseconds / 1000).toFixed(1)} s for ${oracle.size} kinds |`,
  );
}

mkdirSync(resultsDirectory, { recursive: true });
const common = { date: new Date().toISOString(), node: process.version, cores: cpus().length, note: 'shared machine; compare ratios' };
writeFileSync(new URL('learning-sim-throughput.json', resultsDirectory), `${JSON.stringify({ ...common, opsPerSecond: throughput }, null, 2)}\n`);
writeFileSync(new URL('learning-sim-oracle.json', resultsDirectory), `${JSON.stringify({ ...common, oracle: oracleSummary, gaps }, null, 2)}\n`);
console.log('\nwrote bench-results/learning-sim-throughput.json and bench-results/learning-sim-oracle.json');
