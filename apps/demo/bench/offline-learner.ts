/**
 * One offline training on shadow logs, measured on held-out tasks: the learner and its deploy gate in isolation.
 * Simulates `--sessions` shadow sessions of the rules (ε = 0.3, exact propensities) through `createLearning`, trains
 * once with the demo's trainer settings (plus `--config` JSON merged into them), and prints one JSON line: rules and
 * learned (greedy) on 1,000 held-out tasks with the same random streams, the paired difference with its 95 % CI, and
 * the deploy gate's estimate of that difference. Logs are cached under the OS temp dir per world content, seed,
 * size and task inference (a fingerprint of what `inferTaskContext` makes of the world's tasks), so a change of the
 * world or of the inference never reuses stale logs.
 *
 *   pnpm --filter @orchestra/demo bench:offline --world default|FILE --seed 11 --sessions 2000 \
 *     [--config '{"offline":{"rewardModelPessimism":1}}']
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLearning, DefaultLearningRuntime } from '@orchestra/learning';
import { createRng, HistoryIndex } from '@orchestra/learning-features';
import { inferTaskContext } from '@orchestra/learning-features/inference';
import { loadModelArtifact, PolicyRouter, RulesPolicy } from '@orchestra/learning-policy';
import { builtInWorld, builtInWorldNames, parseWorld, runSession, sampleSystem, sampleTask, type BuiltInWorldName } from '@orchestra/learning-sim';
import type { Experience } from '@orchestra/learning-types';
import { drawHeldOutTasks, evaluateOnTasks, policyInputOf } from '../src/held-out-evaluation';
import { demoTrainerConfig } from '../src/run-demo';
import { pairedDifference } from '../src/statistics';

const { values } = parseArgs({ options: { world: { type: 'string' }, seed: { type: 'string' }, sessions: { type: 'string' }, config: { type: 'string' } } });
// A built-in world's name, or a world file (e.g. one `pnpm bench:learning` generated).
const worldArgument = values.world ?? 'default';
const builtIn = (builtInWorldNames as readonly string[]).includes(worldArgument);
const worldName = builtIn ? worldArgument : basename(worldArgument, '.json');
const seed = Number(values.seed ?? '11');
const count = Number(values.sessions ?? '2000');
const override = JSON.parse(values.config ?? '{}') as { offline?: Record<string, unknown> } & Record<string, unknown>;
const world = builtIn ? builtInWorld(worldArgument as BuiltInWorldName) : parseWorld(JSON.parse(await readFile(worldArgument, 'utf8')));

async function shadowLogs(): Promise<Experience[]> {
  const cacheDirectory = join(tmpdir(), 'orchestra-offline-learner');
  const probeRandom = createRng(7);
  const probe = Array.from({ length: 50 }, () => {
    const task = sampleTask(world, probeRandom);
    return inferTaskContext({ description: task.description, files: task.files }).context;
  });
  const fingerprint = createHash('sha256').update(JSON.stringify(world)).update(JSON.stringify(probe)).digest('hex').slice(0, 16);
  const cache = join(cacheDirectory, `${worldName}-${seed}-${count}-${fingerprint}.json`);
  if (existsSync(cache)) return JSON.parse(await readFile(cache, 'utf8')) as Experience[];
  const dataDir = await mkdtemp(join(tmpdir(), 'offline-learner-logs-'));
  const runtime = new DefaultLearningRuntime({ seed, latencyBudgetMs: 1000, exploration: { shadow: 0.3, ab_test: 0.3, production: 0 } });
  const learning = await createLearning({ cwd: dataDir, env: {}, dataDir, runtime, config: { seed, exploration: 0.3, reloadIntervalMs: 0 } });
  await learning.setMode('shadow');
  const taskRandom = createRng(seed);
  const sessionRandom = createRng((seed + 0x9e3779b9) >>> 0);
  const experiences: Experience[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const task = sampleTask(world, taskRandom);
      const system = sampleSystem(world, taskRandom);
      const decision = learning.decide({ description: task.description, files: task.files, system, sessionId: `offline-${seed}-${index}` });
      const simulated = runSession(world, task, decision.action, sessionRandom, { system, sessionId: decision.sessionId });
      const result = await learning.record(simulated.session, decision, { outcome: simulated.outcome });
      if (result.experience !== null) experiences.push(result.experience);
    }
  } finally {
    await learning.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  await mkdir(cacheDirectory, { recursive: true });
  await writeFile(cache, JSON.stringify(experiences));
  return experiences;
}

const experiences = await shadowLogs();
const dataDir = await mkdtemp(join(tmpdir(), 'offline-learner-train-'));
try {
  const learning = await createLearning({ cwd: dataDir, env: {}, dataDir, config: { seed, reloadIntervalMs: 0 } });
  const trainerConfig = { ...demoTrainerConfig, ...override, offline: { ...demoTrainerConfig.offline, ...(override.offline ?? {}) }, seed: seed + 1 };
  const started = performance.now();
  const report = await learning.train({ experiences, output: join(dataDir, 'model'), version: 'offline-learner', trainerConfig, servedAs: { selection: 'argmax' } });
  const trainingSeconds = (performance.now() - started) / 1000;
  await learning.close();
  const heldOut = drawHeldOutTasks(world, 1000, seed);
  // The held-out tasks are decided with the history the logs built, as the demo and a deployment decide: the learned
  // policy was trained on states that carry it (without it every held-out state is one no logged state resembles).
  const history = new HistoryIndex();
  for (const experience of experiences) history.update(experience);
  const rules = new RulesPolicy({ config: { epsilon: 0 } });
  const rulesRun = evaluateOnTasks(world, heldOut, (entry, index) => rules.decide(policyInputOf(entry, history, `rules-${index}`)).action);
  const router = new PolicyRouter({ mode: 'production', environment: {}, latencyBudgetMs: 1000, learnedOptions: { selection: 'argmax' } });
  router.setModel(await loadModelArtifact(join(dataDir, 'model')));
  const learnedRun = evaluateOnTasks(world, heldOut, (entry, index) => router.decide(policyInputOf(entry, history, `learned-${index}`)).action);
  const measured = pairedDifference(learnedRun.rewards, rulesRun.rewards);
  const gate =
    (report.ope as { difference?: { value: number; lower: number; upper: number; samplingStandardError?: number; criticStandardError?: number } } | null)?.difference ?? null;
  const round = (value: number) => Math.round(value * 100) / 100;
  console.log(
    JSON.stringify({
      world: worldName,
      seed,
      sessions: count,
      config: override,
      rules: round(rulesRun.metrics.meanReward),
      learned: round(learnedRun.metrics.meanReward),
      learnedMinusRules: { mean: round(measured.mean), ci: measured.interval.map(round) },
      successRate: { rules: rulesRun.metrics.successRate, learned: learnedRun.metrics.successRate },
      costPerSession: { rules: round(rulesRun.metrics.costPerSession * 1000) / 1000, learned: round(learnedRun.metrics.costPerSession * 1000) / 1000 },
      gate:
        gate === null
          ? { error: report.opeError }
          : {
              estimate: round(gate.value),
              ci: [round(gate.lower), round(gate.upper)],
              passed: report.beatsRules,
              samplingStandardError: round(gate.samplingStandardError ?? Number.NaN),
              criticStandardError: round(gate.criticStandardError ?? Number.NaN),
            },
      critic: report.critic,
      trainingSeconds: round(trainingSeconds),
    }),
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
